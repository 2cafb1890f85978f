// decodeColumnChunks(): the pages of Parquet column chunks decoded into Arrow buffers, in
// native code, for the table reader (src/read/row-group-decoder.ts): flat leaves (no
// repetition levels), PLAIN or dictionary-encoded values, data pages v1 and v2, uncompressed or
// in zstd, LZ4_RAW, gzip or snappy. For anything else (DELTA or BYTE_STREAM_SPLIT encodings,
// other codecs) it returns null and the reader falls back to parquet-wasm; bytes that do not
// decode throw an Error. Also coveringMask() (the bbox filter in the pages) and presentBits().
#include "codecs.h"

#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace geopart {
namespace {

// Parquet's enums, as numbers in the page headers and the footer.
enum Physical { BOOLEAN = 0, INT32 = 1, INT64 = 2, FLOAT = 4, DOUBLE = 5, BYTE_ARRAY = 6 };
enum Codec { UNCOMPRESSED = 0, SNAPPY = 1, GZIP = 2, ZSTD = 6, LZ4_RAW = 7 };
enum PageType { DATA_PAGE = 0, INDEX_PAGE = 1, DICTIONARY_PAGE = 2, DATA_PAGE_V2 = 3 };
enum Encoding { PLAIN = 0, PLAIN_DICTIONARY = 2, RLE = 3, RLE_DICTIONARY = 8 };

// Bytes that are not a column chunk of this shape: thrown as a JS Error.
struct Corrupt {
  std::string what;
};
// A chunk this decoder does not read (an encoding, codec or page type): null to the caller.
struct Unsupported {};

// The fields of a page header the decoder needs (thrift compact protocol).
struct PageHeader {
  int64_t type = -1, uncompressed = -1, compressed = -1;
  int64_t num_values = -1, encoding = -1, def_encoding = -1;  // data page v1, or dictionary page
  int64_t def_length = -1, rep_length = -1;                   // data page v2
  bool v2_compressed = true;
};

class Thrift {
 public:
  Thrift(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  size_t pos() const { return pos_; }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t b = byte();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
    throw Corrupt{"page header varint too long"};
  }
  int64_t zigzag() {
    const uint64_t v = varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }

  // Calls field(id, type) for each field of a struct; field() reads or skips the value.
  template <typename F>
  void fields(F&& field, int depth = 0) {
    if (depth > 32) throw Corrupt{"page header nested too deep"};
    int16_t last = 0;
    for (;;) {
      const uint8_t h = byte();
      if (h == 0) return;
      const int type = h & 0x0f;
      const int delta = h >> 4;
      const int16_t id = delta != 0 ? static_cast<int16_t>(last + delta) : static_cast<int16_t>(zigzag());
      last = id;
      field(id, type);
    }
  }

  void skip(int type, int depth = 0) {
    if (depth > 32) throw Corrupt{"page header nested too deep"};
    switch (type) {
      case 1:
      case 2:
        return;  // booleans live in the field header
      case 3:
        byte();
        return;
      case 4:
      case 5:
      case 6:
        varint();
        return;
      case 7:
        advance(8);
        return;
      case 8:
        advance(varint());
        return;
      case 9:
      case 10: {
        const uint8_t h = byte();
        uint64_t n = h >> 4;
        if (n == 15) n = varint();
        // Every element takes a byte at least (a boolean element is one byte in a list).
        if (n > n_ - pos_) throw Corrupt{"page header list runs past its column chunk"};
        for (uint64_t i = 0; i < n; i++) element(h & 0x0f, depth + 1);
        return;
      }
      case 11: {
        const uint64_t n = varint();
        if (n == 0) return;
        const uint8_t kv = byte();
        if (n > n_ - pos_) throw Corrupt{"page header map runs past its column chunk"};
        for (uint64_t i = 0; i < n; i++) {
          element(kv >> 4, depth + 1);
          element(kv & 0x0f, depth + 1);
        }
        return;
      }
      case 12:
        fields([&](int16_t, int t) { skip(t, depth + 1); }, depth + 1);
        return;
      default:
        throw Corrupt{"page header has an unknown thrift type"};
    }
  }

  // An element of a list, set or map: as a field's value, except that a boolean is a byte.
  void element(int type, int depth) {
    if (type == 1 || type == 2) byte();
    else skip(type, depth);
  }

  // A page header's integer: parquet.thrift declares them i32, so a value outside it is corrupt.
  int64_t i32(int type) {
    if (type != 5 && type != 4 && type != 6) throw Corrupt{"page header field is not an integer"};
    const int64_t v = zigzag();
    if (v < INT32_MIN || v > INT32_MAX) throw Corrupt{"page header integer out of range"};
    return v;
  }

