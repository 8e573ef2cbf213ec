#include "compiler/import/hf_json.h"

#include "runtime/core/mapped_file.h"

namespace lac::import::hf {

Result<std::string> readTextFile(const std::string& path) {
  LAC_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  return std::string(reinterpret_cast<const char*>(file->data()), file->size());
}

Result<Json> parseJson(const std::string& text, const std::string& name) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    LAC_FAIL(Error::InvalidCheckpoint, "%s: not valid JSON (%s)", name.c_str(), e.what());
  }
}

Result<Json> readJsonFile(const std::string& path) {
  LAC_ASSIGN_OR_RETURN(std::string text, readTextFile(path));
  return parseJson(text, path);
}

namespace {

const Json* field(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

}  // namespace

std::string brief(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

Result<std::optional<uint64_t>> getUint(const Json& obj, const char* key, const std::string& file) {
  const Json* v = field(obj, key);
  if (!v) return std::optional<uint64_t>();
  LAC_CHECK_OR_RETURN(v->is_number_unsigned(), Error::InvalidCheckpoint,
                      "%s: \"%s\" must be a non-negative integer, got %s", file.c_str(), key, brief(*v).c_str());
  return std::optional<uint64_t>(v->get<uint64_t>());
}

Result<std::optional<double>> getNumber(const Json& obj, const char* key, const std::string& file) {
  const Json* v = field(obj, key);
  if (!v) return std::optional<double>();
  LAC_CHECK_OR_RETURN(v->is_number(), Error::InvalidCheckpoint, "%s: \"%s\" must be a number, got %s",
                      file.c_str(), key, brief(*v).c_str());
  return std::optional<double>(v->get<double>());
}

Result<std::optional<bool>> getBool(const Json& obj, const char* key, const std::string& file) {
  const Json* v = field(obj, key);
  if (!v) return std::optional<bool>();
  LAC_CHECK_OR_RETURN(v->is_boolean(), Error::InvalidCheckpoint, "%s: \"%s\" must be true or false, got %s",
                      file.c_str(), key, brief(*v).c_str());
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<std::string>> getString(const Json& obj, const char* key, const std::string& file) {
  const Json* v = field(obj, key);
  if (!v) return std::optional<std::string>();
  LAC_CHECK_OR_RETURN(v->is_string(), Error::InvalidCheckpoint, "%s: \"%s\" must be a string, got %s",
                      file.c_str(), key, brief(*v).c_str());
  return std::optional<std::string>(v->get<std::string>());
}

}  // namespace lac::import::hf
