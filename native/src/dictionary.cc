// The writer's byte-array values in native code: dictionaryIds(), the dictionary of a string
// column chunk (src/write/dictionary.ts), and plainBytes(), PLAIN values (src/write/plain.ts).
// dictionaryIds() hashes in native code. Values are found in an open-addressing table over their bytes; the
// dictionary keeps first-seen order, so the result does not depend on the hash.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codecs.h"

namespace geopart {
namespace {

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// A 64-bit hash of a byte run, eight bytes a step.
inline uint64_t hashBytes(const uint8_t* p, size_t n) {
  const uint64_t m = 0x9E3779B97F4A7C15ull;
  uint64_t h = 0x243F6A8885A308D3ull ^ (n * m);
  while (n >= 8) {
    h = (h ^ load64(p)) * m;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  for (size_t k = 0; k < n; k++) tail |= static_cast<uint64_t>(p[k]) << (8 * k);
  h = (h ^ tail) * m;
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

struct Entry {
  const uint8_t* data;
  uint32_t length;
  uint64_t hash;
};

template <typename T>
std::vector<T> typedParts(Napi::Env env, Napi::Value v, size_t count, napi_typedarray_type type, bool allowNull,
                          const char* what) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != count) {
    throw Napi::TypeError::New(env, std::string("dictionaryIds: one ") + what + " per piece");
  }
  auto a = v.As<Napi::Array>();
  std::vector<T> out(count);
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value e = a[i];
    if (allowNull && e.IsNull()) continue;
    if (!e.IsTypedArray() || e.As<Napi::TypedArray>().TypedArrayType() != type) {
      throw Napi::TypeError::New(env, std::string("dictionaryIds: a piece's ") + what + " has the wrong type");
    }
    out[i] = e.As<T>();
  }
  return out;
}

}  // namespace