 private:
  uint8_t byte() {
    if (pos_ >= n_) throw Corrupt{"page header runs past its column chunk"};
    return p_[pos_++];
  }
  void advance(uint64_t k) {
    if (k > n_ - pos_) throw Corrupt{"page header runs past its column chunk"};
    pos_ += k;
  }
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
};

PageHeader readHeader(Thrift& t) {
  PageHeader h;
  t.fields([&](int16_t id, int type) {
    switch (id) {
      case 1:
        h.type = t.i32(type);
        return;
      case 2:
        h.uncompressed = t.i32(type);
        return;
      case 3:
        h.compressed = t.i32(type);
        return;
      case 5:  // DataPageHeader
      case 7:  // DictionaryPageHeader
        if (type != 12) throw Corrupt{"page header struct has the wrong type"};
        t.fields([&](int16_t f, int ft) {
          if (f == 1) h.num_values = t.i32(ft);
          else if (f == 2) h.encoding = t.i32(ft);
          else if (f == 3 && id == 5) h.def_encoding = t.i32(ft);
          else t.skip(ft);
        });
        return;
      case 8:  // DataPageHeaderV2
        if (type != 12) throw Corrupt{"page header struct has the wrong type"};
        t.fields([&](int16_t f, int ft) {
          if (f == 1) h.num_values = t.i32(ft);
          else if (f == 4) h.encoding = t.i32(ft);
          else if (f == 5) h.def_length = t.i32(ft);
          else if (f == 6) h.rep_length = t.i32(ft);
          else if (f == 7) h.v2_compressed = ft == 1;
          else t.skip(ft);
        });
        return;
      default:
        t.skip(type);
    }
  });
  if (h.type < 0 || h.uncompressed < 0 || h.compressed < 0) throw Corrupt{"page header field missing"};
  return h;
}

uint32_t u32(const uint8_t* b, size_t n, size_t p) {
  if (p + 4 > n) throw Corrupt{"length prefix runs past the page"};
  uint32_t v;
  std::memcpy(&v, b + p, 4);
  return v;
}

int bitWidth(int max) {
  int w = 0;
  while (max > 0) {
    w++;
    max >>= 1;
  }
  return w;
}

// `count` values of the RLE/bit-packed hybrid encoding in b[from, to), `width` bits each.
template <typename T>
void hybrid(const uint8_t* b, size_t from, size_t to, int width, T* out, size_t count) {
  if (width > 32) throw Corrupt{"RLE/bit-packed width over 32 bits"};
  size_t p = from;
  size_t seen = 0;
  const int bytesPerValue = (width + 7) >> 3;
  while (seen < count) {
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      if (p >= to || shift > 35) throw Corrupt{"RLE/bit-packed run past the end of its data"};
      const uint8_t x = b[p++];
      header |= static_cast<uint64_t>(x & 0x7f) << shift;
      if (x < 0x80) break;
    }
    if (header & 1) {
      const uint64_t n = (header >> 1) * 8;
      const size_t take = static_cast<size_t>(std::min<uint64_t>(n, count - seen));
      if (p + (take * width + 7) / 8 > to) throw Corrupt{"bit-packed run past the end of its data"};
      uint64_t buf = 0;
      int bits = 0;
      size_t q = p;
      const uint64_t mask = width == 32 ? 0xffffffffull : ((1ull << width) - 1);
      for (size_t i = 0; i < take; i++) {
        while (bits < width) {
          buf |= static_cast<uint64_t>(q < to ? b[q] : 0) << bits;
          q++;
          bits += 8;
        }
        out[seen + i] = static_cast<T>(width == 0 ? 0 : (buf & mask));
        buf = width == 0 ? buf : (buf >> width);
        bits -= width;
      }
      p += static_cast<size_t>(n * width / 8);
      seen += take;
    } else {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(header >> 1, count - seen));
      if (p + bytesPerValue > to) throw Corrupt{"RLE run past the end of its data"};
      uint64_t v = 0;
      for (int i = 0; i < bytesPerValue; i++) v |= static_cast<uint64_t>(b[p + i]) << (8 * i);
      p += bytesPerValue;
      for (size_t i = 0; i < n; i++) out[seen + i] = static_cast<T>(v);
      seen += n;
    }
  }
}

// Definition levels above the leaf's own are not of this column.
void checkLevels(const uint8_t* levels, size_t n, int maxDef) {
  for (size_t i = 0; i < n; i++) {
    if (levels[i] > maxDef) throw Corrupt{"definition level above the column's"};
  }
}

// One leaf's output, for the kept rows only.
struct Sink {
  int physical;
  int width;  // bytes per value for fixed-width types, 0 otherwise
  uint8_t* fixed;  // fixed-width values or booleans as bits: the output buffer, zeroed
  std::vector<uint8_t> values;  // byte-array data
  std::vector<int32_t> offsets;  // byte arrays
  size_t out = 0;  // rows written
};

// A dictionary page's values.
struct Dictionary {
  bool present = false;
  size_t size = 0;
  std::vector<uint8_t> values;  // fixed-width values, booleans as bits, or byte-array data
  std::vector<uint32_t> offsets;  // byte arrays: size + 1 entries
};

