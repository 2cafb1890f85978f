#include "reproject.h"

#include <stdexcept>

#include "gdal_error.h"

namespace geopart {
namespace {

bool IsValid(const uint8_t* validity, int64_t i) {
  return validity == nullptr || (validity[i >> 3] >> (i & 7)) & 1;
}

// Owns an OGRGeometryH.
struct GeometryGuard {
  OGRGeometryH h = nullptr;
  ~GeometryGuard() {
    if (h != nullptr) OGR_G_DestroyGeometry(h);
  }
};

}  // namespace

bool EmptyWkbAsNull(const ArrowArray* column, bool largeOffsets, std::vector<uint8_t>* validity,
                    int64_t* nullCount) {
  const auto* bits = static_cast<const uint8_t*>(column->buffers[0]);
  const auto* offsets32 = static_cast<const int32_t*>(column->buffers[1]);
  const auto* offsets64 = static_cast<const int64_t*>(column->buffers[1]);
  const int64_t end = column->offset + column->length;
  if (offsets32 == nullptr) return false;
  auto size = [&](int64_t j) { return largeOffsets ? offsets64[j + 1] - offsets64[j] : offsets32[j + 1] - offsets32[j]; };
  bool any = false;
  for (int64_t j = column->offset; j < end && !any; j++) any = IsValid(bits, j) && size(j) == 0;
  if (!any) return false;
  validity->assign(static_cast<size_t>((end + 7) / 8), 0);
  *nullCount = 0;
  for (int64_t j = 0; j < end; j++) {
    if (IsValid(bits, j) && size(j) > 0) {
      (*validity)[static_cast<size_t>(j >> 3)] |= static_cast<uint8_t>(1u << (j & 7));
    } else if (j >= column->offset) {
      (*nullCount)++;
    }
  }
  return true;
}

Reprojector::Reprojector(OGRSpatialReferenceH source, OGRSpatialReferenceH target) {
  ErrorCollector errors;
  ct_ = OCTNewCoordinateTransformation(source, target);
  if (ct_ == nullptr) {
    const std::string reason = errors.Reason();
    throw std::runtime_error(reason.empty() ? "no coordinate transformation found" : reason);
  }
}

Reprojector::~Reprojector() {
  if (ct_ != nullptr) OCTDestroyCoordinateTransformation(ct_);
}

bool Reprojector::Transform(const ArrowArray* column, bool largeOffsets, int64_t parentOffset, int64_t length,
                            int64_t firstRow, WkbColumn* out, TransformFailure* failure) const {
  const int64_t base = parentOffset + column->offset;
  const auto* validity = static_cast<const uint8_t*>(column->buffers[0]);
  const auto* offsets32 = static_cast<const int32_t*>(column->buffers[1]);
  const auto* offsets64 = static_cast<const int64_t*>(column->buffers[1]);
  const auto* data = static_cast<const uint8_t*>(column->buffers[2]);

  out->length = length;
  out->nullCount = 0;
  out->validity.assign(static_cast<size_t>((length + 7) / 8), 0);
  out->data.clear();
  if (largeOffsets) {
    out->offsets64.assign(1, 0);
    out->offsets64.reserve(static_cast<size_t>(length + 1));
  } else {
    out->offsets32.assign(1, 0);
    out->offsets32.reserve(static_cast<size_t>(length + 1));
  }

  ErrorCollector errors;
  for (int64_t i = 0; i < length; i++) {
    const int64_t j = base + i;
    const int64_t start = largeOffsets ? offsets64[j] : offsets32[j];
    const int64_t end = largeOffsets ? offsets64[j + 1] : offsets32[j + 1];
    if (IsValid(validity, j) && end > start) {
      out->validity[static_cast<size_t>(i >> 3)] |= static_cast<uint8_t>(1u << (i & 7));
      GeometryGuard geom;
      OGRErr err = OGR_G_CreateFromWkbEx(data + start, nullptr, &geom.h, static_cast<size_t>(end - start));
      if (err != OGRERR_NONE || geom.h == nullptr) {
        *failure = {firstRow + i, "invalid WKB" + GdalSays(errors.Reason())};
        return false;
      }
      if (OGR_G_Transform(geom.h, ct_) != OGRERR_NONE) {
        *failure = {firstRow + i, errors.Reason().empty() ? "transformation failed" : errors.Reason()};
        return false;
      }
      const size_t size = OGR_G_WkbSizeEx(geom.h);
      const size_t at = out->data.size();
      out->data.resize(at + size);
      OGR_G_ExportToIsoWkb(geom.h, wkbNDR, out->data.data() + at);
    } else {
      out->nullCount++;
    }
    const auto size = static_cast<int64_t>(out->data.size());
    if (largeOffsets) {
      out->offsets64.push_back(size);
    } else {
      if (size > INT32_MAX) {
        *failure = {firstRow + i, "reprojected batch exceeds 2 GiB of WKB; use a smaller batchSize"};
        return false;
      }
      out->offsets32.push_back(static_cast<int32_t>(size));
    }
  }
  if (out->nullCount == 0) out->validity.clear();
  return true;
}

}  // namespace geopart
