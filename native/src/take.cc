// Row gathers for src/io/take-multi.ts: row j of the output is row rowOf[j] of part
// batchOf[j], over the buffers of one column's parts (Arrow arrays of one type). Shuffle tasks
// gather their rows from the spilled batches with them, write tasks merge the shuffle's
// pieces, and table reads gather the rows a box keeps. Every index is checked against its part
// before it is read.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codecs.h"

namespace geopart {
namespace {

// The row lists: batchOf and rowOf, Int32Arrays of one length, and each part's row count.
struct Rows {
  const int32_t* batchOf;
  const int32_t* rowOf;
  size_t n;
  std::vector<int64_t> partRows;
};

Rows readRows(const Napi::CallbackInfo& info, size_t at, const char* name) {
  Napi::Env env = info.Env();
  if (info.Length() < at + 3 || !info[at].IsTypedArray() || !info[at + 1].IsTypedArray() ||
      !info[at + 2].IsTypedArray()) {
    throw Napi::TypeError::New(env, std::string(name) + ": partRows, batchOf and rowOf are Int32Arrays");
  }
  auto parts = info[at].As<Napi::TypedArray>();
  auto b = info[at + 1].As<Napi::TypedArray>();
  auto r = info[at + 2].As<Napi::TypedArray>();
  if (parts.TypedArrayType() != napi_int32_array || b.TypedArrayType() != napi_int32_array ||
      r.TypedArrayType() != napi_int32_array || b.ElementLength() != r.ElementLength()) {
    throw Napi::TypeError::New(env, std::string(name) + ": partRows, batchOf and rowOf are Int32Arrays, the last two of one length");
  }
  Rows rows{b.As<Napi::Int32Array>().Data(), r.As<Napi::Int32Array>().Data(), b.ElementLength(), {}};
  const int32_t* p = parts.As<Napi::Int32Array>().Data();
  rows.partRows.assign(p, p + parts.ElementLength());
  for (int64_t n : rows.partRows) {
    if (n < 0) throw Napi::RangeError::New(env, std::string(name) + ": a part's row count is negative");
  }
  return rows;
}

// Row j's part and row, checked against the parts' row counts.
inline void at(const Rows& rows, size_t j, Napi::Env env, const char* name, size_t* part, size_t* row) {
  const int32_t b = rows.batchOf[j];
  const int32_t r = rows.rowOf[j];
  if (b < 0 || static_cast<size_t>(b) >= rows.partRows.size() || r < 0 || r >= rows.partRows[b]) {
    throw Napi::RangeError::New(env, std::string(name) + ": row " + std::to_string(j) + " is out of range");
  }
  *part = static_cast<size_t>(b);
  *row = static_cast<size_t>(r);
}

// Each element of a JS array of parts: a Uint8Array's bytes, or null where allowNull.
std::vector<Napi::Uint8Array> partArrays(Napi::Env env, Napi::Value v, size_t count, bool allowNull, const char* name) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != count) {
    throw Napi::TypeError::New(env, std::string(name) + ": one buffer per part");
  }
  auto a = v.As<Napi::Array>();
  std::vector<Napi::Uint8Array> out(count);
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value e = a[i];
    if (allowNull && e.IsNull()) continue;
    if (!e.IsTypedArray() || e.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(env, std::string(name) + ": each part's buffer is a Uint8Array");
    }
    out[i] = e.As<Napi::Uint8Array>();
  }
  return out;
}

template <size_t W>
void copyFixed(uint8_t* out, const std::vector<const uint8_t*>& src, const Rows& rows, Napi::Env env) {
  for (size_t j = 0; j < rows.n; j++) {
    size_t b, r;
    at(rows, j, env, "takeFixed", &b, &r);
    std::memcpy(out + j * W, src[b] + r * W, W);
  }
}

}  // namespace

// takeFixed(values: Uint8Array[], rowBytes: number, partRows, batchOf, rowOf: Int32Array)
//   -> ArrayBuffer of batchOf.length * rowBytes bytes
// Fixed-width values: each part's values start at its row 0.
Napi::Value TakeFixed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "takeFixed(values, rowBytes, partRows, batchOf, rowOf)");
  }
  const int64_t w64 = info[1].As<Napi::Number>().Int64Value();
  if (w64 < 0 || w64 > INT32_MAX) throw Napi::RangeError::New(env, "takeFixed: rowBytes out of range");
  const size_t w = static_cast<size_t>(w64);
  Rows rows = readRows(info, 2, "takeFixed");
  auto parts = partArrays(env, info[0], rows.partRows.size(), false, "takeFixed");
  std::vector<const uint8_t*> src(parts.size());
  for (size_t i = 0; i < parts.size(); i++) {
    if (parts[i].ByteLength() < static_cast<size_t>(rows.partRows[i]) * w) {
      throw Napi::RangeError::New(env, "takeFixed: a part's values are shorter than its rows");
    }
    src[i] = parts[i].Data();
  }
  // Rows of zero bytes (FixedSizeBinary(0)) are still checked, and copy nothing.
  Output out(env, rows.n * w);
  uint8_t* o = out.data();
  switch (w) {
    case 1: copyFixed<1>(o, src, rows, env); break;
    case 2: copyFixed<2>(o, src, rows, env); break;
    case 4: copyFixed<4>(o, src, rows, env); break;
    case 8: copyFixed<8>(o, src, rows, env); break;
    case 16: copyFixed<16>(o, src, rows, env); break;
    default:
      for (size_t j = 0; j < rows.n; j++) {
        size_t b, r;
        at(rows, j, env, "takeFixed", &b, &r);
        if (w > 0) std::memcpy(o + j * w, src[b] + r * w, w);
      }
  }
  return out.buffer();
}