void plainDictionary(int physical, int width, const uint8_t* b, size_t n, size_t count, Dictionary& d) {
  d.present = true;
  d.size = count;
  d.values.clear();
  d.offsets.clear();
  if (physical == BYTE_ARRAY) {
    // Each value takes 4 bytes at least: a count the page cannot hold reserves no more.
    d.offsets.reserve(std::min(count, n / 4) + 1);
    d.offsets.push_back(0);
    size_t p = 0;
    for (size_t i = 0; i < count; i++) {
      const uint32_t len = u32(b, n, p);
      p += 4;
      if (len > n - p) throw Corrupt{"dictionary value runs past its page"};
      d.values.insert(d.values.end(), b + p, b + p + len);
      p += len;
      if (d.values.size() > 0x7fffffff) throw Unsupported{};
      d.offsets.push_back(static_cast<uint32_t>(d.values.size()));
    }
    return;
  }
  const size_t bytes = physical == BOOLEAN ? (count + 7) / 8 : count * width;
  if (n < bytes) throw Corrupt{"dictionary page holds fewer values than its header says"};
  d.values.assign(b, b + bytes);
}

inline bool bit(const uint8_t* bits, size_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }
inline void setBit(uint8_t* bits, size_t i) { bits[i >> 3] |= static_cast<uint8_t>(1u << (i & 7)); }

// Appends one byte array to the sink's data.
inline void appendBytes(Sink& s, const uint8_t* p, size_t len) {
  s.values.insert(s.values.end(), p, p + len);
  if (s.values.size() > 0x7fffffff) throw Unsupported{};
}

// Decodes one data page's values: `n` levels from input row `row`, levels in `defs[0, n)`.
void pageValues(Sink& s, int maxDef, const uint8_t* b, size_t len, int64_t encoding, size_t row, size_t n,
                const uint8_t* defs, const uint8_t* keep, const Dictionary& dict,
                std::vector<int32_t>& index) {
  size_t present = n;
  if (defs != nullptr) {
    present = 0;
    for (size_t i = 0; i < n; i++) present += defs[i] == maxDef;
  }
  auto isPresent = [&](size_t i) { return defs == nullptr || defs[i] == maxDef; };
  auto kept = [&](size_t i) { return keep == nullptr || keep[row + i] != 0; };
  if (encoding == PLAIN) {
    if (s.physical == BYTE_ARRAY) {
      size_t p = 0;
      for (size_t i = 0; i < n; i++) {
        const bool k = kept(i);
        if (isPresent(i)) {
          const uint32_t l = u32(b, len, p);
          p += 4;
          if (l > len - p) throw Corrupt{"value runs past its page"};
          if (k) appendBytes(s, b + p, l);
          p += l;
        }
        if (k) s.offsets.push_back(static_cast<int32_t>(s.values.size()));
      }
      if (p != len) throw Unsupported{};
      return;
    }
    if (s.physical == BOOLEAN) {
      if (len != (present + 7) / 8) throw Unsupported{};
      size_t k = 0;
      size_t o = s.out;
      for (size_t i = 0; i < n; i++) {
        const bool pr = isPresent(i);
        const bool v = pr && bit(b, k);
        if (pr) k++;
        if (kept(i)) {
          if (v) setBit(s.fixed, o);
          o++;
        }
      }
      return;
    }
    const size_t w = s.width;
    if (len != present * w) throw Unsupported{};
    if (defs == nullptr && keep == nullptr) {
      std::memcpy(s.fixed + s.out * w, b, n * w);
      return;
    }
    size_t k = 0;
    size_t o = s.out;
    for (size_t i = 0; i < n; i++) {
      const bool pr = isPresent(i);
      if (kept(i)) {
        if (pr) std::memcpy(s.fixed + o * w, b + k * w, w);
        o++;
      }
      if (pr) k++;
    }
    return;
  }
  if (encoding != RLE_DICTIONARY && encoding != PLAIN_DICTIONARY) throw Unsupported{};
  if (!dict.present) throw Corrupt{"dictionary-encoded page without a dictionary page"};
  index.resize(present);
  if (present > 0) {
    if (len == 0) throw Corrupt{"dictionary-encoded page without indices"};
    hybrid(b, 1, len, b[0], index.data(), present);
  }
  for (size_t k = 0; k < present; k++) {
    if (index[k] < 0 || static_cast<size_t>(index[k]) >= dict.size) {
      throw Corrupt{"dictionary index " + std::to_string(index[k]) + " out of " + std::to_string(dict.size) +
                    " entries"};
    }
  }
  size_t k = 0;
  size_t o = s.out;
  for (size_t i = 0; i < n; i++) {
    const bool pr = isPresent(i);
    const size_t j = pr ? static_cast<size_t>(index[k++]) : 0;
    if (!kept(i)) continue;
    if (pr) {
      if (s.physical == BYTE_ARRAY) {
        appendBytes(s, dict.values.data() + dict.offsets[j], dict.offsets[j + 1] - dict.offsets[j]);
      } else if (s.physical == BOOLEAN) {
        if (bit(dict.values.data(), j)) setBit(s.fixed, o);
      } else {
        std::memcpy(s.fixed + o * s.width, dict.values.data() + j * s.width, s.width);
      }
    }
    if (s.physical == BYTE_ARRAY) s.offsets.push_back(static_cast<int32_t>(s.values.size()));
    o++;
  }
}

