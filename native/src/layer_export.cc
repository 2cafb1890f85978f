// LayerReader's batch export: GDAL's struct array to the JS description, with the WKB
// column reprojected or cleaned and the generic stream's dates corrected on the way.
#include <cstring>
#include <stdexcept>
#include <vector>

#include "arrow_export.h"
#include "gdal_error.h"
#include "gdal_quirks.h"
#include "layer_reader.h"

namespace geopart {

Napi::Object LayerReader::ExportBatch(Napi::Env env, ArrowArray* batch) {
  if (batch->n_children != schema_.n_children) {
    ThrowCoded(env, "INTERNAL", "GDAL's Arrow batch does not match its schema in " + path_,
               {path_, layerName_, rowsRead_});
  }
  Napi::Array children = Napi::Array::New(env, static_cast<size_t>(batch->n_children));
  if (offsets_ != nullptr) offsets_->Advance(batch->length);
  for (int64_t i = 0; i < batch->n_children; i++) {
    const ArrowSchema* cs = schema_.children[i];
    const std::string name = cs->name != nullptr ? cs->name : "";
    try {
      if (i == geometryIndex_ && reprojector_ != nullptr) {
        const bool large = std::strcmp(cs->format, "Z") == 0;
        children.Set(static_cast<uint32_t>(i),
                     ExportReprojected(env, batch->children[i], large, batch->offset, batch->length));
      } else if (i == geometryIndex_) {
        children.Set(static_cast<uint32_t>(i), ExportGeometry(env, cs, batch->children[i]));
      } else {
        Napi::Object column = ExportArray(env, cs, batch->children[i], name);
        if (genericDates_ && std::strcmp(cs->format, "tdD") == 0) {
          // Copied already, so the fix never touches GDAL's buffers.
          auto days = column.Get("buffers").As<Napi::Array>().Get(1u).As<Napi::ArrayBuffer>();
          const ArrowArray* src = batch->children[i];
          FixGenericDates(static_cast<int32_t*>(days.Data()) + src->offset, src->length);
        }
        if (offsets_ != nullptr && offsets_->IsUtc(i)) {
          auto millis = column.Get("buffers").As<Napi::Array>().Get(1u).As<Napi::ArrayBuffer>();
          const ArrowArray* src = batch->children[i];
          offsets_->ShiftToUtc(i, static_cast<int64_t*>(millis.Data()) + src->offset, src->length);
        }
        children.Set(static_cast<uint32_t>(i), column);
      }
    } catch (const Napi::Error&) {
      throw;
    } catch (const std::exception& e) {
      ThrowCoded(env, "INTERNAL", "cannot export layer '" + layerName_ + "' of " + path_ + ": " + e.what(),
                 {path_, layerName_, rowsRead_});
    }
  }
  Napi::Array buffers = Napi::Array::New(env, 1);
  buffers.Set(0u, env.Null());
  Napi::Object out = Napi::Object::New(env);
  out.Set("length", Napi::Number::New(env, static_cast<double>(batch->length)));
  out.Set("offset", Napi::Number::New(env, static_cast<double>(batch->offset)));
  out.Set("nullCount", Napi::Number::New(env, 0));
  out.Set("buffers", buffers);
  out.Set("children", children);
  out.Set("dictionary", env.Null());
  return out;
}

Napi::Object LayerReader::ExportGeometry(Napi::Env env, const ArrowSchema* schema, const ArrowArray* column) {
  Napi::Object out = ExportArray(env, schema, column, schema->name != nullptr ? schema->name : "");
  std::vector<uint8_t> validity;
  int64_t nullCount = 0;
  if (EmptyWkbAsNull(column, std::strcmp(schema->format, "Z") == 0, &validity, &nullCount)) {
    out.Get("buffers").As<Napi::Array>().Set(0u, CopyToArrayBuffer(env, validity.data(), validity.size()));
    out.Set("nullCount", Napi::Number::New(env, static_cast<double>(nullCount)));
  }
  return out;
}

Napi::Object LayerReader::ExportReprojected(Napi::Env env, const ArrowArray* column, bool large,
                                            int64_t parentOffset, int64_t length) {
  if (parentOffset != 0) {
    // GDAL's batches start at offset 0; the reprojected column is rebuilt from row 0.
    throw std::runtime_error("unexpected non-zero batch offset from GDAL's Arrow stream");
  }
  WkbColumn wkb;
  TransformFailure failure;
  if (!reprojector_->Transform(column, large, parentOffset, length, rowsRead_, &wkb, &failure)) {
    ThrowCoded(env, "CORRUPT_INPUT",
               "cannot reproject the geometry of row " + std::to_string(failure.row) + " of layer '" + layerName_ +
                   "' in " + path_ + ": " + failure.reason,
               {path_, layerName_, failure.row});
  }
  Napi::Array buffers = Napi::Array::New(env, 3);
  buffers.Set(0u, wkb.validity.empty() ? env.Null()
                                       : CopyToArrayBuffer(env, wkb.validity.data(), wkb.validity.size()));
  if (large) {
    buffers.Set(1u, CopyToArrayBuffer(env, wkb.offsets64.data(), wkb.offsets64.size() * sizeof(int64_t)));
  } else {
    buffers.Set(1u, CopyToArrayBuffer(env, wkb.offsets32.data(), wkb.offsets32.size() * sizeof(int32_t)));
  }
  buffers.Set(2u, CopyToArrayBuffer(env, wkb.data.data(), wkb.data.size()));
  Napi::Object out = Napi::Object::New(env);
  out.Set("length", Napi::Number::New(env, static_cast<double>(wkb.length)));
  out.Set("offset", Napi::Number::New(env, 0));
  out.Set("nullCount", Napi::Number::New(env, static_cast<double>(wkb.nullCount)));
  out.Set("buffers", buffers);
  out.Set("children", Napi::Array::New(env, 0));
  out.Set("dictionary", env.Null());
  return out;
}

}  // namespace geopart
