#include "arrow_export.h"

#include <cstring>
#include <stdexcept>

namespace geopart {
namespace {

// How an Arrow format lays out its buffers; enough to know how many bytes each holds.
enum class Kind { Null, Bits, Fixed, Var32, Var64, List32, List64, FixedList, Struct };

struct Layout {
  Kind kind;
  int64_t width;  // bytes per value for Fixed; list size for FixedList
};

int32_t ReadInt32(const char*& p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  p += sizeof v;
  return v;
}

std::string Unsupported(const std::string& column, const std::string& format) {
  return "column '" + column + "' has Arrow format '" + format + "', which geopart cannot read";
}

Layout LayoutOf(const std::string& f, const std::string& column) {
  if (f == "n") return {Kind::Null, 0};
  if (f == "b") return {Kind::Bits, 0};
  if (f == "c" || f == "C") return {Kind::Fixed, 1};
  if (f == "s" || f == "S" || f == "e") return {Kind::Fixed, 2};
  if (f == "i" || f == "I" || f == "f" || f == "tdD" || f == "tts" || f == "ttm") return {Kind::Fixed, 4};
  if (f == "l" || f == "L" || f == "g" || f == "tdm" || f == "ttu" || f == "ttn") return {Kind::Fixed, 8};
  if (f.size() >= 4 && f.compare(0, 2, "ts") == 0 && f[3] == ':') return {Kind::Fixed, 8};
  if (f.size() == 3 && f.compare(0, 2, "tD") == 0) return {Kind::Fixed, 8};
  if (f == "z" || f == "u") return {Kind::Var32, 0};
  if (f == "Z" || f == "U") return {Kind::Var64, 0};
  if (f == "+l" || f == "+m") return {Kind::List32, 0};
  if (f == "+L") return {Kind::List64, 0};
  if (f == "+s") return {Kind::Struct, 0};
  if (f.compare(0, 2, "w:") == 0) return {Kind::Fixed, std::stoll(f.substr(2))};
  if (f.compare(0, 3, "+w:") == 0) return {Kind::FixedList, std::stoll(f.substr(3))};
  if (f.compare(0, 2, "d:") == 0) {
    const auto second = f.find(',', f.find(',') + 1);
    return {Kind::Fixed, second == std::string::npos ? 16 : std::stoll(f.substr(second + 1)) / 8};
  }
  throw std::runtime_error(Unsupported(column, f));
}

Napi::Value Buffer(Napi::Env env, const ArrowArray* a, int64_t i, size_t size, const std::string& column) {
  if (i >= a->n_buffers) throw std::runtime_error("column '" + column + "': Arrow array has too few buffers");
  const void* p = a->buffers[i];
  if (p == nullptr) {
    if (i == 0) return env.Null();  // no validity bitmap: no nulls
    if (size > 0) throw std::runtime_error("column '" + column + "': Arrow buffer is missing");
  }
  return CopyToArrayBuffer(env, p, size);
}

template <typename Offset>
Offset LastOffset(const ArrowArray* a) {
  const int64_t end = a->offset + a->length;
  const auto* offsets = static_cast<const Offset*>(a->buffers[1]);
  return offsets == nullptr ? 0 : offsets[end];
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseMetadata(const char* metadata) {
  std::vector<std::pair<std::string, std::string>> out;
  if (metadata == nullptr) return out;
  const char* p = metadata;
  const int32_t n = ReadInt32(p);
  for (int32_t i = 0; i < n; i++) {
    const int32_t klen = ReadInt32(p);
    std::string key(p, static_cast<size_t>(klen));
    p += klen;
    const int32_t vlen = ReadInt32(p);
    std::string value(p, static_cast<size_t>(vlen));
    p += vlen;
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

std::string MetadataValue(const char* metadata, const std::string& key) {
  for (const auto& [k, v] : ParseMetadata(metadata)) {
    if (k == key) return v;
  }
  return "";
}

Napi::ArrayBuffer CopyToArrayBuffer(Napi::Env env, const void* data, size_t size) {
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, size);
  if (size > 0) std::memcpy(ab.Data(), data, size);
  return ab;
}

Napi::Object ExportSchema(Napi::Env env, const ArrowSchema* schema) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("format", schema->format);
  out.Set("name", schema->name != nullptr ? schema->name : "");
  const auto pairs = ParseMetadata(schema->metadata);
  if (pairs.empty()) {
    out.Set("metadata", env.Null());
  } else {
    Napi::Object md = Napi::Object::New(env);
    for (const auto& [k, v] : pairs) md.Set(k, v);
    out.Set("metadata", md);
  }
  out.Set("flags", Napi::Number::New(env, static_cast<double>(schema->flags)));
  Napi::Array children = Napi::Array::New(env, static_cast<size_t>(schema->n_children));
  for (int64_t i = 0; i < schema->n_children; i++) {
    children.Set(static_cast<uint32_t>(i), ExportSchema(env, schema->children[i]));
  }
  out.Set("children", children);
  out.Set("dictionary", schema->dictionary != nullptr ? ExportSchema(env, schema->dictionary) : env.Null());
  return out;
}

Napi::Object ExportArray(Napi::Env env, const ArrowSchema* schema, const ArrowArray* a,
                         const std::string& column) {
  const std::string format = schema->format;
  const Layout layout = LayoutOf(format, column);
  const int64_t end = a->offset + a->length;
  const size_t bitmapBytes = static_cast<size_t>((end + 7) / 8);

  Napi::Array buffers = Napi::Array::New(env);
  switch (layout.kind) {
    case Kind::Null:
      break;
    case Kind::Bits:
      buffers.Set(0u, Buffer(env, a, 0, bitmapBytes, column));
      buffers.Set(1u, Buffer(env, a, 1, bitmapBytes, column));
      break;
    case Kind::Fixed:
      buffers.Set(0u, Buffer(env, a, 0, bitmapBytes, column));
      buffers.Set(1u, Buffer(env, a, 1, static_cast<size_t>(end * layout.width), column));
      break;
    case Kind::Var32:
      buffers.Set(0u, Buffer(env, a, 0, bitmapBytes, column));
      buffers.Set(1u, Buffer(env, a, 1, static_cast<size_t>(end + 1) * 4, column));
      buffers.Set(2u, Buffer(env, a, 2, static_cast<size_t>(LastOffset<int32_t>(a)), column));
      break;
    case Kind::Var64:
      buffers.Set(0u, Buffer(env, a, 0, bitmapBytes, column));
      buffers.Set(1u, Buffer(env, a, 1, static_cast<size_t>(end + 1) * 8, column));
      buffers.Set(2u, Buffer(env, a, 2, static_cast<size_t>(LastOffset<int64_t>(a)), column));
      break;
    case Kind::List32:
      buffers.Set(0u, Buffer(env, a, 0, bitmapBytes, column));
      buffers.Set(1u, Buffer(env, a, 1, static_cast<size_t>(end + 1) * 4, column));
      break;
    case Kind::List64:
      buffers.Set(0u, Buffer(env, a, 0, bitmapBytes, column));
      buffers.Set(1u, Buffer(env, a, 1, static_cast<size_t>(end + 1) * 8, column));
      break;
    case Kind::FixedList:
    case Kind::Struct:
      buffers.Set(0u, Buffer(env, a, 0, bitmapBytes, column));
      break;
  }

  if (a->n_children != schema->n_children) {
    throw std::runtime_error("column '" + column + "': Arrow array and schema disagree on children");
  }
  Napi::Array children = Napi::Array::New(env, static_cast<size_t>(a->n_children));
  for (int64_t i = 0; i < a->n_children; i++) {
    const ArrowSchema* cs = schema->children[i];
    const std::string name = column + "." + (cs->name != nullptr ? cs->name : "");
    children.Set(static_cast<uint32_t>(i), ExportArray(env, cs, a->children[i], name));
  }

  Napi::Object out = Napi::Object::New(env);
  out.Set("length", Napi::Number::New(env, static_cast<double>(a->length)));
  out.Set("offset", Napi::Number::New(env, static_cast<double>(a->offset)));
  out.Set("nullCount", Napi::Number::New(env, static_cast<double>(a->null_count)));
  out.Set("buffers", buffers);
  out.Set("children", children);
  if (schema->dictionary != nullptr && a->dictionary != nullptr) {
    out.Set("dictionary", ExportArray(env, schema->dictionary, a->dictionary, column + " (dictionary)"));
  } else {
    out.Set("dictionary", env.Null());
  }
  return out;
}

}  // namespace geopart
