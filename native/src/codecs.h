// Parquet page codecs: compression for the writer, decompression and page decoding for the reader.
#pragma once

#include <napi.h>

namespace geopart {

Napi::Value ZstdCompress(const Napi::CallbackInfo& info);
Napi::Value Lz4RawCompress(const Napi::CallbackInfo& info);
// The pages of column chunks decoded into Arrow buffers (pages.cc).
Napi::Value DecodeColumnChunks(const Napi::CallbackInfo& info);
Napi::Value PresentBits(const Napi::CallbackInfo& info);
// The bbox covering filter over row groups' byte spans (pages.cc).
Napi::Value CoveringMask(const Napi::CallbackInfo& info);
// Which rows' boxes intersect a query box (box_mask.cc).
Napi::Value BoxMask(const Napi::CallbackInfo& info);

}  // namespace geopart
