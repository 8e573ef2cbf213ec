// Small helpers for the JSON files of a Hugging Face checkpoint folder.
// nlohmann::json throws; these catch at the boundary and return Results.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/core/result.h"

namespace lac::import::hf {

using Json = nlohmann::json;

// Whole file as text; NotFound when it is not there.
Result<std::string> readTextFile(const std::string& path);
// Parses `text`; a syntax error becomes InvalidCheckpoint naming `name`.
Result<Json> parseJson(const std::string& text, const std::string& name);
// Both of the above.
Result<Json> readJsonFile(const std::string& path);

// A value as short JSON text for error messages (at most 60 characters).
std::string brief(const Json& v);

// Typed field access: nullopt when the key is absent or null; an error when
// present with the wrong type or out of range.
Result<std::optional<uint64_t>> getUint(const Json& obj, const char* key, const std::string& file);
Result<std::optional<double>> getNumber(const Json& obj, const char* key, const std::string& file);
Result<std::optional<bool>> getBool(const Json& obj, const char* key, const std::string& file);
Result<std::optional<std::string>> getString(const Json& obj, const char* key, const std::string& file);

}  // namespace lac::import::hf