// A buffer that only grows, without zeroing what it hands out (every page overwrites it).
class Scratch {
 public:
  uint8_t* get(size_t n) {
    if (n > cap_) {
      p_.reset(new uint8_t[n]);
      cap_ = n;
    }
    return p_.get();
  }
  // Gives the memory back when it grew past `max`, so a library holds no large idle buffer.
  void trim(size_t max) {
    if (cap_ > max) {
      p_.reset();
      cap_ = 0;
    }
  }

 private:
  std::unique_ptr<uint8_t[]> p_;
  size_t cap_ = 0;
};

// Snappy's raw format (no framing), as Parquet's SNAPPY pages hold it, into out[0, size): a
// varint of the length, then literals and back-references. Every read and copy is bounded.
void snappyUncompress(const uint8_t* in, size_t n, uint8_t* out, size_t size) {
  size_t p = 0;
  uint64_t length = 0;
  for (int shift = 0;; shift += 7) {
    if (p >= n || shift > 28) throw Corrupt{"snappy: bad length"};
    const uint8_t b = in[p++];
    length |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  if (length != size) throw Corrupt{"snappy page size differs from its header"};
  size_t o = 0;
  while (p < n) {
    const uint8_t tag = in[p++];
    size_t len;
    size_t offset = 0;
    switch (tag & 3) {
      case 0: {  // literal
        len = (tag >> 2) + 1;
        if (len > 60) {
          const size_t bytes = len - 60;
          if (bytes > n - p) throw Corrupt{"snappy: literal length past the end"};
          len = 0;
          for (size_t i = 0; i < bytes; i++) len |= static_cast<size_t>(in[p + i]) << (8 * i);
          len += 1;
          p += bytes;
        }
        if (len > n - p || len > size - o) throw Corrupt{"snappy: literal past the end"};
        std::memcpy(out + o, in + p, len);
        p += len;
        o += len;
        continue;
      }
      case 1:
        if (p >= n) throw Corrupt{"snappy: copy past the end"};
        len = 4 + ((tag >> 2) & 7);
        offset = (static_cast<size_t>(tag >> 5) << 8) | in[p++];
        break;
      case 2:
        if (2 > n - p) throw Corrupt{"snappy: copy past the end"};
        len = 1 + (tag >> 2);
        offset = in[p] | (static_cast<size_t>(in[p + 1]) << 8);
        p += 2;
        break;
      default:
        if (4 > n - p) throw Corrupt{"snappy: copy past the end"};
        len = 1 + (tag >> 2);
        offset = in[p] | (static_cast<size_t>(in[p + 1]) << 8) | (static_cast<size_t>(in[p + 2]) << 16) |
                 (static_cast<size_t>(in[p + 3]) << 24);
        p += 4;
    }
    if (offset == 0 || offset > o || len > size - o) throw Corrupt{"snappy: copy out of range"};
    // Byte by byte: a copy may overlap what it writes (a run).
    for (size_t i = 0; i < len; i++) out[o + i] = out[o - offset + i];
    o += len;
  }
  if (o != size) throw Corrupt{"snappy: fewer bytes than its length"};
}

// A page body decompressed into `scratch` (or `body` itself when uncompressed). The size the
// header claims is checked against what the body can hold before any memory is taken for it.
const uint8_t* decompress(int codec, const uint8_t* body, size_t stored, size_t size, Scratch& scratch) {
  // Nothing stored for nothing (a data page v2 of nulls only, as parquet-java writes it).
  if (stored == 0 && size == 0) return scratch.get(1);
  switch (codec) {
    case UNCOMPRESSED:
      if (stored != size) throw Corrupt{"uncompressed page size differs from its header"};
      return body;
    case ZSTD: {
      // A zstd block of 3 bytes or more holds 128 KiB at most; the first frame (a page may hold
      // several) cannot hold more than the page.
      const unsigned long long content = ZSTD_getFrameContentSize(body, stored);
      if (content == ZSTD_CONTENTSIZE_ERROR) throw Corrupt{"zstd: not a zstd frame"};
      if ((content != ZSTD_CONTENTSIZE_UNKNOWN && content > size) || size > stored * 43691 + 64) {
        throw Corrupt{"zstd page size out of range for its frame"};
      }
      uint8_t* out = scratch.get(std::max<size_t>(size, 1));
      thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
      const size_t n = ZSTD_decompressDCtx(ctx.get(), out, size, body, stored);
      if (ZSTD_isError(n)) throw Corrupt{std::string("zstd: ") + ZSTD_getErrorName(n)};
      if (n != size) throw Corrupt{"zstd page size differs from its header"};
      return out;
    }
    case LZ4_RAW: {
      // LZ4 expands a byte into at most 255.
      if (size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE) || stored > static_cast<size_t>(LZ4_MAX_INPUT_SIZE) ||
          size > stored * 255 + 64) {
        throw Corrupt{"lz4: page size out of range for its block"};
      }
      uint8_t* out = scratch.get(std::max<size_t>(size, 1));
      const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(body), reinterpret_cast<char*>(out),
                                        static_cast<int>(stored), static_cast<int>(size));
      if (n < 0 || static_cast<size_t>(n) != size) throw Corrupt{"lz4: corrupt block"};
      return out;
    }
    case GZIP: {
      // Deflate expands a byte into at most 1,032.
      if (size > stored * 1032 + 64) throw Corrupt{"gzip: page size out of range for its stream"};
      uint8_t* out = scratch.get(std::max<size_t>(size, 1));
      z_stream z{};
      if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw Corrupt{"gzip: cannot start"};
      z.next_in = const_cast<Bytef*>(body);
      z.avail_in = static_cast<uInt>(stored);
      z.next_out = out;
      z.avail_out = static_cast<uInt>(size);
      int r = inflate(&z, Z_FINISH);
      // A stream of several gzip members, as gunzip reads it: each member after the last.
      while (r == Z_STREAM_END && z.avail_in > 0 && inflateReset(&z) == Z_OK) r = inflate(&z, Z_FINISH);
      const size_t n = size - z.avail_out;
      inflateEnd(&z);
      if (r != Z_STREAM_END || n != size) throw Corrupt{"gzip: corrupt page, or its size differs from its header"};
      return out;
    }
    case SNAPPY: {
      // Snappy expands a 2-byte copy into at most 64 bytes.
      if (size > stored * 32 + 64) throw Corrupt{"snappy: page size out of range for its body"};
      uint8_t* out = scratch.get(std::max<size_t>(size, 1));
      snappyUncompress(body, stored, out, size);
      return out;
    }
    default:
      throw Unsupported{};
  }
}

