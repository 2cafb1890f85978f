// The codec addon: page compression, the string dictionary and PLAIN byte arrays for the writer;
// page decoding and box filters for the reader; row gathers for both.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace geopart {

// Whether the box [x0, y0, x1, y1] intersects the query box q[0..3] (touching counts); a NaN
// fails every comparison, so it never matches. The one box test of the addon's filters, as
// src/read/bbox.ts `boxIntersects` is the TypeScript side's.
inline bool boxIntersects(double x0, double y0, double x1, double y1, const double* q) {
  return x0 <= q[2] && x1 >= q[0] && y0 <= q[3] && y1 >= q[1];
}

// An output buffer made as JS's `new ArrayBuffer(n)` makes one: zeroed, transferable between
// threads, and a RangeError when it cannot be allocated (V8's C++ ArrayBuffer::New would end
// the process instead).
class Output {
 public:
  Output(Napi::Env env, size_t bytes) {
    Napi::Function ctor = env.Global().Get("ArrayBuffer").As<Napi::Function>();
    ab_ = ctor.New({Napi::Number::New(env, static_cast<double>(bytes))}).As<Napi::ArrayBuffer>();
  }
  uint8_t* data() { return static_cast<uint8_t*>(ab_.Data()); }
  Napi::ArrayBuffer buffer() const { return ab_; }

 private:
  Napi::ArrayBuffer ab_;
};

Napi::Value ZstdCompress(const Napi::CallbackInfo& info);
Napi::Value Lz4RawCompress(const Napi::CallbackInfo& info);
// The pages of column chunks decoded into Arrow buffers (pages.cc).
Napi::Value DecodeColumnChunks(const Napi::CallbackInfo& info);
Napi::Value PresentBits(const Napi::CallbackInfo& info);
// The bbox covering filter over row groups' byte spans (pages.cc).
Napi::Value CoveringMask(const Napi::CallbackInfo& info);
// Which rows' boxes intersect a query box (box_mask.cc).
Napi::Value BoxMask(const Napi::CallbackInfo& info);
// Rows gathered from several Arrow buffers into one (take.cc).
Napi::Value TakeFixed(const Napi::CallbackInfo& info);
Napi::Value TakeBits(const Napi::CallbackInfo& info);
Napi::Value TakeBinary(const Napi::CallbackInfo& info);
// The writer's dictionary of a string column chunk (dictionary.cc).
Napi::Value DictionaryIds(const Napi::CallbackInfo& info);
// PLAIN BYTE_ARRAY values and their least and greatest (dictionary.cc).
Napi::Value PlainBytes(const Napi::CallbackInfo& info);

}  // namespace geopart
