// reprojectWkb(): reprojection of a WKB column held in JS buffers.
#pragma once

#include <napi.h>

namespace geopart {

Napi::Value ReprojectWkb(const Napi::CallbackInfo& info);

}  // namespace geopart
