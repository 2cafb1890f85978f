#include "gdal_quirks.h"

#include <cpl_conv.h>
#include <cpl_vsi.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "gdal_error.h"

namespace geopart {
namespace {

constexpr const char* kOption = "OGR_FLATGEOBUF_STREAM_BASE_IMPL";
constexpr uint32_t kMaxHeader = 64u << 20;
constexpr int kHeaderColumnsField = 7;  // Header.columns in FlatGeobuf's header.fbs
constexpr int kColumnTypeField = 1;     // Column.type; ColumnType::Byte is 0, the default
constexpr uint8_t kByte = 0;

// Bounds-checked reads of a flatbuffer; any out-of-range access makes `ok` false.
struct Buffer {
  const std::vector<uint8_t>& bytes;
  bool ok = true;

  template <typename T>
  T Read(uint64_t at) {
    T v{};
    if (at + sizeof(T) > bytes.size()) {
      ok = false;
      return v;
    }
    std::memcpy(&v, bytes.data() + at, sizeof(T));
    return v;
  }

  // Absolute position of field `index` of the table at `table`, or 0 when absent.
  uint64_t Field(uint64_t table, int index) {
    const uint64_t vtable = table - static_cast<int64_t>(Read<int32_t>(table));
    const uint16_t vtableSize = Read<uint16_t>(vtable);
    const uint64_t slot = 4 + 2 * static_cast<uint64_t>(index);
    if (!ok || slot + 2 > vtableSize) return 0;
    const uint16_t offset = Read<uint16_t>(vtable + slot);
    return offset == 0 ? 0 : table + offset;
  }

  uint64_t Deref(uint64_t at) { return at + Read<uint32_t>(at); }
};

bool HeaderHasByteColumn(const std::string& file) {
  VSILFILE* fp = VSIFOpenL(file.c_str(), "rb");
  if (fp == nullptr) return false;
  uint8_t prefix[12];
  std::vector<uint8_t> header;
  if (VSIFReadL(prefix, 1, sizeof prefix, fp) == sizeof prefix && std::memcmp(prefix, "fgb", 3) == 0) {
    uint32_t size;
    std::memcpy(&size, prefix + 8, sizeof size);
    if (size <= kMaxHeader) {
      header.resize(size);
      if (VSIFReadL(header.data(), 1, size, fp) != size) header.clear();
    }
  }
  VSIFCloseL(fp);
  if (header.empty()) return false;

  Buffer buf{header};
  const uint64_t root = buf.Deref(0);
  const uint64_t columnsField = buf.Field(root, kHeaderColumnsField);
  if (!buf.ok || columnsField == 0) return false;
  const uint64_t vector = buf.Deref(columnsField);
  const uint32_t n = buf.Read<uint32_t>(vector);
  for (uint32_t i = 0; i < n && buf.ok; i++) {
    const uint64_t column = buf.Deref(vector + 4 + 4 * static_cast<uint64_t>(i));
    const uint64_t typeField = buf.Field(column, kColumnTypeField);
    const uint8_t type = typeField == 0 ? kByte : buf.Read<uint8_t>(typeField);
    if (buf.ok && type == kByte) return true;
  }
  return false;
}

}  // namespace

bool NeedsGenericFlatGeobufStream(GDALDatasetH ds, OGRLayerH layer, const std::string& path) {
  GDALDriverH driver = GDALGetDatasetDriver(ds);
  if (driver == nullptr || std::strcmp(GDALGetDriverShortName(driver), "FlatGeobuf") != 0) return false;
  ErrorCollector quiet;
  VSIStatBufL st;
  std::string file = path;
  if (VSIStatL(path.c_str(), &st) == 0 && VSI_ISDIR(st.st_mode)) {
    file = CPLFormFilename(path.c_str(), OGR_L_GetName(layer), "fgb");  // a folder of .fgb layers
  }
  return HeaderHasByteColumn(file);
}

bool HasGenericDates(GDALDatasetH ds) {
  GDALDriverH driver = GDALGetDatasetDriver(ds);
  if (driver == nullptr) return true;
  const char* name = GDALGetDriverShortName(driver);
  return std::strcmp(name, "Parquet") != 0 && std::strcmp(name, "Arrow") != 0;
}

void FixGenericDates(int32_t* days, int64_t count) {
  for (int64_t i = 0; i < count; i++) {
    if (days[i] < 0) days[i] -= 1;
  }
}

GenericFlatGeobufStream::GenericFlatGeobufStream(bool enable) : enabled_(enable) {
  if (!enabled_) return;
  const char* previous = CPLGetThreadLocalConfigOption(kOption, nullptr);
  if (previous != nullptr) {
    hadPrevious_ = true;
    previous_ = previous;
  }
  CPLSetThreadLocalConfigOption(kOption, "YES");
}

GenericFlatGeobufStream::~GenericFlatGeobufStream() {
  if (enabled_) CPLSetThreadLocalConfigOption(kOption, hadPrevious_ ? previous_.c_str() : nullptr);
}

}  // namespace geopart
