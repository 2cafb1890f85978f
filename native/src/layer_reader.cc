#include "layer_reader.h"

#include <cpl_string.h>
#include <cpl_vsi.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "arrow_export.h"
#include "gdal_error.h"
#include "gdal_quirks.h"

namespace geopart {
namespace {

constexpr int64_t kDefaultBatchSize = 65536;
constexpr int64_t kMaxBatchSize = 1000000;

// Owns an OGRSpatialReferenceH.
struct SrsHandle {
  OGRSpatialReferenceH h;
  explicit SrsHandle(OGRSpatialReferenceH handle) : h(handle) {}
  ~SrsHandle() {
    if (h != nullptr) OSRRelease(h);
  }
  SrsHandle(const SrsHandle&) = delete;
  SrsHandle& operator=(const SrsHandle&) = delete;
};

std::string ToWkt2(OGRSpatialReferenceH srs) {
  char* wkt = nullptr;
  const char* const options[] = {"FORMAT=WKT2_2019", "MULTILINE=NO", nullptr};
  ErrorCollector quiet;
  std::string out;
  if (OSRExportToWktEx(srs, &wkt, options) == OGRERR_NONE && wkt != nullptr) out = wkt;
  CPLFree(wkt);
  return out;
}

std::string FieldNames(OGRFeatureDefnH defn) {
  std::string names;
  for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
    if (i > 0) names += ", ";
    names += OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
  }
  return names.empty() ? "(none)" : names;
}

bool IsWkbExtension(const ArrowSchema* s) {
  const std::string ext = MetadataValue(s->metadata, "ARROW:extension:name");
  return ext == "ogc.wkb" || ext == "geoarrow.wkb";
}

}  // namespace

Napi::Function LayerReader::Define(Napi::Env env) {
  return DefineClass(env, "LayerReader",
                     {
                         InstanceMethod<&LayerReader::Info>("info"),
                         InstanceMethod<&LayerReader::Next>("next"),
                         InstanceMethod<&LayerReader::TakeWarnings>("takeWarnings"),
                         InstanceMethod<&LayerReader::Close>("close"),
                     });
}

LayerReader::LayerReader(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LayerReader>(info) {
  Napi::Env env = info.Env();
  if (!info[1].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
  Napi::Object options = info[1].As<Napi::Object>();
  const OpenSpec spec = ParseOpenSpec(env, info[0], options);
  path_ = spec.path;

  int64_t batchSize = kDefaultBatchSize;
  Napi::Value bs = options.Get("batchSize");
  if (bs.IsNumber()) {
    batchSize = std::clamp<int64_t>(bs.As<Napi::Number>().Int64Value(), 1, kMaxBatchSize);
  } else if (!bs.IsUndefined() && !bs.IsNull()) {
    throw Napi::TypeError::New(env, "batchSize must be a number (rows)");
  }

  dataset_ = OpenDataset(env, spec, &warnings_);
  layer_ = SelectLayer(env, dataset_.get(), path_, options.Get("layer"));
  layerName_ = OGR_L_GetName(layer_);
  geometryType_ = GeometryTypeName(layer_);
  {
    ErrorCollector quiet;
    featureCount_ = OGR_L_GetFeatureCount(layer_, FALSE);
  }
  batchSize = std::min(batchSize, RowsForBytes(options.Get("batchBytes")));
  ApplyColumns(env, options.Get("columns"));
  SetUpReprojection(env, options.Get("targetSrs"));
  OpenStream(env, batchSize);
  if (genericDates_) {
    auto offsets = std::make_unique<DateTimeOffsets>(env, spec, layerName_, schema_);
    for (const auto& w : offsets->Warnings()) warnings_.push_back(w);
    if (offsets->Active()) offsets_ = std::move(offsets);
  }
}

LayerReader::~LayerReader() { Release(); }

// Rows that make about `batchBytes` bytes of the file, judged from its size over the layer's
// feature count (both only when cheap to know); kMaxBatchSize otherwise. Files of a few large
// features then come in several batches, which the pool can work on while the rest is read.
int64_t LayerReader::RowsForBytes(const Napi::Value& batchBytes) const {
  if (!batchBytes.IsNumber() || featureCount_ <= 0) return kMaxBatchSize;
  const double bytes = batchBytes.As<Napi::Number>().DoubleValue();
  VSIStatBufL stat;
  if (!(bytes > 0) || VSIStatL(path_.c_str(), &stat) != 0 || stat.st_size <= 0) return kMaxBatchSize;
  const double perRow = static_cast<double>(stat.st_size) / static_cast<double>(featureCount_);
  return static_cast<int64_t>(std::clamp(bytes / perRow, 1.0, static_cast<double>(kMaxBatchSize)));
}

void LayerReader::ApplyColumns(Napi::Env env, const Napi::Value& columns) {
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer_);
  std::vector<std::string> ignored;
  // Batches carry one geometry column; further geometry fields are not read.
  for (int i = 1; i < OGR_FD_GetGeomFieldCount(defn); i++) {
    const char* name = OGR_GFld_GetNameRef(OGR_FD_GetGeomFieldDefn(defn, i));
    if (name != nullptr && name[0] != '\0') ignored.emplace_back(name);
  }
  if (!columns.IsUndefined() && !columns.IsNull()) {
    if (!columns.IsArray()) throw Napi::TypeError::New(env, "columns must be an array of strings");
    Napi::Array arr = columns.As<Napi::Array>();
    std::set<std::string> keep;
    for (uint32_t i = 0; i < arr.Length(); i++) {
      Napi::Value v = arr.Get(i);
      if (!v.IsString()) throw Napi::TypeError::New(env, "columns must be an array of strings");
      const std::string name = v.As<Napi::String>().Utf8Value();
      if (OGR_FD_GetFieldIndex(defn, name.c_str()) < 0) {
        ThrowCoded(env, "INVALID_CONFIG",
                   "column '" + name + "' is not in layer '" + layerName_ + "' of " + path_ +
                       "; its columns are: " + FieldNames(defn) + ".",
                   {path_, layerName_, -1});
      }
      keep.insert(name);
    }
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
      const char* name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
      if (keep.count(name) == 0) ignored.emplace_back(name);
    }
  }
  if (ignored.empty()) return;
  std::vector<const char*> list;
  for (const auto& name : ignored) list.push_back(name.c_str());
  list.push_back(nullptr);
  ErrorCollector errors;
  if (OGR_L_SetIgnoredFields(layer_, list.data()) != OGRERR_NONE) {
    ThrowCoded(env, "INTERNAL",
               "cannot select columns of layer '" + layerName_ + "' in " + path_ + GdalSays(errors.Reason()),
               {path_, layerName_, -1});
  }
}

