// Test/benchmark support (not part of lac_tokenizer): TokenizerData for the
// real vocabularies, read without lac_import so the runtime's tests build
// with LAC_BUILD_COMPILER=OFF.
#pragma once

#include <string>

#include "runtime/core/result.h"
#include "runtime/tokenizer/tokenizer.h"

namespace lac::testdata {

// $LAC_SOURCE_DIR/../shared/data/llama3/tokenizer.model, or "" if absent.
std::string llama3TokenizerPath();
// $LAC_MODEL_CACHE (or ~/.cache/lac)/SmolLM2-135M-Instruct.Q4_1.gguf, or "" if absent.
std::string smollm2GgufPath();

// Meta's tiktoken file ("base64 rank" lines) plus Llama 3's 256 special
// tokens: kind tiktoken, pre-tokenizer "llama3", BOS 128000, EOS 128001.
Result<TokenizerData> loadLlama3(const std::string& path);

// The same Llama 3 vocabulary as HF's tokenizer.json / GGUF "llama-bpe" carry
// it: kind gpt2_bpe with a merge list recovered from the ranks (every split of
// every token into two tokens, ordered by the rank of the token they make,
// then by the parts' ranks; scripts/tiny_models/llama3_tokenizer.py).
TokenizerData llama3AsGpt2Bpe(const TokenizerData& tiktoken);

// The tokenizer.ggml.* keys of a GGUF file with a "gpt2" tokenizer: GPT-2
// characters decoded to raw bytes, CONTROL/USER_DEFINED tokens as specials.
Result<TokenizerData> loadGgufGpt2(const std::string& path);

}  // namespace lac::testdata
