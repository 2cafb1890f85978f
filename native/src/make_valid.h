// makeValidWkb(): GEOS validity checks and repair (through OGR) of one WKB geometry.
#pragma once

#include <napi.h>

namespace geopart {

Napi::Value MakeValidWkb(const Napi::CallbackInfo& info);

}  // namespace geopart
