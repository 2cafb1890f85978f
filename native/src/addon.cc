// geopart's native addon: bulk reads of GDAL vector layers as Arrow record batches.
// Loaded only by src/io/native.ts. Context-aware (Node-API), so each worker thread loads
// its own instance; no JS value is shared between threads.
#include <napi.h>

#include <gdal.h>

#include <mutex>

#include "dataset.h"
#include "layer_reader.h"
#include "make_valid.h"
#include "reproject_wkb.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static std::once_flag registered;
  std::call_once(registered, [] { GDALAllRegister(); });
  exports.Set("listLayers", Napi::Function::New<geopart::ListLayers>(env, "listLayers"));
  exports.Set("probeOpen", Napi::Function::New<geopart::ProbeOpen>(env, "probeOpen"));
  exports.Set("LayerReader", geopart::LayerReader::Define(env));
  exports.Set("reprojectWkb", Napi::Function::New<geopart::ReprojectWkb>(env, "reprojectWkb"));
  exports.Set("makeValidWkb", Napi::Function::New<geopart::MakeValidWkb>(env, "makeValidWkb"));
  exports.Set("gdalVersion", GDALVersionInfo("RELEASE_NAME"));
  return exports;
}

}  // namespace

NODE_API_MODULE(geopart_native, Init)