Napi::ArrayBuffer bufferOf(Napi::Env env, const void* data, size_t bytes) {
  Output out(env, bytes);
  if (bytes > 0) std::memcpy(out.data(), data, bytes);
  return out.buffer();
}

// Decodes the pages of one column chunk at the start of bytes[0, n) until `rows` values are
// read, appending the rows `keep` keeps (all when null) to `s` and their levels to `defsOut`;
// returns where the chunk's last page ends. With `skip`, walks past the pages only.
size_t decodeChunk(const uint8_t* bytes, size_t n, size_t rows, int codec, int maxDef, const uint8_t* keep,
                   bool skip, Sink& s, uint8_t* defsOut) {
  std::vector<uint8_t> levels;
  std::vector<int32_t> index;
  thread_local Scratch scratch;
  // Kept for the next chunk only while it is small, however this one ends.
  struct Trim {
    ~Trim() { scratch.trim(4u << 20); }
  } trim;
  Dictionary dict;
  const int defWidth = bitWidth(maxDef);
  const int physical = s.physical;
  size_t row = 0;
  size_t pos = 0;
  while (row < rows) {
    if (pos >= n) throw Corrupt{"column chunk ends after " + std::to_string(row) + " of " + std::to_string(rows) + " rows"};
    Thrift t(bytes + pos, n - pos);
    const PageHeader h = readHeader(t);
    pos += t.pos();
    const size_t stored = static_cast<size_t>(h.compressed);
    if (stored > n - pos) throw Corrupt{"page runs past its column chunk"};
    const uint8_t* body = bytes + pos;
    pos += stored;
    const size_t size = static_cast<size_t>(h.uncompressed);
    if (h.type == DICTIONARY_PAGE) {
      if (skip) continue;
      if (h.encoding != PLAIN && h.encoding != PLAIN_DICTIONARY) throw Unsupported{};
      if (h.num_values < 0) throw Corrupt{"dictionary page header without num_values"};
      const uint8_t* page = decompress(codec, body, stored, size, scratch);
      plainDictionary(physical, s.width, page, size, static_cast<size_t>(h.num_values), dict);
      continue;
    }
    if (h.type != DATA_PAGE && h.type != DATA_PAGE_V2) {
      if (h.type == INDEX_PAGE) continue;
      throw Unsupported{};
    }
    if (h.num_values < 0 || h.encoding < 0) throw Corrupt{"data page header without num_values or encoding"};
    const size_t count = static_cast<size_t>(h.num_values);
    if (count > rows - row) throw Corrupt{"more values than rows in the row group"};
    if (skip) {
      row += count;
      continue;
    }
    if (maxDef > 0) levels.resize(count);
    const uint8_t* page;
    size_t pageLen;
    if (h.type == DATA_PAGE) {
      page = decompress(codec, body, stored, size, scratch);
      size_t p = 0;
      if (maxDef > 0) {
        if (h.def_encoding != RLE) throw Unsupported{};
        const uint32_t len = u32(page, size, 0);
        p = 4;
        if (len > size - p) throw Corrupt{"RLE/bit-packed data runs past its page"};
        hybrid(page, p, p + len, defWidth, levels.data(), count);
        checkLevels(levels.data(), count, maxDef);
        p += len;
      }
      page += p;
      pageLen = size - p;
    } else {
      if (h.rep_length != 0) throw Unsupported{};
      if (h.def_length < 0 || static_cast<size_t>(h.def_length) > stored || static_cast<size_t>(h.def_length) > size) {
        throw Corrupt{"definition levels run past their page"};
      }
      const size_t defLen = static_cast<size_t>(h.def_length);
      if (maxDef > 0) {
        hybrid(body, 0, defLen, defWidth, levels.data(), count);
        checkLevels(levels.data(), count, maxDef);
      }
      page = h.v2_compressed ? decompress(codec, body + defLen, stored - defLen, size - defLen, scratch)
                             : body + defLen;
      pageLen = h.v2_compressed ? size - defLen : stored - defLen;
    }
    const uint8_t* defs = maxDef > 0 ? levels.data() : nullptr;
    pageValues(s, maxDef, page, pageLen, h.encoding, row, count, defs, keep, dict, index);
    // Levels of the kept rows, and the output row count.
    size_t o = s.out;
    for (size_t i = 0; i < count; i++) {
      if (keep != nullptr && keep[row + i] == 0) continue;
      if (maxDef > 0) defsOut[o] = levels[i];
      o++;
    }
    s.out = o;
    row += count;
  }
  return pos;
}

}  // namespace

