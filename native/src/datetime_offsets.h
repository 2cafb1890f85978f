// UTC offsets of date-time fields, which GDAL 3.6's generic Arrow stream drops: it writes a
// value such as 2024-05-01T12:00:00+02:00 as the wall-clock 12:00 with no zone. OGR still
// knows each value's offset (its TZ flag), so a second handle on the same layer reads them.
#pragma once

#include <gdal.h>
#include <napi.h>
#include <ogr_api.h>
#include <ogr_recordbatch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dataset.h"

namespace geopart {

// What the layer's date-time columns need, found by one pass over their values:
// - a column whose every value carries an offset becomes UTC (each value minus its offset);
// - a column that mixes values with and without an offset stays wall-clock, with a warning;
// - any other column is left as GDAL streams it.
class DateTimeOffsets {
 public:
  // Scans `layerName` of a second handle opened like the first. Columns are the stream's
  // top-level children with a zone-less millisecond timestamp format ("tsm:").
  DateTimeOffsets(Napi::Env env, const OpenSpec& spec, const std::string& layerName, const ArrowSchema& schema);
  DateTimeOffsets(const DateTimeOffsets&) = delete;
  DateTimeOffsets& operator=(const DateTimeOffsets&) = delete;

  // True when some column is converted to UTC.
  bool Active() const { return !utc_.empty(); }
  // True when child `index` of the stream is written as UTC.
  bool IsUtc(int64_t index) const;
  // One warning per column that mixes values with and without an offset.
  const std::vector<std::string>& Warnings() const { return warnings_; }

  // Reads the offsets of the next `length` rows in stream order, for ShiftToUtc.
  void Advance(int64_t length);
  // Turns child `index`'s wall-clock milliseconds (`length` values) into UTC instants.
  void ShiftToUtc(int64_t index, int64_t* millis, int64_t length) const;

 private:
  struct Column {
    int64_t child;    // index in the stream's struct
    int field;        // OGR field index
    bool withOffset = false;
    bool withoutOffset = false;
    int firstOffset = 0;  // minutes east of UTC
    bool varies = false;
    std::vector<int32_t> rowOffsets;  // minutes, per row of the current batch (varies only)
  };

  static bool OffsetOf(OGRFeatureH f, int field, int* minutes, bool* has);

  DatasetHandle dataset_;
  OGRLayerH layer_ = nullptr;
  std::vector<Column> utc_;
  std::vector<std::string> warnings_;
  bool perRow_ = false;
};

}  // namespace geopart
