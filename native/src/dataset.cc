#include "dataset.h"

#include <cpl_vsi.h>

#include <cmath>

#include "gdal_error.h"

namespace geopart {
namespace {

std::vector<std::string> StringArray(Napi::Env env, const Napi::Object& options, const char* key) {
  std::vector<std::string> out;
  Napi::Value v = options.Get(key);
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) throw Napi::TypeError::New(env, std::string(key) + " must be an array of strings");
  Napi::Array arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value item = arr.Get(i);
    if (!item.IsString()) throw Napi::TypeError::New(env, std::string(key) + " must be an array of strings");
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return out;
}

// A NULL-terminated char* list view over strings that outlive it.
std::vector<const char*> CStringList(const std::vector<std::string>& items) {
  std::vector<const char*> out;
  out.reserve(items.size() + 1);
  for (const auto& s : items) out.push_back(s.c_str());
  out.push_back(nullptr);
  return out;
}

std::string LayerNames(GDALDatasetH ds) {
  std::string names;
  const int n = GDALDatasetGetLayerCount(ds);
  for (int i = 0; i < n; i++) {
    if (i > 0) names += ", ";
    names += OGR_L_GetName(GDALDatasetGetLayer(ds, i));
  }
  return names;
}

bool Exists(const std::string& path) {
  VSIStatBufL st;
  return VSIStatExL(path.c_str(), &st, VSI_STAT_EXISTS_FLAG) == 0;
}

bool LooksUnrecognised(const std::string& reason) {
  return reason.empty() || reason.find("not recognized as") != std::string::npos ||
         reason.find("not recognised as") != std::string::npos;
}

}  // namespace

OpenSpec ParseOpenSpec(Napi::Env env, const Napi::Value& path, const Napi::Object& options) {
  if (!path.IsString()) throw Napi::TypeError::New(env, "path must be a string");
  OpenSpec spec;
  spec.path = path.As<Napi::String>().Utf8Value();
  spec.openOptions = StringArray(env, options, "openOptions");
  spec.drivers = StringArray(env, options, "drivers");
  return spec;
}

DatasetHandle& DatasetHandle::operator=(DatasetHandle&& o) noexcept {
  if (this != &o) {
    Reset();
    h_ = o.h_;
    o.h_ = nullptr;
  }
  return *this;
}

void DatasetHandle::Reset() {
  if (h_ != nullptr) {
    ErrorCollector quiet;  // errors while closing a read-only dataset are of no use to anyone
    GDALClose(h_);
    h_ = nullptr;
  }
}

DatasetHandle OpenDataset(Napi::Env env, const OpenSpec& spec, std::vector<std::string>* warnings) {
  const ErrorWhere where{spec.path, "", -1};
  const auto drivers = CStringList(spec.drivers);
  const auto openOptions = CStringList(spec.openOptions);
  ErrorCollector errors;
  GDALDatasetH ds = GDALOpenEx(spec.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                               spec.drivers.empty() ? nullptr : drivers.data(),
                               spec.openOptions.empty() ? nullptr : openOptions.data(), nullptr);
  const std::string reason = errors.Reason();
  if (ds == nullptr) {
    if (!Exists(spec.path)) {
      const bool virtualPath = spec.path.compare(0, 5, "/vsi") == 0;
      ThrowCoded(env, "INPUT_NOT_FOUND",
                 "input not found: " + spec.path + GdalSays(reason) +
                     (virtualPath ? ". Check the archive or URL and the path inside it."
                                  : ". Check the path; zipped or remote inputs need a /vsizip/, /vsicurl/ or "
                                    "/vsis3/ prefix."),
                 where);
    }
    if (LooksUnrecognised(reason)) {
      std::string hint = spec.drivers.empty() ? "" : " (allowed drivers: " + [&] {
        std::string s;
        for (const auto& d : spec.drivers) s += (s.empty() ? "" : ", ") + d;
        return s;
      }() + ")";
      ThrowCoded(env, "UNKNOWN_FORMAT",
                 "no GDAL vector driver recognises " + spec.path + hint + GdalSays(reason) +
                     ". Check that it is a vector format GDAL reads, or convert it with ogr2ogr first.",
                 where);
    }
    ThrowCoded(env, "CORRUPT_INPUT",
               "cannot open " + spec.path + ": " + reason +
                   ". The file is recognised but cannot be read; it may be corrupt or truncated.",
               where);
  }
  DatasetHandle handle(ds);
  if (GDALDatasetGetLayerCount(ds) == 0 && errors.HasFailure()) {
    // e.g. FlatGeobuf opens a file whose header fails verification, with no layer in it.
    GDALDriverH driver = GDALGetDatasetDriver(ds);
    ThrowCoded(env, "CORRUPT_INPUT",
               "cannot read " + spec.path + ": " + reason + " (driver " +
                   (driver != nullptr ? GDALGetDriverShortName(driver) : "?") +
                   "). The file looks corrupt or truncated; check it with ogrinfo.",
               where);
  }
  if (warnings != nullptr) {
    for (auto& w : errors.Warnings()) warnings->push_back(std::move(w));
  }
  return handle;
}

