#include "compiler/import/hf_config.h"

#include "compiler/import/hf_json.h"

namespace lac::import {

using hf::Json;

namespace {

// ---- architecture -------------------------------------------------------------

VoidResult checkArchitecture(const Json& j, const std::string& name, HfConfig& out) {
  const char* f = name.c_str();
  LAC_ASSIGN_OR_RETURN(auto model_type, hf::getString(j, "model_type", name));
  std::vector<std::string> archs;
  if (j.contains("architectures") && j["architectures"].is_array())
    for (const Json& a : j["architectures"])
      if (a.is_string()) archs.push_back(a.get<std::string>());
  LAC_CHECK_OR_RETURN(model_type || !archs.empty(), Error::InvalidCheckpoint,
                      "%s: neither \"model_type\" nor \"architectures\" says what model this is", f);
  LAC_CHECK_OR_RETURN(!model_type || *model_type == "llama", Error::Unsupported,
                      "%s: model_type '%s' is not supported (only llama / LlamaForCausalLM)", f, model_type->c_str());
  for (const std::string& a : archs)
    LAC_CHECK_OR_RETURN(a == "LlamaForCausalLM", Error::Unsupported,
                        "%s: architecture '%s' is not supported (only LlamaForCausalLM)", f, a.c_str());

  // Variants of LlamaForCausalLM that add tensors or change the activation.
  LAC_ASSIGN_OR_RETURN(auto attention_bias, hf::getBool(j, "attention_bias", name));
  LAC_ASSIGN_OR_RETURN(auto mlp_bias, hf::getBool(j, "mlp_bias", name));
  LAC_CHECK_OR_RETURN(!attention_bias.value_or(false) && !mlp_bias.value_or(false), Error::Unsupported,
                      "%s: attention_bias / mlp_bias are not supported", f);
  LAC_ASSIGN_OR_RETURN(auto act, hf::getString(j, "hidden_act", name));
  LAC_CHECK_OR_RETURN(!act || *act == "silu", Error::Unsupported,
                      "%s: hidden_act '%s' is not supported (only silu)", f, act->c_str());
  out.metadata["model_type"] = model_type.value_or("llama");
  return {};
}

// ---- sizes ---------------------------------------------------------------------

Result<uint32_t> requireU32(const Json& j, const char* key, const std::string& name) {
  LAC_ASSIGN_OR_RETURN(auto v, hf::getUint(j, key, name));
  LAC_CHECK_OR_RETURN(v.has_value(), Error::InvalidCheckpoint, "%s: \"%s\" is missing", name.c_str(), key);
  LAC_CHECK_OR_RETURN(*v > 0 && *v <= UINT32_MAX, Error::InvalidCheckpoint, "%s: \"%s\" is %llu, out of range",
                      name.c_str(), key, static_cast<unsigned long long>(*v));
  return static_cast<uint32_t>(*v);
}

Result<std::optional<uint32_t>> optionalU32(const Json& j, const char* key, const std::string& name) {
  LAC_ASSIGN_OR_RETURN(auto v, hf::getUint(j, key, name));
  if (!v) return std::optional<uint32_t>();
  LAC_CHECK_OR_RETURN(*v > 0 && *v <= UINT32_MAX, Error::InvalidCheckpoint, "%s: \"%s\" is %llu, out of range",
                      name.c_str(), key, static_cast<unsigned long long>(*v));
  return std::optional<uint32_t>(static_cast<uint32_t>(*v));
}

VoidResult readSizes(const Json& j, const std::string& name, ModelConfig& c) {
  LAC_ASSIGN_OR_RETURN(c.dim, requireU32(j, "hidden_size", name));
  LAC_ASSIGN_OR_RETURN(c.n_layers, requireU32(j, "num_hidden_layers", name));
  LAC_ASSIGN_OR_RETURN(c.n_heads, requireU32(j, "num_attention_heads", name));
  LAC_ASSIGN_OR_RETURN(auto kv, optionalU32(j, "num_key_value_heads", name));
  c.n_kv_heads = kv.value_or(c.n_heads);
  LAC_ASSIGN_OR_RETURN(c.ffn_dim, requireU32(j, "intermediate_size", name));
  LAC_ASSIGN_OR_RETURN(c.vocab_size, requireU32(j, "vocab_size", name));
  LAC_ASSIGN_OR_RETURN(auto head_dim, optionalU32(j, "head_dim", name));
  LAC_CHECK_OR_RETURN(head_dim || c.dim % c.n_heads == 0, Error::InvalidCheckpoint,
                      "%s: hidden_size %u is not a multiple of num_attention_heads %u", name.c_str(), c.dim,
                      c.n_heads);
  c.head_dim = head_dim.value_or(c.dim / c.n_heads);
  LAC_ASSIGN_OR_RETURN(auto max_pos, optionalU32(j, "max_position_embeddings", name));
  c.max_seq_len = max_pos.value_or(0);

  LAC_ASSIGN_OR_RETURN(auto eps, hf::getNumber(j, "rms_norm_eps", name));
  c.norm_eps = static_cast<float>(eps.value_or(1e-6));  // LlamaConfig's default
  LAC_ASSIGN_OR_RETURN(auto theta, hf::getNumber(j, "rope_theta", name));
  c.rope_theta = static_cast<float>(theta.value_or(10000.0));
  LAC_CHECK_OR_RETURN(c.norm_eps > 0 && c.rope_theta > 0, Error::InvalidCheckpoint,
                      "%s: rms_norm_eps and rope_theta must be positive", name.c_str());
  LAC_ASSIGN_OR_RETURN(auto tied, hf::getBool(j, "tie_word_embeddings", name));
  c.tied_embeddings = tied.value_or(false);  // LlamaConfig's default
  return {};
}

// ---- rope_scaling ----------------------------------------------------------------

VoidResult readRopeScaling(const Json& j, const std::string& name, ModelConfig& c) {
  auto it = j.find("rope_scaling");
  if (it == j.end() || it->is_null()) return {};
  const Json& rs = *it;
  LAC_CHECK_OR_RETURN(rs.is_object(), Error::InvalidCheckpoint, "%s: rope_scaling is not an object", name.c_str());
  LAC_ASSIGN_OR_RETURN(auto type, hf::getString(rs, "rope_type", name));
  if (!type) {
    LAC_ASSIGN_OR_RETURN(type, hf::getString(rs, "type", name));
  }
  LAC_CHECK_OR_RETURN(type.has_value(), Error::InvalidCheckpoint, "%s: rope_scaling has no rope_type", name.c_str());
  if (*type == "default") return {};
  LAC_CHECK_OR_RETURN(*type == "llama3", Error::Unsupported,
                      "%s: rope_scaling type '%s' is not supported (only llama3)", name.c_str(), type->c_str());
  RopeScaling s;
  LAC_ASSIGN_OR_RETURN(auto factor, hf::getNumber(rs, "factor", name));
  LAC_ASSIGN_OR_RETURN(auto low, hf::getNumber(rs, "low_freq_factor", name));
  LAC_ASSIGN_OR_RETURN(auto high, hf::getNumber(rs, "high_freq_factor", name));
  LAC_ASSIGN_OR_RETURN(auto orig, optionalU32(rs, "original_max_position_embeddings", name));
  LAC_CHECK_OR_RETURN(factor && low && high && orig, Error::InvalidCheckpoint,
                      "%s: llama3 rope_scaling needs factor, low_freq_factor, high_freq_factor and "
                      "original_max_position_embeddings",
                      name.c_str());
  LAC_CHECK_OR_RETURN(*factor > 0 && *low > 0 && *high > *low, Error::InvalidCheckpoint,
                      "%s: rope_scaling factors are out of range (factor %g, low %g, high %g)", name.c_str(), *factor,
                      *low, *high);
  s.factor = static_cast<float>(*factor);
  s.low_freq_factor = static_cast<float>(*low);
  s.high_freq_factor = static_cast<float>(*high);
  s.original_max_position = *orig;
  c.rope_scaling = s;
  return {};
}

// ---- token ids -----------------------------------------------------------------------

Result<std::vector<uint32_t>> tokenIds(const Json& j, const char* key, const std::string& name) {
  std::vector<uint32_t> ids;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return ids;
  const Json list = it->is_array() ? *it : Json::array({*it});
  for (const Json& v : list) {
    LAC_CHECK_OR_RETURN(v.is_number_unsigned() && v.get<uint64_t>() <= UINT32_MAX, Error::InvalidCheckpoint,
                        "%s: \"%s\" must be a token id or a list of them, got %s", name.c_str(), key,
                        hf::brief(*it).c_str());
    ids.push_back(static_cast<uint32_t>(v.get<uint64_t>()));
  }
  return ids;
}

Result<HfConfig> parseChecked(const std::string& text, const std::string& name) {
  LAC_ASSIGN_OR_RETURN(Json j, hf::parseJson(text, name));
  LAC_CHECK_OR_RETURN(j.is_object(), Error::InvalidCheckpoint, "%s: not a JSON object", name.c_str());
  HfConfig out;
  LAC_RETURN_IF_ERROR(checkArchitecture(j, name, out));
  LAC_RETURN_IF_ERROR(readSizes(j, name, out.config));
  LAC_RETURN_IF_ERROR(readRopeScaling(j, name, out.config));
  LAC_ASSIGN_OR_RETURN(out.eos_ids, tokenIds(j, "eos_token_id", name));
  LAC_ASSIGN_OR_RETURN(auto bos, tokenIds(j, "bos_token_id", name));
  if (!bos.empty()) out.bos_id = bos[0];
  LAC_ASSIGN_OR_RETURN(auto dtype, hf::getString(j, "torch_dtype", name));
  if (dtype) out.metadata["torch_dtype"] = *dtype;
  return out;
}

}  // namespace

Result<HfConfig> parseHfConfig(const std::string& text, const std::string& name) {
  try {
    return parseChecked(text, name);
  } catch (const Json::exception& e) {
    LAC_FAIL(Error::InvalidCheckpoint, "%s: unexpected JSON structure (%s)", name.c_str(), e.what());
  }
}

Result<std::vector<uint32_t>> parseEosTokenIds(const std::string& text, const std::string& name) {
  try {
    LAC_ASSIGN_OR_RETURN(Json j, hf::parseJson(text, name));
    LAC_CHECK_OR_RETURN(j.is_object(), Error::InvalidCheckpoint, "%s: not a JSON object", name.c_str());
    return tokenIds(j, "eos_token_id", name);
  } catch (const Json::exception& e) {
    LAC_FAIL(Error::InvalidCheckpoint, "%s: unexpected JSON structure (%s)", name.c_str(), e.what());
  }
}

}  // namespace lac::import
