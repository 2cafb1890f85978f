#include "gdal_error.h"

namespace geopart {

ErrorCollector::ErrorCollector() {
  CPLErrorReset();
  CPLPushErrorHandlerEx(&ErrorCollector::Handler, this);
}

ErrorCollector::~ErrorCollector() { CPLPopErrorHandler(); }

void CPL_STDCALL ErrorCollector::Handler(CPLErr cls, CPLErrorNum, const char* msg) {
  auto* self = static_cast<ErrorCollector*>(CPLGetErrorHandlerUserData());
  if (self == nullptr || msg == nullptr) return;
  if (cls == CE_Failure || cls == CE_Fatal) {
    self->failures_.emplace_back(msg);
  } else if (cls == CE_Warning && self->warnings_.size() < 100) {
    // Capped: a driver may warn once per row.
    self->warnings_.emplace_back(msg);
  }
}

std::string ErrorCollector::Reason() const {
  if (!failures_.empty()) return failures_.back();
  const char* last = CPLGetLastErrorMsg();
  return last != nullptr ? std::string(last) : std::string();
}

void ThrowCoded(Napi::Env env, const char* code, const std::string& message, const ErrorWhere& where) {
  Napi::Error err = Napi::Error::New(env, message);
  Napi::Object obj = err.Value();
  obj.Set("code", Napi::String::New(env, code));
  obj.Set("file", Napi::String::New(env, where.file));
  if (!where.layer.empty()) obj.Set("layer", Napi::String::New(env, where.layer));
  if (where.row >= 0) obj.Set("row", Napi::Number::New(env, static_cast<double>(where.row)));
  throw err;
}

std::string GdalSays(const std::string& reason) {
  if (reason.empty()) return "";
  return " (GDAL: " + reason + ")";
}

}  // namespace geopart
