// zstdCompress(): libzstd for Parquet page bodies, faster than a WebAssembly build.
#include "zstd_compress.h"

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

}  // namespace geopart
