// Reprojection of a WKB column, batch by batch, without a per-row step in JS.
#pragma once

#include <ogr_api.h>
#include <ogr_recordbatch.h>
#include <ogr_srs_api.h>

#include <cstdint>
#include <string>
#include <vector>

namespace geopart {

// A binary (WKB) column rebuilt from transformed geometries; offset 0, same offset width
// as the input column ("z": int32, "Z": int64).
struct WkbColumn {
  int64_t length = 0;
  int64_t nullCount = 0;
  std::vector<uint8_t> validity;  // empty when there are no nulls
  std::vector<int32_t> offsets32;
  std::vector<int64_t> offsets64;
  std::vector<uint8_t> data;
};

// Where and why a transform failed.
struct TransformFailure {
  int64_t row = -1;  // 0-based index of the row in the layer
  std::string reason;
};

// GDAL 3.6 writes a missing geometry of some drivers (FlatGeobuf) as a valid zero-length
// value rather than a null. Returns true and fills `validity` (bits [0, offset + length) of the
// column) and `nullCount` when the column has such values, so they can be exported as nulls.
bool EmptyWkbAsNull(const ArrowArray* column, bool largeOffsets, std::vector<uint8_t>* validity,
                    int64_t* nullCount);

// Transforms WKB geometries from a source to a target SRS with one cached transformation.
// Output is ISO WKB, little-endian; null geometries stay null.
class Reprojector {
 public:
  // Takes no ownership of the SRS handles. Throws std::runtime_error with GDAL's reason when
  // no transformation exists between them.
  Reprojector(OGRSpatialReferenceH source, OGRSpatialReferenceH target);
  ~Reprojector();
  Reprojector(const Reprojector&) = delete;
  Reprojector& operator=(const Reprojector&) = delete;

  // Transforms rows [0, length) of `column` (a child of a struct at offset `parentOffset`).
  // `firstRow` is the layer index of row 0, for error messages. Returns false and fills
  // `failure` when a geometry cannot be parsed or transformed.
  bool Transform(const ArrowArray* column, bool largeOffsets, int64_t parentOffset, int64_t length,
                 int64_t firstRow, WkbColumn* out, TransformFailure* failure) const;

 private:
  OGRCoordinateTransformationH ct_ = nullptr;
};

}  // namespace geopart
