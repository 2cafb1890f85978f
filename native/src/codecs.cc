// geopart's codec addon: zstdCompress() and lz4RawCompress() (libzstd and liblz4) and the
// dictionary of a string column (dictionary.cc) for the writer's Parquet pages, and for the reader the page decoder (pages.cc: zstd, LZ4_RAW, gzip
// through zlib, snappy), the box filters (box_mask.cc) and the row gathers (take.cc). It links neither GDAL nor anything
// else, so a reader loads it in a millisecond. Loaded only by src/io/codecs.ts.
#include "codecs.h"

#include <lz4.h>
#include <zstd.h>

#include <cstring>
#include <memory>
#include <vector>

namespace geopart {

// zstdCompress(data: Uint8Array, level: number) -> Uint8Array (a zstd frame)
Napi::Value ZstdCompress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "zstdCompress(data: Uint8Array, level: number)");
  }
  auto in = info[0].As<Napi::Uint8Array>();
  const int level = info[1].As<Napi::Number>().Int32Value();
  // One context and one scratch buffer per thread: pages are compressed one after another.
  // Freed when the thread ends (a worker thread of a pool).
  thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> ctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  thread_local std::vector<uint8_t> scratch;
  const size_t bound = ZSTD_compressBound(in.ByteLength());
  if (scratch.size() < bound) scratch.resize(bound);
  const size_t n = ZSTD_compressCCtx(ctx.get(), scratch.data(), bound, in.Data(), in.ByteLength(), level);
  if (ZSTD_isError(n)) throw Napi::Error::New(env, std::string("zstd: ") + ZSTD_getErrorName(n));
  auto out = Napi::Uint8Array::New(env, n);
  std::memcpy(out.Data(), scratch.data(), n);
  return out;
}

// lz4RawCompress(data: Uint8Array) -> Uint8Array (one LZ4 block, no frame: Parquet's LZ4_RAW)
Napi::Value Lz4RawCompress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) {
    throw Napi::TypeError::New(env, "lz4RawCompress(data: Uint8Array)");
  }
  auto in = info[0].As<Napi::Uint8Array>();
  if (in.ByteLength() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    throw Napi::RangeError::New(env, "lz4: page larger than LZ4_MAX_INPUT_SIZE");
  }
  const int size = static_cast<int>(in.ByteLength());
  thread_local std::vector<char> scratch;
  const int bound = LZ4_compressBound(size);
  if (scratch.size() < static_cast<size_t>(bound)) scratch.resize(bound);
  const int n = LZ4_compress_default(reinterpret_cast<const char*>(in.Data()), scratch.data(), size, bound);
  if (n <= 0) throw Napi::Error::New(env, "lz4: compression failed");
  auto out = Napi::Uint8Array::New(env, n);
  std::memcpy(out.Data(), scratch.data(), n);
  return out;
}

}  // namespace geopart

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("zstdCompress", Napi::Function::New<geopart::ZstdCompress>(env, "zstdCompress"));
  exports.Set("lz4RawCompress", Napi::Function::New<geopart::Lz4RawCompress>(env, "lz4RawCompress"));
  exports.Set("boxMask", Napi::Function::New<geopart::BoxMask>(env, "boxMask"));
  exports.Set("takeFixed", Napi::Function::New<geopart::TakeFixed>(env, "takeFixed"));
  exports.Set("takeBits", Napi::Function::New<geopart::TakeBits>(env, "takeBits"));
  exports.Set("takeBinary", Napi::Function::New<geopart::TakeBinary>(env, "takeBinary"));
  exports.Set("dictionaryIds", Napi::Function::New<geopart::DictionaryIds>(env, "dictionaryIds"));
  exports.Set("plainBytes", Napi::Function::New<geopart::PlainBytes>(env, "plainBytes"));
  exports.Set("coveringMask", Napi::Function::New<geopart::CoveringMask>(env, "coveringMask"));
  exports.Set("presentBits", Napi::Function::New<geopart::PresentBits>(env, "presentBits"));
  exports.Set("decodeColumnChunks", Napi::Function::New<geopart::DecodeColumnChunks>(env, "decodeColumnChunks"));
  return exports;
}

}  // namespace

NODE_API_MODULE(geopart_codecs, Init)
