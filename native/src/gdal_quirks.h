// Work-arounds for known faults of GDAL's Arrow streams (seen in 3.6.2):
// - the FlatGeobuf-specific stream, much faster than OGR's generic one, reads `Byte` (int8)
//   columns as unsigned: -1 comes out as 255;
// - OGR's generic stream encodes an OFTDate as trunc((unix seconds + 36200) / 86400), which
//   is one day late for every date before 1970 (so 1969-12-31 and 1970-01-01 both give 0).
#pragma once

#include <gdal.h>
#include <ogr_api.h>

#include <cstdint>
#include <string>

namespace geopart {

// True when the layer is FlatGeobuf and its header declares a Byte column, i.e. when GDAL's
// FlatGeobuf-specific Arrow stream would misread values and OGR's generic one must be used.
bool NeedsGenericFlatGeobufStream(GDALDatasetH ds, OGRLayerH layer, const std::string& path);

// Sets OGR_FLATGEOBUF_STREAM_BASE_IMPL=YES for this thread only while alive (when `enable`).
class GenericFlatGeobufStream {
 public:
  explicit GenericFlatGeobufStream(bool enable);
  ~GenericFlatGeobufStream();
  GenericFlatGeobufStream(const GenericFlatGeobufStream&) = delete;
  GenericFlatGeobufStream& operator=(const GenericFlatGeobufStream&) = delete;

 private:
  bool enabled_;
  bool hadPrevious_ = false;
  std::string previous_;
};

// True when OFTDate columns of this dataset come through OGR's generic stream (every driver
// but those with a native Arrow reader of their own).
bool HasGenericDates(GDALDatasetH ds);

// Undoes the generic stream's rounding of `count` date32 values: a negative value v stands
// for day v - 1. (0 stays 0: 1970-01-01, though 1969-12-31 also arrives as 0.)
void FixGenericDates(int32_t* days, int64_t count);

}  // namespace geopart
