// reprojectWkb(): reprojects a WKB column held in JS buffers, for inputs that are not read
// through OGR (GeoParquet files with a CRS other than lon/lat).
#include "reproject_wkb.h"

#include <ogr_srs_api.h>

#include <cstring>

#include "gdal_error.h"
#include "reproject.h"

namespace geopart {
namespace {

struct Srs {
  OGRSpatialReferenceH h = OSRNewSpatialReference(nullptr);
  ~Srs() { OSRDestroySpatialReference(h); }
};

void Parse(Napi::Env env, Srs* srs, const std::string& text, const char* what) {
  ErrorCollector errors;
  if (OSRSetFromUserInput(srs->h, text.c_str()) != OGRERR_NONE) {
    throw Napi::RangeError::New(env, std::string(what) + ": GDAL cannot parse the CRS" + GdalSays(errors.Reason()));
  }
  OSRSetAxisMappingStrategy(srs->h, OAMS_TRADITIONAL_GIS_ORDER);
}

template <typename T>
Napi::TypedArrayOf<T> Copy(Napi::Env env, const std::vector<T>& v) {
  auto out = Napi::TypedArrayOf<T>::New(env, v.size());
  if (!v.empty()) std::memcpy(out.Data(), v.data(), v.size() * sizeof(T));
  return out;
}

}  // namespace

// reprojectWkb(offsets: Int32Array, data: Uint8Array, validity: Uint8Array | null,
//              sourceCrs: string, targetCrs: string) -> { offsets, data, validity }
// Row i is data[offsets[i] .. offsets[i + 1]); output is little-endian ISO WKB in x = lon order.
Napi::Value ReprojectWkb(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[3].IsString() ||
      !info[4].IsString()) {
    throw Napi::TypeError::New(env, "reprojectWkb(offsets, data, validity, sourceCrs, targetCrs)");
  }
  auto offsets = info[0].As<Napi::Int32Array>();
  auto data = info[1].As<Napi::Uint8Array>();
  const uint8_t* validity = info[2].IsTypedArray() ? info[2].As<Napi::Uint8Array>().Data() : nullptr;
  const int64_t length = static_cast<int64_t>(offsets.ElementLength()) - 1;
  if (length < 0) throw Napi::RangeError::New(env, "offsets must have length + 1 entries");

  Srs source;
  Srs target;
  Parse(env, &source, info[3].As<Napi::String>().Utf8Value(), "sourceCrs");
  Parse(env, &target, info[4].As<Napi::String>().Utf8Value(), "targetCrs");

  const void* buffers[3] = {validity, offsets.Data(), data.Data()};
  ArrowArray column{};
  column.length = length;
  column.null_count = -1;
  column.offset = 0;
  column.n_buffers = 3;
  column.buffers = buffers;

  WkbColumn out;
  TransformFailure failure;
  try {
    Reprojector reprojector(source.h, target.h);
    if (!reprojector.Transform(&column, false, 0, length, 0, &out, &failure)) {
      ThrowCoded(env, "CORRUPT_INPUT", "cannot reproject the geometry of row " + std::to_string(failure.row) + ": " + failure.reason,
                 {"", "", failure.row});
    }
  } catch (const std::runtime_error& e) {
    ThrowCoded(env, "CORRUPT_INPUT", std::string("no transformation to the target CRS: ") + e.what(), {"", "", -1});
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("offsets", Copy(env, out.offsets32));
  result.Set("data", Copy(env, out.data));
  result.Set("validity", out.validity.empty() ? env.Null() : Napi::Value(Copy(env, out.validity)));
  return result;
}

}  // namespace geopart
