// One OGR layer streamed as Arrow record batches through OGR_L_GetArrowStream.
#pragma once

#include <napi.h>

#include <ogr_recordbatch.h>
#include <ogr_srs_api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataset.h"
#include "datetime_offsets.h"
#include "reproject.h"

namespace geopart {

// JS: new LayerReader(path, { openOptions, drivers, layer, batchSize, batchBytes, targetSrs, columns })
//   .info()  -> { layerName, driver, openOptionList, featureCount, crs, geometryColumn, geometryType,
//                schema }
//   .next()  -> the next batch as an exported struct array, or null at the end
//   .takeWarnings() -> GDAL warnings since the last call
//   .close() -> releases the stream and the dataset (also done by the GC finalizer)
class LayerReader : public Napi::ObjectWrap<LayerReader> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit LayerReader(const Napi::CallbackInfo& info);
  ~LayerReader() override;

 private:
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Next(const Napi::CallbackInfo& info);
  Napi::Value TakeWarnings(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void ApplyColumns(Napi::Env env, const Napi::Value& columns);
  void SetUpReprojection(Napi::Env env, const Napi::Value& targetSrs);
  void OpenStream(Napi::Env env, int64_t batchSize);
  int64_t RowsForBytes(const Napi::Value& batchBytes) const;
  Napi::Object ExportBatch(Napi::Env env, ArrowArray* batch);
  Napi::Object ExportGeometry(Napi::Env env, const ArrowSchema* schema, const ArrowArray* column);
  Napi::Object ExportReprojected(Napi::Env env, const ArrowArray* column, bool large, int64_t parentOffset,
                                 int64_t length);
  void KeepWarnings(std::vector<std::string>& warnings);
  void Release();

  std::string path_;
  std::string layerName_;
  DatasetHandle dataset_;
  OGRLayerH layer_ = nullptr;
  ArrowArrayStream stream_{};
  ArrowSchema schema_{};
  std::unique_ptr<Reprojector> reprojector_;
  std::unique_ptr<DateTimeOffsets> offsets_;  // null unless a date-time column carries offsets
  OGRSpatialReferenceH targetSrs_ = nullptr;
  int geometryIndex_ = -1;  // child of the batch struct holding WKB, or -1
  int64_t featureCount_ = -1;
  int64_t rowsRead_ = 0;
  std::string crsWkt_;
  std::string geometryType_;
  std::vector<std::string> warnings_;
  bool ended_ = false;
  bool genericFgbStream_ = false;  // see gdal_quirks.h
  bool genericDates_ = false;      // see gdal_quirks.h
};

}  // namespace geopart