OGRLayerH SelectLayer(Napi::Env env, GDALDatasetH ds, const std::string& path, const Napi::Value& which) {
  const int n = GDALDatasetGetLayerCount(ds);
  if (which.IsUndefined() || which.IsNull()) {
    if (n == 1) return GDALDatasetGetLayer(ds, 0);
    if (n == 0) ThrowCoded(env, "LAYER_NOT_FOUND", path + " has no vector layers.", {path, "", -1});
    ThrowCoded(env, "LAYER_NOT_FOUND",
               path + " has " + std::to_string(n) + " layers (" + LayerNames(ds) +
                   "); choose one with the layer option (name or 0-based index).",
               {path, "", -1});
  }
  if (which.IsNumber()) {
    const double index = which.As<Napi::Number>().DoubleValue();
    if (std::floor(index) != index || index < 0 || index >= n) {
      ThrowCoded(env, "LAYER_NOT_FOUND",
                 "layer index " + which.ToString().Utf8Value() + " is out of range for " + path + ", which has " +
                     std::to_string(n) + " layer(s): " + LayerNames(ds) + ".",
                 {path, which.ToString().Utf8Value(), -1});
    }
    return GDALDatasetGetLayer(ds, static_cast<int>(index));
  }
  if (!which.IsString()) throw Napi::TypeError::New(env, "layer must be a string, a number or null");
  const std::string name = which.As<Napi::String>().Utf8Value();
  OGRLayerH layer = nullptr;
  {
    ErrorCollector quiet;  // some drivers complain about unknown names; we say it better
    layer = GDALDatasetGetLayerByName(ds, name.c_str());
  }
  if (layer == nullptr) {
    ThrowCoded(env, "LAYER_NOT_FOUND",
               "layer '" + name + "' not found in " + path + "; available layers: " +
                   (n > 0 ? LayerNames(ds) : std::string("(none)")) + ".",
               {path, name, -1});
  }
  return layer;
}

std::string GeometryTypeName(OGRLayerH layer) {
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
  if (OGR_FD_GetGeomFieldCount(defn) == 0) return OGRGeometryTypeToName(wkbNone);
  return OGRGeometryTypeToName(OGR_GFld_GetType(OGR_FD_GetGeomFieldDefn(defn, 0)));
}

std::string DriverName(GDALDatasetH ds) {
  GDALDriverH driver = GDALGetDatasetDriver(ds);
  return driver != nullptr ? GDALGetDriverShortName(driver) : "";
}

std::string DriverOpenOptionList(GDALDatasetH ds) {
  GDALDriverH driver = GDALGetDatasetDriver(ds);
  const char* list = driver != nullptr ? GDALGetMetadataItem(driver, GDAL_DMD_OPENOPTIONLIST, nullptr) : nullptr;
  return list != nullptr ? list : "";
}

Napi::Value ProbeOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[1].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
  const OpenSpec spec = ParseOpenSpec(env, info[0], info[1].As<Napi::Object>());
  std::vector<std::string> warnings;
  DatasetHandle ds = OpenDataset(env, spec, &warnings);
  Napi::Object out = Napi::Object::New(env);
  out.Set("driver", DriverName(ds.get()));
  out.Set("openOptionList", DriverOpenOptionList(ds.get()));
  Napi::Array list = Napi::Array::New(env, warnings.size());
  for (size_t i = 0; i < warnings.size(); i++) list.Set(static_cast<uint32_t>(i), warnings[i]);
  out.Set("warnings", list);
  return out;
}

Napi::Value ListLayers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[1].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
  const OpenSpec spec = ParseOpenSpec(env, info[0], info[1].As<Napi::Object>());
  DatasetHandle ds = OpenDataset(env, spec);
  const int n = GDALDatasetGetLayerCount(ds.get());
  Napi::Array out = Napi::Array::New(env, n);
  for (int i = 0; i < n; i++) {
    OGRLayerH layer = GDALDatasetGetLayer(ds.get(), i);
    Napi::Object item = Napi::Object::New(env);
    item.Set("name", OGR_L_GetName(layer));
    item.Set("geometryType", GeometryTypeName(layer));
    GIntBig count = -1;
    {
      ErrorCollector quiet;
      count = OGR_L_GetFeatureCount(layer, FALSE);
    }
    item.Set("featureCount", count < 0 ? env.Null() : Napi::Number::New(env, static_cast<double>(count)));
    out.Set(i, item);
  }
  return out;
}

}  // namespace geopart
