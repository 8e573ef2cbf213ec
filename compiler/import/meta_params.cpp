#include "compiler/import/meta_params.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <span>
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

// params.json keys: those read here, those that never change the math, and
// those whose feature is refused unless it is off (absent, null, false, 0,
// {} or []). Any other key is refused by name: Meta's format is a closed set
// (llama-models' ModelArgs), so an unknown key is a model LAC does not know.
constexpr const char* kReadKeys[] = {"dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "multiple_of",
                                     "ffn_dim_multiplier", "norm_eps", "rope_theta", "use_scaled_rope",
                                     "rope_scaling_factor", "max_seq_len"};
constexpr const char* kHarmlessKeys[] = {"max_batch_size"};
constexpr const char* kOffKeys[] = {"quantization_args", "lora_args", "moe_args", "vision_args",
                                    "vision_chunk_size", "vision_max_num_chunks",
                                    "vision_num_cross_attention_layers", "use_qk_norm", "attention_chunk_size",
                                    "nope_layer_interval", "rope_high_freq_factor", "rope_low_freq_factor"};

bool listed(const std::string& key, std::span<const char* const> keys) {
  for (const char* k : keys)
    if (key == k) return true;
  return false;
}

bool isOff(const json& v) {
  if (v.is_null()) return true;
  if (v.is_boolean()) return !v.get<bool>();
  if (v.is_number()) return v.get<double>() == 0.0;
  if (v.is_array() || v.is_object()) return v.empty();
  return false;
}

VoidResult checkKeys(const json& j, const std::string& where) {
  for (const auto& [key, value] : j.items()) {
    if (listed(key, kReadKeys) || listed(key, kHarmlessKeys)) continue;
    LAC_CHECK_OR_RETURN(!listed(key, kOffKeys) || isOff(value), Error::Unsupported,
                        "%s: '%s': %s is not supported (it changes the model's math and LAC does not implement it)",
                        where.c_str(), key.c_str(), value.dump().substr(0, 60).c_str());
    LAC_CHECK_OR_RETURN(listed(key, kOffKeys), Error::Unsupported,
                        "%s: unknown key '%s' (LAC reads Llama 3 params.json: dim, n_layers, n_heads, ...); refusing "
                        "rather than ignoring what may change the model",
                        where.c_str(), key.c_str());
  }
  return {};
}

Result<ModelConfig> parseChecked(const json& j, const std::string& path) {
  LAC_RETURN_IF_ERROR(checkKeys(j, path));
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
  LAC_CHECK_OR_RETURN(c.norm_eps > 0 && c.rope_theta > 0, Error::InvalidCheckpoint,
                      "%s: norm_eps and rope_theta must be positive", path.c_str());

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

}  // namespace

uint32_t metaFfnDim(uint32_t dim, uint32_t multiple_of, std::optional<double> ffn_dim_multiplier) {
  double hidden = 4.0 * dim;
  hidden = std::trunc(2.0 * hidden / 3.0);
  if (ffn_dim_multiplier) hidden = std::trunc(*ffn_dim_multiplier * hidden);
  const uint64_t h = static_cast<uint64_t>(hidden);
  return static_cast<uint32_t>(uint64_t(multiple_of) * ((h + multiple_of - 1) / multiple_of));
}

Result<ModelConfig> parseMetaParams(const std::string& text, const std::string& path) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    LAC_FAIL(Error::InvalidCheckpoint, "%s: malformed JSON: %s", path.c_str(), e.what());
  }
  LAC_CHECK_OR_RETURN(j.is_object(), Error::InvalidCheckpoint, "%s: expected a JSON object", path.c_str());
  try {
    return parseChecked(j, path);
  } catch (const json::exception& e) {
    LAC_FAIL(Error::InvalidCheckpoint, "%s: unexpected JSON structure (%s)", path.c_str(), e.what());
  }
}

Result<ModelConfig> readMetaParams(const std::string& path) {
  std::error_code ec;
  LAC_CHECK_OR_RETURN(std::filesystem::is_regular_file(path, ec), Error::NotFound, "%s: no such file",
                      path.c_str());
  std::ifstream in(path, std::ios::binary);
  LAC_CHECK_OR_RETURN(in.good(), Error::IoError, "%s: cannot open", path.c_str());
  std::stringstream ss;
  ss << in.rdbuf();
  return parseMetaParams(ss.str(), path);
}

}  // namespace lac::import
