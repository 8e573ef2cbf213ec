// libFuzzer entry point: Meta params.json parsing (parseMetaParams) on
// arbitrary bytes. Seeds: test/fuzz-corpus/meta_params/ (Llama 3, 3.1, 3.2).
//
// Properties: no crash; a refusal is one line; an accepted file gives a
// config whose sizes are positive and whose ffn size follows Meta's rule.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/import/meta_params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto r = lac::import::parseMetaParams(text, "params.json");
  if (!r.ok()) {
    if (r.status().message.empty() || r.status().message.find('\n') != std::string::npos) __builtin_trap();
    return 0;
  }
  if (r->dim == 0 || r->n_layers == 0 || r->n_heads == 0 || r->n_kv_heads == 0 || r->head_dim == 0) __builtin_trap();
  if (!(r->rope_theta > 0) || !(r->norm_eps > 0)) __builtin_trap();
  return 0;
}
