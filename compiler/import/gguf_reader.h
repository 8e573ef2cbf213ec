// GGUF -> ModelSpec, in pieces (readGguf in reader.h is the usual entry).
//
// Only architecture "llama" is read. Tensor names are mapped to Meta's
// (ggufToMetaName); a tensor with no Llama counterpart is REFUSED
// (Error::Unsupported) rather than silently ignored, since dropping, say, a
// bias would give wrong answers. The one extra tensor understood is
// rope_freqs.weight (Llama 3.1-style RoPE scaling factors), which becomes
// config.rope_scaling. GGUF's llama q/k weights are already in Meta's rotary
// layout (llama.cpp's converter permutes Hugging Face weights), so no row
// permutation is applied.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "compiler/import/gguf_file.h"
#include "compiler/import/reader.h"

namespace lac::import {

// Builds the spec from a parsed file. `bytes` is the whole file (the parse
// source); `file` is its map, referenced by the tensor views (may be null
// when parsing from memory, e.g. in the fuzzer: then validateSpec refuses the
// tensors at the end, after every other check has run).
Result<ModelSpec> specFromGguf(const GgufFile& f, std::span<const uint8_t> bytes,
                               std::shared_ptr<const MappedFile> file, const ReadOptions& options);

// "blk.3.attn_q.weight" -> "layers.3.attention.wq.weight"; nullopt when the
// name has no Llama counterpart. rope_freqs.weight is not mapped.
std::optional<std::string> ggufToMetaName(const std::string& gguf_name);

// Tokenizer, chat format and stop tokens from tokenizer.* keys (gguf_tokenizer.cpp).
VoidResult readGgufTokenizer(const GgufFile& f, ModelSpec& spec);

// The tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class GgufTokenType : int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

}  // namespace lac::import
