// zstdCompress() and lz4RawCompress(): libzstd and liblz4 for Parquet page bodies, faster than
// WebAssembly builds.
#include "zstd_compress.h"

#include <lz4.h>
#include <zstd.h>

#include <cstring>
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
  thread_local ZSTD_CCtx* ctx = ZSTD_createCCtx();
  thread_local std::vector<uint8_t> scratch;
  const size_t bound = ZSTD_compressBound(in.ByteLength());
  if (scratch.size() < bound) scratch.resize(bound);
  const size_t n = ZSTD_compressCCtx(ctx, scratch.data(), bound, in.Data(), in.ByteLength(), level);
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
