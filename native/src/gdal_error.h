// GDAL error capture and the coded JS errors the addon throws.
#pragma once

#include <napi.h>

#include <cpl_error.h>

#include <cstdint>
#include <string>
#include <vector>

namespace geopart {

// Collects the GDAL errors raised on this thread while it is alive. GDAL's handler stack
// is thread-local, so readers in different worker threads never see each other's errors,
// and nothing global (such as gdal-async's handler) is replaced.
class ErrorCollector {
 public:
  ErrorCollector();
  ~ErrorCollector();
  ErrorCollector(const ErrorCollector&) = delete;
  ErrorCollector& operator=(const ErrorCollector&) = delete;

  bool HasFailure() const { return !failures_.empty(); }
  // The last CE_Failure/CE_Fatal message, else CPLGetLastErrorMsg(), else "".
  std::string Reason() const;
  // Warnings seen so far; the caller moves them somewhere longer-lived.
  std::vector<std::string>& Warnings() { return warnings_; }

 private:
  static void CPL_STDCALL Handler(CPLErr cls, CPLErrorNum num, const char* msg);
  std::vector<std::string> failures_;
  std::vector<std::string> warnings_;
};

// Where an error happened; becomes properties of the thrown JS error.
struct ErrorWhere {
  std::string file;
  std::string layer;
  int64_t row = -1;
};

// Throws a JS Error whose `code` is one of geopart's error codes (src/errors.ts); the JS
// loader rebuilds it as a GeopartError with `file`, `layer` and `row` as its context.
[[noreturn]] void ThrowCoded(Napi::Env env, const char* code, const std::string& message,
                             const ErrorWhere& where);

// " (GDAL: reason)" when GDAL said something, else "".
std::string GdalSays(const std::string& reason);

}  // namespace geopart
