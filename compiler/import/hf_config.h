// config.json (and generation_config.json) of a Hugging Face Llama checkpoint.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/import/model_spec.h"

namespace lac::import {

struct HfConfig {
  ModelConfig config;
  std::vector<uint32_t> eos_ids;  // config.json eos_token_id (int or list)
  std::optional<uint32_t> bos_id;
  std::map<std::string, std::string> metadata;  // model_type, torch_dtype, ...
  std::vector<std::string> warnings;  // one line each: keys read but not understood
};

// Parses config.json's text, in transformers' older style (rope_theta +
// rope_scaling) and in its 5.x style (rope_parameters). Refuses anything but
// model_type "llama" / LlamaForCausalLM, RoPE other than default/llama3
// (yarn, dynamic, linear, longrope, partial rotary), bias terms, activations
// other than silu, and the keys of quantized, MoE, sliding-window or
// soft-capped variants (Error::Unsupported, naming key and value). Keys it
// does not know at all are listed in `warnings`.
Result<HfConfig> parseHfConfig(const std::string& text, const std::string& name);

// "eos_token_id" of a parsed JSON file given as text: an int, a list or absent.
Result<std::vector<uint32_t>> parseEosTokenIds(const std::string& text, const std::string& name);

}  // namespace lac::import