namespace {

// Byte spans (column chunks, or row groups' spans), each one's row count and, where given, the
// offset its pages start at, checked: rows at most 2^31 - 1 in all (Arrow arrays in JS are
// indexed by int32), each start within its span. Without starts, each span starts at 0.
struct SpanList {
  std::vector<Napi::Uint8Array> bytes;
  std::vector<size_t> starts;
  std::vector<size_t> rows;
  size_t total = 0;
};

SpanList readSpanList(Napi::Env env, Napi::Array bytes, const Napi::Array* starts, Napi::Array rows) {
  const uint32_t count = bytes.Length();
  if (rows.Length() != count || (starts != nullptr && starts->Length() != count)) {
    throw Napi::RangeError::New(env, "spans, starts and rows differ in length");
  }
  SpanList list;
  for (uint32_t k = 0; k < count; k++) {
    Napi::Value b = bytes[k];
    Napi::Value r = rows[k];
    Napi::Value st = starts != nullptr ? Napi::Value((*starts)[k]) : Napi::Number::New(env, 0);
    if (!b.IsTypedArray() || !r.IsNumber() || !st.IsNumber()) {
      throw Napi::TypeError::New(env, "spans are Uint8Arrays, starts and rows numbers");
    }
    list.bytes.push_back(b.As<Napi::Uint8Array>());
    const int64_t sk = st.As<Napi::Number>().Int64Value();
    const int64_t rk = r.As<Napi::Number>().Int64Value();
    if (sk < 0 || static_cast<size_t>(sk) > list.bytes.back().ByteLength() || rk < 0) {
      throw Napi::RangeError::New(env, "a span's start or rows out of range");
    }
    list.starts.push_back(static_cast<size_t>(sk));
    list.rows.push_back(static_cast<size_t>(rk));
    list.total += static_cast<size_t>(rk);
    if (rk > INT32_MAX || list.total > static_cast<size_t>(INT32_MAX)) {
      throw Napi::RangeError::New(env, "more than 2^31 - 1 rows");
    }
  }
  return list;
}

}  // namespace

