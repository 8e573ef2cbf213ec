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
};

// Parses config.json's text. Refuses anything but model_type "llama" /
// LlamaForCausalLM, and rope scalings other than "llama3".
Result<HfConfig> parseHfConfig(const std::string& text, const std::string& name);

// "eos_token_id" of a parsed JSON file given as text: an int, a list or absent.
Result<std::vector<uint32_t>> parseEosTokenIds(const std::string& text, const std::string& name);

}  // namespace lac::import
