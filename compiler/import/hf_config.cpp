#include "compiler/import/hf_config.h"

#include "compiler/import/hf_json.h"

#include <cmath>
#include <set>
#include <string_view>

namespace lac::import {

using hf::Json;

namespace {

// ---- architecture -------------------------------------------------------------

// Keys this reader interprets (the rest of this file), and keys that
// LlamaConfig / PretrainedConfig write which do not change inference math.
const std::set<std::string_view> kReadKeys = {
    "model_type", "architectures", "hidden_size", "num_hidden_layers", "num_attention_heads",
    "num_key_value_heads", "intermediate_size", "vocab_size", "head_dim", "max_position_embeddings",
    "rms_norm_eps", "rope_theta", "rope_scaling", "rope_parameters", "tie_word_embeddings", "attention_bias",
    "mlp_bias", "hidden_act", "bos_token_id", "eos_token_id", "torch_dtype", "dtype", "quantization_config",
    "partial_rotary_factor", "layer_types", "sliding_window", "use_sliding_window", "num_experts",
    "num_local_experts", "use_qk_norm", "logit_scale", "logits_scaling", "attention_multiplier",
    "embedding_multiplier", "residual_multiplier", "no_rope_layers", "attn_logit_softcapping",
    "final_logit_softcapping", "query_pre_attn_scalar"};
const std::set<std::string_view> kHarmlessKeys = {
    "transformers_version", "_name_or_path", "use_cache", "initializer_range", "attention_dropout",
    "pretraining_tp",  // splits the matmuls during training; the same math
    "pad_token_id", "output_attentions", "output_hidden_states", "return_dict", "is_decoder",
    "id2label", "label2id", "problem_type", "tokenizer_class", "chunk_size_feed_forward",
    "is_encoder_decoder", "add_cross_attention", "tf_legacy_loss", "use_bfloat16", "torchscript",
    "pruned_heads", "finetuning_task", "task_specific_params", "prefix", "sep_token_id",
    "decoder_start_token_id", "cross_attention_hidden_size", "bad_words_ids", "max_length", "min_length",
    "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty", "temperature",
    "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
    "encoder_no_repeat_ngram_size", "num_return_sequences", "output_scores", "return_dict_in_generate",
    "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values", "exponential_decay_length_penalty",
    "suppress_tokens", "begin_suppress_tokens", "tie_encoder_decoder", "_attn_implementation",
    "_attn_implementation_autoset", "attn_implementation", "output_router_logits", "router_aux_loss_coef",
    "_commit_hash", "auto_map", "custom_pipelines", "keys_to_ignore_at_inference"};

// True for JSON values that leave a feature off: absent, null, false, 0, "",
// [] or {}.
bool isOff(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (it->is_boolean()) return !it->get<bool>();
  if (it->is_number()) return it->get<double>() == 0.0;
  if (it->is_string()) return it->get<std::string>().empty();
  if (it->is_array() || it->is_object()) return it->empty();
  return false;
}

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
  for (const char* key : {"attention_bias", "mlp_bias"}) {
    LAC_ASSIGN_OR_RETURN(auto on, hf::getBool(j, key, name));
    LAC_CHECK_OR_RETURN(!on.value_or(false), Error::Unsupported,
                        "%s: \"%s\": true is not supported (LAC's Llama has no bias terms)", f, key);
  }
  LAC_ASSIGN_OR_RETURN(auto act, hf::getString(j, "hidden_act", name));
  LAC_CHECK_OR_RETURN(!act || *act == "silu", Error::Unsupported,
                      "%s: \"hidden_act\": \"%s\" is not supported (only silu)", f, act->c_str());

  // Keys of other Llama-like models, or of quantized/MoE/sliding-window
  // variants: each changes what the model computes, so each is refused
  // unless it is off.
  for (const char* key : {"quantization_config", "sliding_window", "use_sliding_window", "num_experts",
                          "num_local_experts", "use_qk_norm", "logit_scale", "logits_scaling",
                          "attention_multiplier", "embedding_multiplier", "residual_multiplier", "no_rope_layers",
                          "attn_logit_softcapping", "final_logit_softcapping", "query_pre_attn_scalar"})
    LAC_CHECK_OR_RETURN(isOff(j, key), Error::Unsupported,
                        "%s: \"%s\": %s is not supported (it changes the model's math and LAC does not implement "
                        "it)",
                        f, key, hf::brief(j[key]).c_str());
  if (auto it = j.find("layer_types"); it != j.end() && !it->is_null()) {
    LAC_CHECK_OR_RETURN(it->is_array(), Error::InvalidCheckpoint, "%s: \"layer_types\" is not a list", f);
    for (const Json& t : *it)
      LAC_CHECK_OR_RETURN(t == "full_attention", Error::Unsupported,
                          "%s: \"layer_types\" has %s; only full_attention layers are supported", f,
                          hf::brief(t).c_str());
  }

