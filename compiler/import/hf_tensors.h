// The tensors of a Hugging Face Llama checkpoint: model.safetensors or shards
// listed in model.safetensors.index.json, renamed to Meta's names, with q/k
// rows un-permuted lazily (TensorView::row_permutation).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/import/model_spec.h"

namespace lac::import {

// "model.layers.3.self_attn.q_proj.weight" -> "layers.3.attention.wq.weight".
// nullopt for a name that is not part of a Llama model.
std::optional<std::string> hfToMetaName(const std::string& hf_name);

// HF's convert_llama_weights_to_hf.py stores wq/wk as
//   permute(w) = w.view(n_heads, head_dim/2, 2, dim).transpose(1, 2).reshape(n_heads*head_dim, dim)
// i.e. Meta row h*head_dim + 2i + j is stored at HF row h*head_dim + j*head_dim/2 + i.
// Returns that map: entry r (a Meta row) = the stored HF row.
std::vector<uint32_t> hfRotaryRowPermutation(uint32_t n_heads, uint32_t head_dim);

// Reads the tensors in `folder` (single file or sharded), renamed, with q/k
// permutations set for `config`. Also reports whether lm_head was present.
struct HfTensors {
  std::vector<TensorView> tensors;
  bool has_output = false;
};
Result<HfTensors> readHfTensors(const std::string& folder, const ModelConfig& config);

}  // namespace lac::import
