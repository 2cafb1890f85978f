// Copies Arrow C Data Interface structures into plain JS descriptions that
// src/io/arrow-c.ts turns into apache-arrow Data. Buffers are copied into fresh
// ArrayBuffers, so they are owned by JS and can be transferred to another thread.
#pragma once

#include <napi.h>

#include <ogr_recordbatch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace geopart {

// Key/value pairs of an ArrowSchema's binary metadata, in order.
std::vector<std::pair<std::string, std::string>> ParseMetadata(const char* metadata);

// The value of one metadata key, or "" when absent.
std::string MetadataValue(const char* metadata, const std::string& key);

// { format, name, metadata, flags, children, dictionary } for a schema node and its children.
Napi::Object ExportSchema(Napi::Env env, const ArrowSchema* schema);

// { length, offset, nullCount, buffers, children, dictionary } for an array node and its
// children. `column` names the column in errors.
Napi::Object ExportArray(Napi::Env env, const ArrowSchema* schema, const ArrowArray* array,
                         const std::string& column);

// Copies `size` bytes into a new ArrayBuffer (an empty one when size is 0).
Napi::ArrayBuffer CopyToArrayBuffer(Napi::Env env, const void* data, size_t size);

// Releases an ArrowArray when it goes out of scope, even if an export throws.
class ArrayGuard {
 public:
  explicit ArrayGuard(ArrowArray* array) : array_(array) {}
  ~ArrayGuard() {
    if (array_->release != nullptr) array_->release(array_);
  }
  ArrayGuard(const ArrayGuard&) = delete;
  ArrayGuard& operator=(const ArrayGuard&) = delete;

 private:
  ArrowArray* array_;
};

}  // namespace geopart