// decodeColumnChunks(chunks: Uint8Array[], rows: number[], codec: number, physical: number,
//                    width: number, maxDef: number, keep: Uint8Array | null, skip: boolean)
//   -> { ends: number[], length, values: ArrayBuffer, offsets: Int32Array | null,
//        defs: Uint8Array | null } | null
// Decodes one leaf's column chunk from the start of each of `chunks` (of rows[k] values each)
// into one output, the chunks' rows one after another; ends[k] is where chunk k's last page
// ends. With `keep` (one byte per row of all the chunks), only the rows whose byte is not 0 are
// output. With `skip`, the pages are only walked past (to find `ends`) and no row is output.
Napi::Value DecodeColumnChunks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 8 || !info[0].IsArray() || !info[1].IsArray() || !info[2].IsNumber() ||
      !info[3].IsNumber() || !info[4].IsNumber() || !info[5].IsNumber() || !info[7].IsBoolean()) {
    throw Napi::TypeError::New(
        env, "decodeColumnChunks(chunks, rows, codec, physical, width, maxDef, keep: Uint8Array | null, skip)");
  }
  const int codec = info[2].As<Napi::Number>().Int32Value();
  const int physical = info[3].As<Napi::Number>().Int32Value();
  const int width = info[4].As<Napi::Number>().Int32Value();
  const int maxDef = info[5].As<Napi::Number>().Int32Value();
  const bool skip = info[7].As<Napi::Boolean>().Value();
  if (maxDef < 0 || maxDef > 255) throw Napi::RangeError::New(env, "maxDef out of range");
  if (physical != BOOLEAN && physical != BYTE_ARRAY && width <= 0) throw Napi::RangeError::New(env, "width");
  const SpanList list = readSpanList(env, info[0].As<Napi::Array>(), nullptr, info[1].As<Napi::Array>());
  const std::vector<Napi::Uint8Array>& chunks = list.bytes;
  const std::vector<size_t>& rows = list.rows;
  const uint32_t count = static_cast<uint32_t>(chunks.size());
  const size_t total = list.total;
  const uint8_t* keep = nullptr;
  if (info[6].IsTypedArray()) {
    auto k = info[6].As<Napi::Uint8Array>();
    if (k.ByteLength() < total) throw Napi::RangeError::New(env, "keep is shorter than the rows");
    keep = k.Data();
  }
  size_t outRows = skip ? 0 : total;
  if (keep != nullptr && !skip) {
    outRows = 0;
    for (size_t i = 0; i < total; i++) outRows += keep[i] != 0;
  }
  try {
    // Fixed-width values and levels are decoded straight into the (zeroed) output buffers.
    Sink s{physical, physical == BOOLEAN || physical == BYTE_ARRAY ? 0 : width, nullptr, {}, {}, 0};
    std::unique_ptr<Output> fixed;
    // Byte arrays are gathered in buffers reused from call to call (they are copied out once
    // their size is known), so that only the output is fresh memory.
    thread_local std::vector<uint8_t> bytePool;
    thread_local std::vector<int32_t> offsetPool;
    struct Lend {
      Sink& s;
      ~Lend() {
        s.values.swap(bytePool);
        s.offsets.swap(offsetPool);
        // Kept for the next call only while small: a library holds no large idle buffers.
        if (bytePool.capacity() > (4u << 20)) std::vector<uint8_t>().swap(bytePool);
        if (offsetPool.capacity() > (1u << 20)) std::vector<int32_t>().swap(offsetPool);
      }
    } lend{s};
    s.values.swap(bytePool);
    s.offsets.swap(offsetPool);
    s.values.clear();
    s.offsets.clear();
    if (physical == BYTE_ARRAY) {
      s.offsets.reserve(outRows + 1);
      s.offsets.push_back(0);
    } else {
      fixed = std::make_unique<Output>(env, physical == BOOLEAN ? (outRows + 7) / 8 : outRows * s.width);
      s.fixed = fixed->data();
    }
    Output levels(env, maxDef > 0 ? outRows : 0);
    uint8_t* defsOut = levels.data();
    auto ends = Napi::Array::New(env, count);
    size_t first = 0;
    for (uint32_t k = 0; k < count; k++) {
      const size_t end = decodeChunk(chunks[k].Data(), chunks[k].ByteLength(), rows[k], codec, maxDef,
                                     keep == nullptr ? nullptr : keep + first, skip, s, defsOut);
      ends[k] = Napi::Number::New(env, static_cast<double>(end));
      first += rows[k];
    }
    if (s.out != outRows) throw Corrupt{"rows decoded differ from the rows kept"};
    Napi::Object result = Napi::Object::New(env);
    result.Set("ends", ends);
    result.Set("length", Napi::Number::New(env, static_cast<double>(outRows)));
    if (physical == BYTE_ARRAY) {
      result.Set("values", bufferOf(env, s.values.data(), s.values.size()));
      auto ab = bufferOf(env, s.offsets.data(), s.offsets.size() * sizeof(int32_t));
      result.Set("offsets", Napi::Int32Array::New(env, s.offsets.size(), ab, 0));
    } else {
      result.Set("values", fixed->buffer());
      result.Set("offsets", env.Null());
    }
    result.Set("defs", maxDef > 0 ? Napi::Uint8Array::New(env, outRows, levels.buffer(), 0) : env.Null());
    return result;
  } catch (const Unsupported&) {
    return env.Null();
  } catch (const Corrupt& c) {
    throw Napi::Error::New(env, c.what);
  }
}

