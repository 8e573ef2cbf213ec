#include "compiler/import/meta_params.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace lac::import {

namespace {

using json = nlohmann::json;

// A positive integer field; `fallback` when absent (nullopt: required).
Result<uint32_t> uintField(const json& j, const char* key, std::optional<uint32_t> fallback, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) {
    LAC_CHECK_OR_RETURN(fallback.has_value(), Error::InvalidCheckpoint, "%s: '%s' is missing", where.c_str(), key);
    return *fallback;
  }
  const json& v = j[key];
  LAC_CHECK_OR_RETURN(v.is_number_integer() && v.get<int64_t>() > 0 && v.get<int64_t>() <= int64_t(UINT32_MAX),
                      Error::InvalidCheckpoint, "%s: '%s' must be a positive integer, got %s", where.c_str(), key,
                      v.dump().c_str());
  return static_cast<uint32_t>(v.get<int64_t>());
}

Result<std::optional<double>> numberField(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return std::optional<double>{};
  LAC_CHECK_OR_RETURN(j[key].is_number() && std::isfinite(j[key].get<double>()), Error::InvalidCheckpoint,
                      "%s: '%s' must be a number, got %s", where.c_str(), key, j[key].dump().c_str());
  return std::optional<double>(j[key].get<double>());
}

Result<json> loadJson(const std::string& path) {
  std::error_code ec;
  LAC_CHECK_OR_RETURN(std::filesystem::is_regular_file(path, ec), Error::NotFound, "%s: no such file",
                      path.c_str());
  std::ifstream in(path, std::ios::binary);
  LAC_CHECK_OR_RETURN(in.good(), Error::IoError, "%s: cannot open", path.c_str());
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    json j = json::parse(ss.str());
    LAC_CHECK_OR_RETURN(j.is_object(), Error::InvalidCheckpoint, "%s: expected a JSON object", path.c_str());
    return j;
  } catch (const json::exception& e) {
    LAC_FAIL(Error::InvalidCheckpoint, "%s: malformed JSON: %s", path.c_str(), e.what());
  }
}

}  // namespace

uint32_t metaFfnDim(uint32_t dim, uint32_t multiple_of, std::optional<double> ffn_dim_multiplier) {
  double hidden = 4.0 * dim;
  hidden = std::trunc(2.0 * hidden / 3.0);
  if (ffn_dim_multiplier) hidden = std::trunc(*ffn_dim_multiplier * hidden);
  const uint64_t h = static_cast<uint64_t>(hidden);
  return static_cast<uint32_t>(uint64_t(multiple_of) * ((h + multiple_of - 1) / multiple_of));
}

Result<ModelConfig> readMetaParams(const std::string& path) {
  LAC_ASSIGN_OR_RETURN(json j, loadJson(path));
  ModelConfig c;
  c.architecture = "llama";
  LAC_ASSIGN_OR_RETURN(c.dim, uintField(j, "dim", std::nullopt, path));
  LAC_ASSIGN_OR_RETURN(c.n_layers, uintField(j, "n_layers", std::nullopt, path));
  LAC_ASSIGN_OR_RETURN(c.n_heads, uintField(j, "n_heads", std::nullopt, path));
  LAC_ASSIGN_OR_RETURN(c.n_kv_heads, uintField(j, "n_kv_heads", c.n_heads, path));
  LAC_ASSIGN_OR_RETURN(uint32_t multiple_of, uintField(j, "multiple_of", 256u, path));
  LAC_ASSIGN_OR_RETURN(c.max_seq_len, uintField(j, "max_seq_len", 0u, path));
  LAC_CHECK_OR_RETURN(c.dim % c.n_heads == 0, Error::InvalidCheckpoint, "%s: dim %u is not a multiple of n_heads %u",
                      path.c_str(), c.dim, c.n_heads);
  c.head_dim = c.dim / c.n_heads;

  // vocab_size: -1 (Llama 2) or absent means "ask the tokenizer".
  if (j.contains("vocab_size") && !(j["vocab_size"].is_number_integer() && j["vocab_size"].get<int64_t>() == -1)) {
    LAC_ASSIGN_OR_RETURN(c.vocab_size, uintField(j, "vocab_size", std::nullopt, path));
  }

  LAC_ASSIGN_OR_RETURN(auto multiplier, numberField(j, "ffn_dim_multiplier", path));
  LAC_CHECK_OR_RETURN(!multiplier || (*multiplier > 0 && *multiplier < 1e3), Error::InvalidCheckpoint,
                      "%s: ffn_dim_multiplier %g is out of range", path.c_str(), *multiplier);
  c.ffn_dim = metaFfnDim(c.dim, multiple_of, multiplier);

  LAC_ASSIGN_OR_RETURN(auto eps, numberField(j, "norm_eps", path));
  if (eps) c.norm_eps = static_cast<float>(*eps);
  LAC_ASSIGN_OR_RETURN(auto theta, numberField(j, "rope_theta", path));
  c.rope_theta = theta ? static_cast<float>(*theta) : 10000.0f;

  if (j.contains("use_scaled_rope") && !j["use_scaled_rope"].is_null()) {
    LAC_CHECK_OR_RETURN(j["use_scaled_rope"].is_boolean(), Error::InvalidCheckpoint,
                        "%s: 'use_scaled_rope' must be true or false", path.c_str());
    if (j["use_scaled_rope"].get<bool>()) {
      c.rope_scaling = RopeScaling{};  // Meta's apply_scaling defaults: 8, 1, 4, 8192
      LAC_ASSIGN_OR_RETURN(auto factor, numberField(j, "rope_scaling_factor", path));  // newer llama-models
      if (factor) c.rope_scaling->factor = static_cast<float>(*factor);
    }
  }
  return c;
}

}  // namespace lac::import
