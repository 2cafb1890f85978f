// zstdCompress() and lz4RawCompress(): page compression for the Parquet writer.
#pragma once

#include <napi.h>

namespace geopart {

Napi::Value ZstdCompress(const Napi::CallbackInfo& info);
Napi::Value Lz4RawCompress(const Napi::CallbackInfo& info);

}  // namespace geopart
