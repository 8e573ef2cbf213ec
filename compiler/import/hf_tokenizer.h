// Reading a Hugging Face tokenizer: tokenizer.json (+ tokenizer_config.json).
//
// Supported: model type "BPE" with byte-level pre-tokenization and decoding,
// as Llama 3 and SmolLM2 ship it. Vocabulary entries are GPT-2 byte
// characters and are decoded to raw bytes; added tokens are kept literally.
#pragma once

#include <string>

#include "compiler/import/model_spec.h"

namespace lac::import {

struct HfTokenizer {
  TokenizerData tokenizer;
  ChatFormat chat;
  std::map<std::string, std::string> metadata;  // facts worth printing ("tokenizer.ignore_merges", ...)
};

// Parses the texts of tokenizer.json and tokenizer_config.json (the latter
// may be empty: no config). The names are used in error messages.
Result<HfTokenizer> parseHfTokenizer(const std::string& tokenizer_json, const std::string& tokenizer_json_name,
                                     const std::string& config_json, const std::string& config_json_name);

// Reads <folder>/tokenizer.json and, when present, tokenizer_config.json
// (and chat_template.jinja for a template stored on its own).
Result<HfTokenizer> readHfTokenizer(const std::string& folder);

}  // namespace lac::import
