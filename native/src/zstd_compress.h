// zstdCompress(): page compression for the Parquet writer.
#pragma once

#include <napi.h>

namespace geopart {

Napi::Value ZstdCompress(const Napi::CallbackInfo& info);

}  // namespace geopart