void LayerReader::SetUpReprojection(Napi::Env env, const Napi::Value& targetSrs) {
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer_);
  OGRSpatialReferenceH source = nullptr;
  if (OGR_FD_GetGeomFieldCount(defn) > 0) source = OGR_GFld_GetSpatialRef(OGR_FD_GetGeomFieldDefn(defn, 0));
  if (source != nullptr) crsWkt_ = ToWkt2(source);
  if (targetSrs.IsUndefined() || targetSrs.IsNull()) return;
  if (!targetSrs.IsString()) throw Napi::TypeError::New(env, "targetSrs must be a string such as 'EPSG:4326'");
  const std::string wanted = targetSrs.As<Napi::String>().Utf8Value();

  SrsHandle target(OSRNewSpatialReference(nullptr));
  {
    ErrorCollector errors;
    if (OSRSetFromUserInput(target.h, wanted.c_str()) != OGRERR_NONE) {
      throw Napi::RangeError::New(env, "targetSrs: GDAL cannot parse '" + wanted + "'" + GdalSays(errors.Reason()) +
                                           "; give e.g. 'EPSG:4326', a WKT or a PROJ string.");
    }
  }
  // Output is longitude/latitude (x/y) whatever the CRS's official axis order.
  OSRSetAxisMappingStrategy(target.h, OAMS_TRADITIONAL_GIS_ORDER);
  if (source == nullptr) return;  // no CRS: the caller decides what that means
  const char* const sameOptions[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=NO", nullptr};
  if (OSRIsSameEx(source, target.h, sameOptions)) return;
  try {
    reprojector_ = std::make_unique<Reprojector>(source, target.h);
  } catch (const std::exception& e) {
    ThrowCoded(env, "CORRUPT_INPUT",
               "cannot reproject layer '" + layerName_ + "' of " + path_ + " to " + wanted + ": " + e.what() +
                   ". Check the layer's CRS with ogrinfo.",
               {path_, layerName_, -1});
  }
}

void LayerReader::OpenStream(Napi::Env env, int64_t batchSize) {
  const std::string maxFeatures = "MAX_FEATURES_IN_BATCH=" + std::to_string(batchSize);
  const char* options[] = {"INCLUDE_FID=NO", maxFeatures.c_str(), nullptr};
  genericFgbStream_ = NeedsGenericFlatGeobufStream(dataset_.get(), layer_, path_);
  genericDates_ = HasGenericDates(dataset_.get());
  GenericFlatGeobufStream generic(genericFgbStream_);
  ErrorCollector errors;
  if (!OGR_L_GetArrowStream(layer_, &stream_, const_cast<char**>(options))) {
    stream_ = {};
    ThrowCoded(env, "CORRUPT_INPUT",
               "cannot stream layer '" + layerName_ + "' of " + path_ + GdalSays(errors.Reason()),
               {path_, layerName_, -1});
  }
  if (stream_.get_schema(&stream_, &schema_) != 0) {
    const char* last = stream_.get_last_error(&stream_);
    const std::string reason = last != nullptr ? last : errors.Reason();
    stream_.release(&stream_);
    stream_ = {};
    ThrowCoded(env, "CORRUPT_INPUT",
               "cannot read the schema of layer '" + layerName_ + "' in " + path_ + GdalSays(reason),
               {path_, layerName_, -1});
  }
  KeepWarnings(errors.Warnings());

  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer_);
  if (OGR_FD_GetGeomFieldCount(defn) == 0) return;
  const char* geomName = OGR_GFld_GetNameRef(OGR_FD_GetGeomFieldDefn(defn, 0));
  for (int64_t i = 0; i < schema_.n_children && geometryIndex_ < 0; i++) {
    if (IsWkbExtension(schema_.children[i])) geometryIndex_ = static_cast<int>(i);
  }
  for (int64_t i = 0; i < schema_.n_children && geometryIndex_ < 0; i++) {
    const ArrowSchema* child = schema_.children[i];
    const bool binary = std::strcmp(child->format, "z") == 0 || std::strcmp(child->format, "Z") == 0;
    if (binary && geomName != nullptr && child->name != nullptr && std::strcmp(child->name, geomName) == 0) {
      geometryIndex_ = static_cast<int>(i);
    }
  }
}