// coveringMask(spans: Uint8Array[], starts: number[], rows: number[], codec: number,
//              maxDefs: number[], which: number[], box: Float64Array)
//   -> Uint8Array | null
// The bbox filter over row groups' byte spans, without handing the boxes to JS: from starts[k]
// in each span, decodes the maxDefs.length consecutive DOUBLE leaves of the bbox covering
// column (in reused buffers), and sets mask[row] to 1 where every leaf is present and the box
// [leaf which[0], which[1], which[2], which[3]] (xmin, ymin, xmax, ymax) intersects `box`
// (touching counts; NaN never matches).
Napi::Value CoveringMask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 7 || !info[0].IsArray() || !info[1].IsArray() || !info[2].IsArray() || !info[3].IsNumber() ||
      !info[4].IsArray() || !info[5].IsArray() || !info[6].IsTypedArray()) {
    throw Napi::TypeError::New(env, "coveringMask(spans, starts, rows, codec, maxDefs, which, box)");
  }
  auto spanList = info[0].As<Napi::Array>();
  auto startList = info[1].As<Napi::Array>();
  auto rowList = info[2].As<Napi::Array>();
  const int codec = info[3].As<Napi::Number>().Int32Value();
  auto defList = info[4].As<Napi::Array>();
  auto whichList = info[5].As<Napi::Array>();
  auto box = info[6].As<Napi::Float64Array>();
  const uint32_t count = spanList.Length();
  const uint32_t leaves = defList.Length();
  if (startList.Length() != count || rowList.Length() != count || whichList.Length() != 4 || leaves == 0 ||
      box.TypedArrayType() != napi_float64_array || box.ElementLength() != 4) {
    throw Napi::RangeError::New(env, "coveringMask: spans, starts and rows of one length, 4 leaves named, a box of 4");
  }
  std::vector<int> maxDefs(leaves);
  for (uint32_t j = 0; j < leaves; j++) {
    maxDefs[j] = Napi::Value(defList[j]).As<Napi::Number>().Int32Value();
    if (maxDefs[j] < 0 || maxDefs[j] > 255) throw Napi::RangeError::New(env, "maxDef out of range");
  }
  uint32_t which[4];
  for (uint32_t c = 0; c < 4; c++) {
    which[c] = Napi::Value(whichList[c]).As<Napi::Number>().Uint32Value();
    if (which[c] >= leaves) throw Napi::RangeError::New(env, "coveringMask: which names a leaf out of range");
  }
  const SpanList list = readSpanList(env, spanList, &startList, rowList);
  const std::vector<Napi::Uint8Array>& spans = list.bytes;
  const std::vector<size_t>& starts = list.starts;
  const std::vector<size_t>& rows = list.rows;
  const size_t total = list.total;
  // The leaves' values and levels for all rows, in buffers reused from call to call (bounded by
  // one window of row groups), so a query touches no fresh memory for boxes it only tests.
  thread_local std::vector<std::vector<uint8_t>> values, levels;
  values.resize(leaves);
  levels.resize(leaves);
  // A window far larger than usual (over 128Ki rows) leaves no lasting hold on memory.
  struct Trim {
    size_t total;
    ~Trim() {
      if (total <= (128u << 10)) return;
      for (auto& v : values) std::vector<uint8_t>().swap(v);
      for (auto& v : levels) std::vector<uint8_t>().swap(v);
    }
  } trim{total};
  try {
    for (uint32_t j = 0; j < leaves; j++) {
      if (values[j].size() < total * 8) values[j].resize(total * 8);
      if (levels[j].size() < total) levels[j].resize(total);
    }
    size_t first = 0;
    for (uint32_t k = 0; k < count; k++) {
      size_t pos = starts[k];
      for (uint32_t j = 0; j < leaves; j++) {
        Sink s{DOUBLE, 8, values[j].data() + first * 8, {}, {}, 0};
        uint8_t* defs = maxDefs[j] > 0 ? levels[j].data() + first : nullptr;
        pos += decodeChunk(spans[k].Data() + pos, spans[k].ByteLength() - pos, rows[k], codec, maxDefs[j], nullptr,
                           false, s, defs);
      }
      first += rows[k];
    }
    const double q[4] = {box[0], box[1], box[2], box[3]};
    const double* c[4];
    for (int i = 0; i < 4; i++) c[i] = reinterpret_cast<const double*>(values[which[i]].data());
    Output mask(env, total);
    uint8_t* out = mask.data();
    for (size_t i = 0; i < total; i++) {
      bool present = true;
      for (uint32_t j = 0; j < leaves; j++) present = present && (maxDefs[j] == 0 || levels[j][i] == maxDefs[j]);
      out[i] = present && boxIntersects(c[0][i], c[1][i], c[2][i], c[3][i], q) ? 1 : 0;
    }
    return Napi::Uint8Array::New(env, total, mask.buffer(), 0);
  } catch (const Unsupported&) {
    return env.Null();
  } catch (const Corrupt& c) {
    throw Napi::Error::New(env, c.what);
  }
}

// presentBits(levels: Uint8Array, level: number) -> { bits: Uint8Array, nulls: number }: an Arrow
// validity bitmap with bit i set where levels[i] >= level, and the count of the rows not set.
Napi::Value PresentBits(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "presentBits(levels: Uint8Array, level: number)");
  }
  auto levels = info[0].As<Napi::Uint8Array>();
  const int level = info[1].As<Napi::Number>().Int32Value();
  const size_t n = levels.ElementLength();
  auto bits = Napi::Uint8Array::New(env, (n + 7) / 8);
  uint8_t* out = bits.Data();
  std::memset(out, 0, bits.ByteLength());
  const uint8_t* l = levels.Data();
  size_t nulls = 0;
  for (size_t i = 0; i < n; i++) {
    if (l[i] >= level) out[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
    else nulls++;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("bits", bits);
  result.Set("nulls", Napi::Number::New(env, static_cast<double>(nulls)));
  return result;
}

}  // namespace geopart
