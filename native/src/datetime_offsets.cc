#include "datetime_offsets.h"

#include <cstring>
#include <set>

#include "gdal_error.h"

namespace geopart {

DateTimeOffsets::DateTimeOffsets(Napi::Env env, const OpenSpec& spec, const std::string& layerName,
                                 const ArrowSchema& schema) {
  std::vector<Column> columns;
  dataset_ = OpenDataset(env, spec);
  {
    ErrorCollector quiet;
    layer_ = GDALDatasetGetLayerByName(dataset_.get(), layerName.c_str());
  }
  if (layer_ == nullptr) return;
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer_);
  std::set<std::string> keep;
  for (int64_t i = 0; i < schema.n_children; i++) {
    const ArrowSchema* child = schema.children[i];
    if (child->name == nullptr || std::strcmp(child->format, "tsm:") != 0) continue;
    const int field = OGR_FD_GetFieldIndex(defn, child->name);
    if (field < 0 || OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, field)) != OFTDateTime) continue;
    Column c;
    c.child = i;
    c.field = field;
    columns.push_back(c);
    keep.insert(child->name);
  }
  if (columns.empty()) return;

  // Only the date-time fields are read: no geometry, no style, no other attribute.
  std::vector<std::string> ignored{"OGR_GEOMETRY", "OGR_STYLE"};
  for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
    const char* name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
    if (keep.count(name) == 0) ignored.emplace_back(name);
  }
  std::vector<const char*> list;
  for (const auto& name : ignored) list.push_back(name.c_str());
  list.push_back(nullptr);
  ErrorCollector quiet;  // the main stream reports the layer's problems
  OGR_L_SetIgnoredFields(layer_, list.data());
  OGR_L_ResetReading(layer_);
  for (OGRFeatureH f = OGR_L_GetNextFeature(layer_); f != nullptr; f = OGR_L_GetNextFeature(layer_)) {
    for (auto& c : columns) {
      int minutes = 0;
      bool has = false;
      if (!OffsetOf(f, c.field, &minutes, &has)) continue;
      if (!has) {
        c.withoutOffset = true;
      } else if (!c.withOffset) {
        c.withOffset = true;
        c.firstOffset = minutes;
      } else if (minutes != c.firstOffset) {
        c.varies = true;
      }
    }
    OGR_F_Destroy(f);
  }
  for (auto& c : columns) {
    const std::string name = schema.children[c.child]->name;
    if (c.withOffset && c.withoutOffset) {
      warnings_.push_back("column '" + name + "' mixes date-times with and without a UTC offset; " +
                          "they are kept as wall-clock times and the offsets are lost. Give every value " +
                          "an offset (or none) to keep their instants.");
    } else if (c.withOffset) {
      perRow_ = perRow_ || c.varies;
      utc_.push_back(c);
    }
  }
  if (perRow_) {
    OGR_L_ResetReading(layer_);
  } else {
    dataset_.Reset();  // every shift is a constant: the second handle is no longer needed
    layer_ = nullptr;
  }
}

bool DateTimeOffsets::OffsetOf(OGRFeatureH f, int field, int* minutes, bool* has) {
  if (!OGR_F_IsFieldSetAndNotNull(f, field)) return false;
  int y, mo, d, h, mi, tz;
  float s;
  if (!OGR_F_GetFieldAsDateTimeEx(f, field, &y, &mo, &d, &h, &mi, &s, &tz)) return false;
  // OGR's TZ flag: 0 unknown, 1 local time, 100 UTC, 100 + n for n quarter-hours east of UTC.
  *has = tz >= 2;
  *minutes = *has ? (tz - 100) * 15 : 0;
  return true;
}

bool DateTimeOffsets::IsUtc(int64_t index) const {
  for (const auto& c : utc_) {
    if (c.child == index) return true;
  }
  return false;
}

void DateTimeOffsets::Advance(int64_t length) {
  if (!perRow_) return;
  for (auto& c : utc_) c.rowOffsets.assign(static_cast<size_t>(length), c.firstOffset);
  ErrorCollector quiet;
  for (int64_t row = 0; row < length; row++) {
    OGRFeatureH f = OGR_L_GetNextFeature(layer_);
    if (f == nullptr) break;
    for (auto& c : utc_) {
      int minutes = 0;
      bool has = false;
      if (c.varies && OffsetOf(f, c.field, &minutes, &has) && has) c.rowOffsets[row] = minutes;
    }
    OGR_F_Destroy(f);
  }
}

void DateTimeOffsets::ShiftToUtc(int64_t index, int64_t* millis, int64_t length) const {
  for (const auto& c : utc_) {
    if (c.child != index) continue;
    for (int64_t i = 0; i < length; i++) {
      const int minutes = c.varies ? c.rowOffsets[i] : c.firstOffset;
      millis[i] -= static_cast<int64_t>(minutes) * 60000;
    }
    return;
  }
}

}  // namespace geopart