// takeBits(bits: (Uint8Array | null)[], bitOffsets: Int32Array, partRows, batchOf, rowOf)
//   -> { bits: ArrayBuffer, zeros: number }
// Bitmaps (validity or booleans), part i's row r at bit bitOffsets[i] + r; a null part is all
// ones. `zeros` counts the output's clear bits.
Napi::Value TakeBits(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[1].IsTypedArray()) {
    throw Napi::TypeError::New(env, "takeBits(bits, bitOffsets, partRows, batchOf, rowOf)");
  }
  Rows rows = readRows(info, 2, "takeBits");
  auto offs = info[1].As<Napi::TypedArray>();
  if (offs.TypedArrayType() != napi_int32_array || offs.ElementLength() != rows.partRows.size()) {
    throw Napi::TypeError::New(env, "takeBits: bitOffsets is an Int32Array, one per part");
  }
  const int32_t* bitOffset = offs.As<Napi::Int32Array>().Data();
  auto parts = partArrays(env, info[0], rows.partRows.size(), true, "takeBits");
  std::vector<const uint8_t*> src(parts.size(), nullptr);
  for (size_t i = 0; i < parts.size(); i++) {
    if (bitOffset[i] < 0) throw Napi::RangeError::New(env, "takeBits: a bit offset is negative");
    if (parts[i].IsEmpty()) continue;
    if (parts[i].ByteLength() * 8 < static_cast<size_t>(bitOffset[i]) + static_cast<size_t>(rows.partRows[i])) {
      throw Napi::RangeError::New(env, "takeBits: a part's bitmap is shorter than its rows");
    }
    src[i] = parts[i].Data();
  }
  Output out(env, (rows.n + 7) / 8);
  uint8_t* o = out.data();
  size_t zeros = 0;
  for (size_t j = 0; j < rows.n; j++) {
    size_t b, r;
    at(rows, j, env, "takeBits", &b, &r);
    const size_t bit = static_cast<size_t>(bitOffset[b]) + r;
    if (src[b] == nullptr || ((src[b][bit >> 3] >> (bit & 7)) & 1)) {
      o[j >> 3] |= static_cast<uint8_t>(1u << (j & 7));
    } else {
      zeros++;
    }
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("bits", out.buffer());
  result.Set("zeros", Napi::Number::New(env, static_cast<double>(zeros)));
  return result;
}

// takeBinary(offsets: Int32Array[], values: Uint8Array[], partRows, batchOf, rowOf)
//   -> { offsets: ArrayBuffer (Int32, batchOf.length + 1), values: ArrayBuffer }
// Byte arrays (binary, UTF-8): part i's row r is values[i][offsets[i][r], offsets[i][r + 1]).
Napi::Value TakeBinary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsArray()) {
    throw Napi::TypeError::New(env, "takeBinary(offsets, values, partRows, batchOf, rowOf)");
  }
  Rows rows = readRows(info, 2, "takeBinary");
  const size_t parts = rows.partRows.size();
  auto values = partArrays(env, info[1], parts, false, "takeBinary");
  auto offArray = info[0].As<Napi::Array>();
  if (offArray.Length() != parts) throw Napi::TypeError::New(env, "takeBinary: one offsets array per part");
  std::vector<const int32_t*> offs(parts);
  std::vector<const uint8_t*> vals(parts);
  std::vector<size_t> valLen(parts);
  for (uint32_t i = 0; i < parts; i++) {
    Napi::Value e = offArray[i];
    if (!e.IsTypedArray() || e.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        e.As<Napi::TypedArray>().ElementLength() < static_cast<size_t>(rows.partRows[i]) + 1) {
      throw Napi::RangeError::New(env, "takeBinary: each part's offsets are an Int32Array of its rows + 1");
    }
    offs[i] = e.As<Napi::Int32Array>().Data();
    vals[i] = values[i].Data();
    valLen[i] = values[i].ByteLength();
  }
  // Each row's range is checked in the first pass, which sizes the output.
  int64_t total = 0;
  for (size_t j = 0; j < rows.n; j++) {
    size_t b, r;
    at(rows, j, env, "takeBinary", &b, &r);
    const int32_t s = offs[b][r], e = offs[b][r + 1];
    if (s < 0 || e < s || static_cast<size_t>(e) > valLen[b]) {
      throw Napi::RangeError::New(env, "takeBinary: row " + std::to_string(j) + "'s offsets are out of range");
    }
    total += e - s;
  }
  if (total > INT32_MAX) throw Napi::RangeError::New(env, "takeBinary: more than 2^31 - 1 bytes of values");
  Output offOut(env, (rows.n + 1) * sizeof(int32_t));
  Output valOut(env, static_cast<size_t>(total));
  int32_t* oo = reinterpret_cast<int32_t*>(offOut.data());
  uint8_t* vo = valOut.data();
  int32_t pos = 0;
  oo[0] = 0;
  for (size_t j = 0; j < rows.n; j++) {
    const size_t b = static_cast<size_t>(rows.batchOf[j]), r = static_cast<size_t>(rows.rowOf[j]);
    const int32_t s = offs[b][r], len = offs[b][r + 1] - s;
    if (len > 0) std::memcpy(vo + pos, vals[b] + s, static_cast<size_t>(len));
    pos += len;
    oo[j + 1] = pos;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("offsets", offOut.buffer());
  result.Set("values", valOut.buffer());
  return result;
}

}  // namespace geopart