Napi::Value LayerReader::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (layer_ == nullptr) throw Napi::Error::New(env, "LayerReader for " + path_ + " is closed");
  Napi::Object out = Napi::Object::New(env);
  out.Set("layerName", layerName_);
  out.Set("driver", DriverName(dataset_.get()));
  out.Set("openOptionList", DriverOpenOptionList(dataset_.get()));
  out.Set("featureCount",
          featureCount_ < 0 ? env.Null() : Napi::Number::New(env, static_cast<double>(featureCount_)));
  out.Set("crs", crsWkt_.empty() ? env.Null() : Napi::String::New(env, crsWkt_));
  out.Set("geometryColumn", geometryIndex_ < 0 ? env.Null()
                                               : Napi::String::New(env, schema_.children[geometryIndex_]->name));
  out.Set("geometryType", geometryType_);
  out.Set("reprojected", Napi::Boolean::New(env, reprojector_ != nullptr && geometryIndex_ >= 0));
  Napi::Object schema = ExportSchema(env, &schema_);
  if (offsets_ != nullptr) {
    Napi::Array children = schema.Get("children").As<Napi::Array>();
    for (int64_t i = 0; i < schema_.n_children; i++) {
      if (offsets_->IsUtc(i)) children.Get(static_cast<uint32_t>(i)).As<Napi::Object>().Set("format", "tsm:UTC");
    }
  }
  out.Set("schema", schema);
  return out;
}

Napi::Value LayerReader::Next(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (layer_ == nullptr) {
    throw Napi::Error::New(env, "LayerReader for layer '" + layerName_ + "' of " + path_ +
                                    " is closed; open a new reader to read it again");
  }
  if (ended_) return env.Null();
  ArrowArray batch{};
  GenericFlatGeobufStream generic(genericFgbStream_);
  ErrorCollector errors;
  const int rc = stream_.get_next(&stream_, &batch);
  ArrayGuard guard(&batch);
  KeepWarnings(errors.Warnings());
  if (rc != 0 || errors.HasFailure()) {
    // A driver that hits a bad record logs a CE_Failure and may simply stop: treat it as
    // an error rather than silently losing the rest of the layer.
    const char* last = rc != 0 ? stream_.get_last_error(&stream_) : nullptr;
    std::string reason = last != nullptr ? last : errors.Reason();
    if (reason.empty()) reason = std::strerror(rc);
    ThrowCoded(env, "CORRUPT_INPUT",
               "reading layer '" + layerName_ + "' of " + path_ + " failed after " + std::to_string(rowsRead_) +
                   " rows: " + reason,
               {path_, layerName_, rowsRead_});
  }
  // GDAL 3.6 answers an empty layer with zero-length batches forever, never with the
  // released array that ends a stream; no batch is empty before the end, so either ends it.
  if (batch.release == nullptr || batch.length == 0) {
    ended_ = true;
    return env.Null();
  }
  Napi::Object out = ExportBatch(env, &batch);
  rowsRead_ += batch.length;
  return out;
}

void LayerReader::KeepWarnings(std::vector<std::string>& warnings) {
  for (auto& w : warnings) {
    if (warnings_.size() < 100) warnings_.push_back(std::move(w));
  }
  warnings.clear();
}

Napi::Value LayerReader::TakeWarnings(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, warnings_.size());
  for (size_t i = 0; i < warnings_.size(); i++) out.Set(static_cast<uint32_t>(i), warnings_[i]);
  warnings_.clear();
  return out;
}

Napi::Value LayerReader::Close(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

void LayerReader::Release() {
  // The stream reads through the layer, so it goes before the dataset.
  if (stream_.release != nullptr) stream_.release(&stream_);
  stream_ = {};
  if (schema_.release != nullptr) schema_.release(&schema_);
  schema_ = {};
  reprojector_.reset();
  layer_ = nullptr;
  dataset_.Reset();
}

}  // namespace geopart