// dictionaryIds(offsets: Int32Array[], data: Uint8Array[], defs: (Uint8Array | null)[],
//               idxs: (Int32Array | null)[], slots: Int32Array, maxDef, limit, maxBytes)
//   -> { ids: ArrayBuffer[] (Int32, one per piece), page: ArrayBuffer, size } | null
// Piece p has slots[p] slots; slot i holds a value where defs[p] is null or defs[p][i] == maxDef,
// value idxs[p][i] (i when null), bytes data[p][offsets[p][v], offsets[p][v + 1]). ids[p][i] is
// the slot's dictionary index, -1 where null. The page holds the distinct values in first-seen
// order as PLAIN BYTE_ARRAY. Null when more than `limit` values are distinct, the page would
// pass `maxBytes`, no value is present, or more than half the present values are distinct.
Napi::Value DictionaryIds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 8 || !info[4].IsTypedArray() || !info[5].IsNumber() || !info[6].IsNumber() ||
      !info[7].IsNumber()) {
    throw Napi::TypeError::New(env, "dictionaryIds(offsets, data, defs, idxs, slots, maxDef, limit, maxBytes)");
  }
  auto slotsArray = info[4].As<Napi::TypedArray>();
  if (slotsArray.TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(env, "dictionaryIds: slots is an Int32Array");
  }
  const size_t pieces = slotsArray.ElementLength();
  const int32_t* slots = slotsArray.As<Napi::Int32Array>().Data();
  const int64_t maxDef = info[5].As<Napi::Number>().Int64Value();
  const int64_t limit = info[6].As<Napi::Number>().Int64Value();
  const int64_t maxBytes = info[7].As<Napi::Number>().Int64Value();
  if (limit < 0 || limit > (1 << 24) || maxBytes < 0) throw Napi::RangeError::New(env, "dictionaryIds: limit out of range");
  auto offsets = typedParts<Napi::Int32Array>(env, info[0], pieces, napi_int32_array, false, "offsets");
  auto data = typedParts<Napi::Uint8Array>(env, info[1], pieces, napi_uint8_array, false, "data");
  auto defs = typedParts<Napi::Uint8Array>(env, info[2], pieces, napi_uint8_array, true, "defs");
  auto idxs = typedParts<Napi::Int32Array>(env, info[3], pieces, napi_int32_array, true, "idxs");
  if (limit == 0) return env.Null();

  size_t tableSize = 16;
  while (tableSize < 2 * static_cast<size_t>(limit)) tableSize <<= 1;
  const size_t mask = tableSize - 1;
  std::vector<int32_t> table(tableSize, -1);
  std::vector<Entry> entries;
  int64_t bytes = 0;
  int64_t present = 0;
  std::vector<Output> ids;
  ids.reserve(pieces);
  for (size_t p = 0; p < pieces; p++) {
    if (slots[p] < 0) throw Napi::RangeError::New(env, "dictionaryIds: a piece's slots are negative");
    const size_t n = static_cast<size_t>(slots[p]);
    const bool hasDef = !defs[p].IsEmpty();
    const bool hasIdx = !idxs[p].IsEmpty();
    if ((hasDef && defs[p].ElementLength() < n) || (hasIdx && idxs[p].ElementLength() < n)) {
      throw Napi::RangeError::New(env, "dictionaryIds: a piece's levels or indices are shorter than its slots");
    }
    const uint8_t* def = hasDef ? defs[p].Data() : nullptr;
    const int32_t* idx = hasIdx ? idxs[p].Data() : nullptr;
    const int32_t* off = offsets[p].Data();
    const size_t offCount = offsets[p].ElementLength();
    const uint8_t* bytesOf = data[p].Data();
    const size_t dataLength = data[p].ByteLength();
    ids.emplace_back(env, n * sizeof(int32_t));
    int32_t* out = reinterpret_cast<int32_t*>(ids.back().data());
    for (size_t i = 0; i < n; i++) {
      if (def != nullptr && def[i] != maxDef) {
        out[i] = -1;
        continue;
      }
      const int64_t j = idx == nullptr ? static_cast<int64_t>(i) : idx[i];
      if (j < 0 || static_cast<size_t>(j) + 1 >= offCount) {
        throw Napi::RangeError::New(env, "dictionaryIds: a value index is out of range");
      }
      const int32_t s = off[j], e = off[j + 1];
      if (s < 0 || e < s || static_cast<size_t>(e) > dataLength) {
        throw Napi::RangeError::New(env, "dictionaryIds: a value's offsets are out of range");
      }
      const uint8_t* v = bytesOf + s;
      const uint32_t len = static_cast<uint32_t>(e - s);
      const uint64_t h = hashBytes(v, len);
      size_t at = h & mask;
      int32_t id = table[at];
      while (id >= 0) {
        const Entry& en = entries[id];
        if (en.hash == h && en.length == len && (len == 0 || std::memcmp(en.data, v, len) == 0)) break;
        at = (at + 1) & mask;
        id = table[at];
      }
      if (id < 0) {
        if (static_cast<int64_t>(entries.size()) >= limit) return env.Null();
        bytes += 4 + static_cast<int64_t>(len);
        if (bytes > maxBytes) return env.Null();
        id = static_cast<int32_t>(entries.size());
        table[at] = id;
        entries.push_back({v, len, h});
      }
      out[i] = id;
      present++;
    }
  }
  const size_t size = entries.size();
  if (size == 0 || static_cast<int64_t>(size) * 2 > present) return env.Null();
  Output page(env, static_cast<size_t>(bytes));
  uint8_t* o = page.data();
  for (const Entry& en : entries) {
    const uint32_t len = en.length;
    const uint8_t le[4] = {static_cast<uint8_t>(len), static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len >> 16),
                           static_cast<uint8_t>(len >> 24)};
    std::memcpy(o, le, 4);
    if (len > 0) std::memcpy(o + 4, en.data, len);
    o += 4 + len;
  }
  Napi::Array idArrays = Napi::Array::New(env, pieces);
  for (size_t p = 0; p < pieces; p++) idArrays.Set(static_cast<uint32_t>(p), ids[p].buffer());
  Napi::Object result = Napi::Object::New(env);
  result.Set("ids", idArrays);
  result.Set("page", page.buffer());
  result.Set("size", Napi::Number::New(env, static_cast<double>(size)));
  return result;
}

}  // namespace geopart

