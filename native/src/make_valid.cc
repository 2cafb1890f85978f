// makeValidWkb(): whether a WKB geometry is valid (OGR_G_IsValid, GEOS's isValid) and, when it
// is not, the geometry made valid by OGR_G_MakeValid (GEOS MakeValid, its default "linework"
// method, as `ogr2ogr -makevalid` and PostGIS's ST_MakeValid), as little-endian ISO WKB.
#include "make_valid.h"

#include <ogr_api.h>

#include <cstring>
#include <vector>

#include "gdal_error.h"

namespace geopart {
namespace {

struct Geom {
  OGRGeometryH h = nullptr;
  ~Geom() {
    if (h != nullptr) OGR_G_DestroyGeometry(h);
  }
};

}  // namespace

// makeValidWkb(wkb: Uint8Array) -> { valid: true } | { valid: false, wkb: Uint8Array | null }
// `wkb` is null when GEOS could not repair the geometry (the caller keeps it as it is).
Napi::Value MakeValidWkb(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, "makeValidWkb(wkb: Uint8Array)");
  auto in = info[0].As<Napi::Uint8Array>();
  // GEOS reports what it finds through GDAL's errors: keep them off the shared handler.
  ErrorCollector errors;
  Geom g;
  if (OGR_G_CreateFromWkbEx(in.Data(), nullptr, &g.h, in.ByteLength()) != OGRERR_NONE ||
      g.h == nullptr) {
    throw Napi::RangeError::New(env, "makeValidWkb: not a WKB geometry" + GdalSays(errors.Reason()));
  }
  Napi::Object result = Napi::Object::New(env);
  if (OGR_G_IsValid(g.h)) {
    result.Set("valid", true);
    return result;
  }
  result.Set("valid", false);
  Geom fixed;
  fixed.h = OGR_G_MakeValid(g.h);
  if (fixed.h == nullptr) {
    result.Set("wkb", env.Null());
    return result;
  }
  const size_t size = OGR_G_WkbSizeEx(fixed.h);
  std::vector<unsigned char> buf(size);
  if (OGR_G_ExportToIsoWkb(fixed.h, wkbNDR, buf.data()) != OGRERR_NONE) {
    result.Set("wkb", env.Null());
    return result;
  }
  auto out = Napi::Uint8Array::New(env, size);
  if (size > 0) std::memcpy(out.Data(), buf.data(), size);
  result.Set("wkb", out);
  return result;
}

}  // namespace geopart
