// libFuzzer entry point: Hugging Face config.json parsing (parseHfConfig) on
// arbitrary bytes. Seeds: test/fuzz-corpus/hf_config/ (real configs, both the
// rope_parameters and the older rope_theta/rope_scaling style).
//
// Properties: no crash; a refusal is one line; an accepted config has sizes
// that agree (heads divide into kv groups, rope factors positive).
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/import/hf_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto r = lac::import::parseHfConfig(text, "config.json");
  if (!r.ok()) {
    if (r.status().message.empty() || r.status().message.find('\n') != std::string::npos) __builtin_trap();
    return 0;
  }
  const lac::import::ModelConfig& c = r->config;
  if (c.dim == 0 || c.n_layers == 0 || c.n_heads == 0 || c.n_kv_heads == 0 || c.head_dim == 0) __builtin_trap();
  if (!(c.rope_theta > 0) || !(c.norm_eps > 0)) __builtin_trap();
  if (c.rope_scaling && !(c.rope_scaling->factor > 0)) __builtin_trap();
  return 0;
}
