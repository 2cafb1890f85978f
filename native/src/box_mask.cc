// boxMask(): which rows' boxes intersect a query box, for the table reader's bbox filter
// (src/read/row-filter.ts), in native code so that a process's first query pays no JIT warm-up.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "codecs.h"

namespace geopart {

// boxMask(xmin, ymin, xmax, ymax: Float64Array, validity: Uint8Array | null, bitOffset: number,
//         box: Float64Array) -> Uint8Array
// 1 for each row whose box [xmin, ymin, xmax, ymax] intersects box[0..3] (touching counts) and
// whose validity bit (at bitOffset + row) is set; rows with NaN never match.
Napi::Value BoxMask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 7 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsTypedArray() ||
      !info[3].IsTypedArray() || !info[5].IsNumber() || !info[6].IsTypedArray()) {
    throw Napi::TypeError::New(env, "boxMask(xmin, ymin, xmax, ymax, validity, bitOffset, box)");
  }
  Napi::Float64Array cols[4] = {info[0].As<Napi::Float64Array>(), info[1].As<Napi::Float64Array>(),
                                info[2].As<Napi::Float64Array>(), info[3].As<Napi::Float64Array>()};
  auto box = info[6].As<Napi::Float64Array>();
  const size_t n = cols[0].ElementLength();
  for (const auto& c : cols) {
    if (c.TypedArrayType() != napi_float64_array || c.ElementLength() != n) {
      throw Napi::TypeError::New(env, "boxMask: four Float64Arrays of one length");
    }
  }
  if (box.TypedArrayType() != napi_float64_array || box.ElementLength() != 4) {
    throw Napi::TypeError::New(env, "boxMask: box is a Float64Array of 4");
  }
  const uint8_t* validity = nullptr;
  const int64_t offset = info[5].As<Napi::Number>().Int64Value();
  if (offset < 0) throw Napi::RangeError::New(env, "boxMask: bitOffset is negative");
  const size_t bitOffset = static_cast<size_t>(offset);
  if (info[4].IsTypedArray()) {
    auto v = info[4].As<Napi::Uint8Array>();
    if (v.ByteLength() * 8 < bitOffset + n) throw Napi::RangeError::New(env, "boxMask: validity too short");
    validity = v.Data();
  }
  const double q[4] = {box[0], box[1], box[2], box[3]};
  const double *x0 = cols[0].Data(), *y0 = cols[1].Data(), *x1 = cols[2].Data(), *y1 = cols[3].Data();
  auto mask = Napi::Uint8Array::New(env, n);  // n is a JS array's length: V8 made one that long
  uint8_t* out = mask.Data();
  for (size_t i = 0; i < n; i++) {
    const size_t b = bitOffset + i;
    const bool valid = validity == nullptr || ((validity[b >> 3] >> (b & 7)) & 1);
    out[i] = valid && boxIntersects(x0[i], y0[i], x1[i], y1[i], q) ? 1 : 0;
  }
  return mask;
}

}  // namespace geopart
