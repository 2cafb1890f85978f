// Parquet page codecs: compression for the writer, decompression for the reader.
#pragma once

#include <napi.h>

namespace geopart {

Napi::Value ZstdCompress(const Napi::CallbackInfo& info);
Napi::Value Lz4RawCompress(const Napi::CallbackInfo& info);
Napi::Value ZstdDecompressInto(const Napi::CallbackInfo& info);
Napi::Value Lz4RawDecompressInto(const Napi::CallbackInfo& info);

}  // namespace geopart
