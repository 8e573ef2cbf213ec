// Meta's params.json (llama/model.py ModelArgs) -> ModelConfig.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "compiler/import/model_spec.h"

namespace lac::import {

// The MLP hidden size exactly as Meta's FeedForward computes it:
//   hidden = int(2 * 4*dim / 3); if multiplier: hidden = int(multiplier * hidden)
//   hidden = multiple_of * ceil(hidden / multiple_of)
uint32_t metaFfnDim(uint32_t dim, uint32_t multiple_of, std::optional<double> ffn_dim_multiplier);

// Parses params.json's text (`path` names it in messages). Every key must be
// one LAC reads or knows to be harmless; the keys of Llama 4, vision,
// quantized or LoRA checkpoints are refused unless off, and unknown keys
// are refused by name (Error::Unsupported).
Result<ModelConfig> parseMetaParams(const std::string& text, const std::string& path);

// Reads and parses params.json at `path`. vocab_size is 0 when the file says -1 or
// nothing (the caller takes it from the tokenizer).
Result<ModelConfig> readMetaParams(const std::string& path);

}  // namespace lac::import