  // Anything else: say so (a key LAC has never seen may change the math).
  std::string unknown;
  for (const auto& [key, value] : j.items())
    if (!kReadKeys.count(key) && !kHarmlessKeys.count(key)) unknown += (unknown.empty() ? "" : ", ") + key;
  if (!unknown.empty())
    out.warnings.push_back(name + ": keys LAC does not know, ignored: " + unknown +
                           " (if one of them changes the model, the artifact will not match it)");
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
  LAC_CHECK_OR_RETURN(c.norm_eps > 0, Error::InvalidCheckpoint, "%s: rms_norm_eps must be positive",
                      name.c_str());
  LAC_ASSIGN_OR_RETURN(auto tied, hf::getBool(j, "tie_word_embeddings", name));
  c.tied_embeddings = tied.value_or(false);  // LlamaConfig's default
  return {};
}

// ---- RoPE ----------------------------------------------------------------------
//
// Two spellings of the same facts:
//   transformers < 5:  "rope_theta": 500000.0,
//                      "rope_scaling": {"rope_type": "llama3", "factor": 8.0, ...} (or null)
//   transformers >= 5: "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0,
//                                          "factor": 8.0, ...}
// Both are read; where both are present they must agree.

// What one spelling says: theta (nullopt: not given) and the scaling.
struct Rope {
  std::optional<double> theta;
  std::optional<RopeScaling> scaling;
};

// A rope_scaling / rope_parameters object. `where` names it in messages.
Result<Rope> readRopeObject(const Json& rs, const std::string& where, const std::string& name) {
  const char* w = where.c_str();
  LAC_CHECK_OR_RETURN(rs.is_object(), Error::InvalidCheckpoint, "%s: %s is not an object", name.c_str(), w);
  Rope r;
  LAC_ASSIGN_OR_RETURN(r.theta, hf::getNumber(rs, "rope_theta", name));
  LAC_ASSIGN_OR_RETURN(auto partial, hf::getNumber(rs, "partial_rotary_factor", name));
  LAC_CHECK_OR_RETURN(!partial || *partial == 1.0, Error::Unsupported,
                      "%s: %s.partial_rotary_factor %g is not supported (RoPE on every dimension only)",
                      name.c_str(), w, *partial);
  LAC_ASSIGN_OR_RETURN(auto type, hf::getString(rs, "rope_type", name));
  if (!type) {
    LAC_ASSIGN_OR_RETURN(type, hf::getString(rs, "type", name));
  }
  if (!type) {
    // transformers 5 nests per-layer-type parameters for some models.
    for (const auto& [key, value] : rs.items())
      LAC_CHECK_OR_RETURN(!value.is_object(), Error::Unsupported,
                          "%s: %s has per-layer-type parameters ('%s'); only one RoPE for every layer is supported",
                          name.c_str(), w, key.c_str());
  }
  LAC_CHECK_OR_RETURN(type.has_value() || r.theta.has_value(), Error::InvalidCheckpoint, "%s: %s has no rope_type",
                      name.c_str(), w);
  if (!type || *type == "default") return r;  // transformers ignores factor etc. here too
  LAC_CHECK_OR_RETURN(*type == "llama3", Error::Unsupported,
                      "%s: %s rope_type '%s' is not supported (only default and llama3)", name.c_str(), w,
                      type->c_str());
  RopeScaling s;
  LAC_ASSIGN_OR_RETURN(auto factor, hf::getNumber(rs, "factor", name));
  LAC_ASSIGN_OR_RETURN(auto low, hf::getNumber(rs, "low_freq_factor", name));
  LAC_ASSIGN_OR_RETURN(auto high, hf::getNumber(rs, "high_freq_factor", name));
  LAC_ASSIGN_OR_RETURN(auto orig, optionalU32(rs, "original_max_position_embeddings", name));
  LAC_CHECK_OR_RETURN(factor && low && high && orig, Error::InvalidCheckpoint,
                      "%s: llama3 %s needs factor, low_freq_factor, high_freq_factor and "
                      "original_max_position_embeddings",
                      name.c_str(), w);
  LAC_CHECK_OR_RETURN(*factor > 0 && *low > 0 && *high > *low, Error::InvalidCheckpoint,
                      "%s: %s factors are out of range (factor %g, low %g, high %g)", name.c_str(), w, *factor, *low,
                      *high);
  s.factor = static_cast<float>(*factor);
  s.low_freq_factor = static_cast<float>(*low);
  s.high_freq_factor = static_cast<float>(*high);
  s.original_max_position = *orig;
  r.scaling = s;
  return r;
}

bool sameScaling(const std::optional<RopeScaling>& a, const std::optional<RopeScaling>& b) {
  if (!a || !b) return !a && !b;
  return a->factor == b->factor && a->low_freq_factor == b->low_freq_factor &&
         a->high_freq_factor == b->high_freq_factor && a->original_max_position == b->original_max_position;
}

VoidResult readRope(const Json& j, const std::string& name, ModelConfig& c) {
  LAC_ASSIGN_OR_RETURN(auto partial, hf::getNumber(j, "partial_rotary_factor", name));
  LAC_CHECK_OR_RETURN(!partial || *partial == 1.0, Error::Unsupported,
                      "%s: \"partial_rotary_factor\": %g is not supported (RoPE on every dimension only)",
                      name.c_str(), *partial);
  // The older spelling.
  Rope old;
  LAC_ASSIGN_OR_RETURN(old.theta, hf::getNumber(j, "rope_theta", name));
  if (auto it = j.find("rope_scaling"); it != j.end() && !it->is_null()) {
    LAC_ASSIGN_OR_RETURN(Rope rs, readRopeObject(*it, "rope_scaling", name));
    LAC_CHECK_OR_RETURN(!rs.theta || !old.theta || *rs.theta == *old.theta, Error::InvalidCheckpoint,
                        "%s: rope_theta %g and rope_scaling.rope_theta %g disagree", name.c_str(), *old.theta,
                        *rs.theta);
    if (!old.theta) old.theta = rs.theta;
    old.scaling = rs.scaling;
  }
  Rope rope = old;
  // transformers 5's spelling.
  if (auto it = j.find("rope_parameters"); it != j.end() && !it->is_null()) {
    LAC_ASSIGN_OR_RETURN(Rope rp, readRopeObject(*it, "rope_parameters", name));
    LAC_CHECK_OR_RETURN(!old.theta || !rp.theta || *old.theta == *rp.theta, Error::InvalidCheckpoint,
                        "%s: rope_theta %g and rope_parameters.rope_theta %g disagree", name.c_str(), *old.theta,
                        *rp.theta);
    LAC_CHECK_OR_RETURN(!j.contains("rope_scaling") || j["rope_scaling"].is_null() ||
                            sameScaling(old.scaling, rp.scaling),
                        Error::InvalidCheckpoint, "%s: rope_scaling and rope_parameters describe different scalings",
                        name.c_str());
    rope.theta = rp.theta ? rp.theta : old.theta;
    rope.scaling = rp.scaling;
  }
  c.rope_theta = static_cast<float>(rope.theta.value_or(10000.0));  // LlamaConfig's default
  LAC_CHECK_OR_RETURN(c.rope_theta > 0 && std::isfinite(c.rope_theta), Error::InvalidCheckpoint,
                      "%s: rope_theta must be a positive number", name.c_str());
  c.rope_scaling = rope.scaling;
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
  LAC_RETURN_IF_ERROR(readRope(j, name, out.config));
  LAC_ASSIGN_OR_RETURN(out.eos_ids, tokenIds(j, "eos_token_id", name));
  LAC_ASSIGN_OR_RETURN(auto bos, tokenIds(j, "bos_token_id", name));
  if (!bos.empty()) out.bos_id = bos[0];
  for (const char* key : {"torch_dtype", "dtype"}) {  // transformers 5 writes "dtype"
    LAC_ASSIGN_OR_RETURN(auto dtype, hf::getString(j, key, name));
    if (dtype) out.metadata["torch_dtype"] = *dtype;
  }
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