namespace geopart {

// plainBytes(dest: Uint8Array, at, offsets: Int32Array, data: Uint8Array, def: Uint8Array | null,
//            idx: Int32Array | null, a, b, maxDef, maxStat) -> Float64Array [end, min, max, long]
// PLAIN BYTE_ARRAY values for the writer (src/write/plain.ts): for each slot i in [a, b) that
// holds a value (def null or def[i] == maxDef), value idx[i] (i when null) is written at `at` as
// a 4-byte little-endian length and its bytes. Returns where the values end, the value indices
// of the least and greatest values (unsigned bytes, a prefix first; -1 when none) and of the
// first value longer than maxStat bytes (-1 when none), for the page's statistics.
Napi::Value PlainBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 10 || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsTypedArray() ||
      !info[3].IsTypedArray() || !info[6].IsNumber() || !info[7].IsNumber() || !info[8].IsNumber() ||
      !info[9].IsNumber()) {
    throw Napi::TypeError::New(env, "plainBytes(dest, at, offsets, data, def, idx, a, b, maxDef, maxStat)");
  }
  auto dest = info[0].As<Napi::Uint8Array>();
  auto offArr = info[2].As<Napi::TypedArray>();
  auto dataArr = info[3].As<Napi::TypedArray>();
  if (dest.TypedArrayType() != napi_uint8_array || offArr.TypedArrayType() != napi_int32_array ||
      dataArr.TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "plainBytes: dest and data are Uint8Arrays, offsets an Int32Array");
  }
  const int64_t at = info[1].As<Napi::Number>().Int64Value();
  const int64_t a = info[6].As<Napi::Number>().Int64Value();
  const int64_t b = info[7].As<Napi::Number>().Int64Value();
  const int64_t maxDef = info[8].As<Napi::Number>().Int64Value();
  const int64_t maxStat = info[9].As<Napi::Number>().Int64Value();
  const uint8_t* def = nullptr;
  const int32_t* idx = nullptr;
  if (info[4].IsTypedArray()) {
    auto d = info[4].As<Napi::Uint8Array>();
    if (d.TypedArrayType() != napi_uint8_array || static_cast<int64_t>(d.ElementLength()) < b) {
      throw Napi::RangeError::New(env, "plainBytes: def is a Uint8Array covering the slots");
    }
    def = d.Data();
  }
  if (info[5].IsTypedArray()) {
    auto x = info[5].As<Napi::TypedArray>();
    if (x.TypedArrayType() != napi_int32_array || static_cast<int64_t>(x.ElementLength()) < b) {
      throw Napi::RangeError::New(env, "plainBytes: idx is an Int32Array covering the slots");
    }
    idx = x.As<Napi::Int32Array>().Data();
  }
  if (a < 0 || b < a || at < 0) {
    throw Napi::RangeError::New(env, "plainBytes: slots or position out of range");
  }
  const int32_t* off = offArr.As<Napi::Int32Array>().Data();
  const int64_t offCount = static_cast<int64_t>(offArr.ElementLength());
  const uint8_t* data = dataArr.As<Napi::Uint8Array>().Data();
  const int64_t dataLength = static_cast<int64_t>(dataArr.ByteLength());
  uint8_t* out = dest.Data();
  const int64_t capacity = static_cast<int64_t>(dest.ByteLength());
  int64_t pos = at;
  int64_t minIndex = -1, maxIndex = -1, longIndex = -1;
  const uint8_t *minP = nullptr, *maxP = nullptr;
  int64_t minLen = 0, maxLen = 0;
  auto compare = [](const uint8_t* p, int64_t n, const uint8_t* q, int64_t m) {
    const size_t common = static_cast<size_t>(n < m ? n : m);
    const int c = common == 0 ? 0 : std::memcmp(p, q, common);
    return c != 0 ? c : (n < m ? -1 : n > m ? 1 : 0);
  };
  for (int64_t i = a; i < b; i++) {
    if (def != nullptr && def[i] != maxDef) continue;
    const int64_t j = idx == nullptr ? i : idx[i];
    if (j < 0 || j + 1 >= offCount) throw Napi::RangeError::New(env, "plainBytes: a value index is out of range");
    const int64_t s = off[j], e = off[j + 1];
    if (s < 0 || e < s || e > dataLength) throw Napi::RangeError::New(env, "plainBytes: a value's offsets are out of range");
    const int64_t len = e - s;
    if (pos + 4 + len > capacity) throw Napi::RangeError::New(env, "plainBytes: the values do not fit in dest");
    out[pos] = static_cast<uint8_t>(len);
    out[pos + 1] = static_cast<uint8_t>(len >> 8);
    out[pos + 2] = static_cast<uint8_t>(len >> 16);
    out[pos + 3] = static_cast<uint8_t>(len >> 24);
    if (len > 0) std::memcpy(out + pos + 4, data + s, static_cast<size_t>(len));
    pos += 4 + len;
    if (longIndex >= 0) continue;
    if (len > maxStat) {
      longIndex = j;
      continue;
    }
    const uint8_t* p = data + s;
    if (minIndex < 0 || compare(p, len, minP, minLen) < 0) minIndex = j, minP = p, minLen = len;
    if (maxIndex < 0 || compare(p, len, maxP, maxLen) > 0) maxIndex = j, maxP = p, maxLen = len;
  }
  auto result = Napi::Float64Array::New(env, 4);
  result[0] = static_cast<double>(pos);
  result[1] = static_cast<double>(minIndex);
  result[2] = static_cast<double>(maxIndex);
  result[3] = static_cast<double>(longIndex);
  return result;
}

}  // namespace geopart
