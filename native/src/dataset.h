// Opening a GDAL vector dataset and choosing one of its layers, with coded errors.
#pragma once

#include <napi.h>

#include <gdal.h>
#include <ogr_api.h>

#include <string>
#include <vector>

namespace geopart {

// What GDALOpenEx needs: the path, KEY=VALUE open options and allowed driver names.
struct OpenSpec {
  std::string path;
  std::vector<std::string> openOptions;
  std::vector<std::string> drivers;
};

// Reads `path` (a string) and `openOptions` / `drivers` (string arrays) from JS arguments.
OpenSpec ParseOpenSpec(Napi::Env env, const Napi::Value& path, const Napi::Object& options);

// Owns a GDALDatasetH; closes it on destruction.
class DatasetHandle {
 public:
  DatasetHandle() = default;
  explicit DatasetHandle(GDALDatasetH h) : h_(h) {}
  ~DatasetHandle() { Reset(); }
  DatasetHandle(const DatasetHandle&) = delete;
  DatasetHandle& operator=(const DatasetHandle&) = delete;
  DatasetHandle(DatasetHandle&& o) noexcept : h_(o.h_) { o.h_ = nullptr; }
  DatasetHandle& operator=(DatasetHandle&& o) noexcept;
  GDALDatasetH get() const { return h_; }
  void Reset();

 private:
  GDALDatasetH h_ = nullptr;
};

// Opens the dataset read-only as vector data. Throws INPUT_NOT_FOUND, UNKNOWN_FORMAT or
// CORRUPT_INPUT (a recognised file that fails to open, or opens with GDAL errors and no layer).
// GDAL's warnings while opening (an unknown open option, a damaged side file) are appended to
// `warnings` when it is given.
DatasetHandle OpenDataset(Napi::Env env, const OpenSpec& spec, std::vector<std::string>* warnings = nullptr);

// The dataset's driver short name, e.g. "OSM", and its open options as GDAL's
// DMD_OPENOPTIONLIST XML (empty when the driver declares none).
std::string DriverName(GDALDatasetH ds);
std::string DriverOpenOptionList(GDALDatasetH ds);

// probeOpen(path, options) -> { driver, openOptionList, warnings }: opens and closes the
// dataset, for callers that read it otherwise (geopart info) but want GDAL's warnings.
Napi::Value ProbeOpen(const Napi::CallbackInfo& info);

// Picks the layer named (string) or numbered (number) by `which`; null/undefined picks the
// only layer. Throws LAYER_NOT_FOUND naming the available layers.
OGRLayerH SelectLayer(Napi::Env env, GDALDatasetH ds, const std::string& path, const Napi::Value& which);

// listLayers(path, options) -> [{ name, geometryType, featureCount }]
Napi::Value ListLayers(const Napi::CallbackInfo& info);

// The OGR name of a layer's geometry type, e.g. "Multi Polygon" or "None".
std::string GeometryTypeName(OGRLayerH layer);

}  // namespace geopart
