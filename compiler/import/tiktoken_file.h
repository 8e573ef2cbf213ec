// The tiktoken BPE file Meta ships as tokenizer.model ("<base64 token> <rank>"
// per line, ranks 0, 1, 2, ...) and the Llama 3 special tokens that Meta's
// Tokenizer appends after the ranks.
//
// Plain types only (no ModelSpec) in the first part, so the runtime can use
// it too; readLlama3Tokenizer fills the compiler's TokenizerData.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/import/model_spec.h"
#include "runtime/core/result.h"

namespace lac::import {

// ---- plain parsing -------------------------------------------------------------

// Parses the file's text into tokens indexed by rank (raw bytes). Strict: bad
// base64, a missing or non-consecutive rank, or a malformed line is an error
// naming `where` and the 1-based line number.
Result<std::vector<std::string>> parseTiktoken(std::string_view text, const std::string& where);
Result<std::vector<std::string>> readTiktokenFile(const std::string& path);

// The 256 Llama 3 special tokens in Meta's order: "<|begin_of_text|>",
// "<|end_of_text|>", "<|reserved_special_token_0|>".."_3|>", "<|start_header_id|>",
// "<|end_header_id|>", "<|reserved_special_token_4|>", "<|eot_id|>",
// "<|reserved_special_token_5|>".."_250|>". Their ids follow the ranks
// (128000.. for the real file).
const std::vector<std::string>& llama3SpecialTokens();
inline constexpr uint32_t kLlama3NumSpecialTokens = 256;
inline constexpr uint32_t kLlama3BeginOfText = 0;  // index into llama3SpecialTokens()
inline constexpr uint32_t kLlama3EndOfText = 1;
inline constexpr uint32_t kLlama3EotId = 9;

// Meta's Llama 3 pre-tokenizer regex.
std::string_view llama3PreTokenizerPattern();

// ---- TokenizerData ---------------------------------------------------------------

// Reads tokenizer.model and appends the specials: kind Tiktoken, pre-tokenizer
// "llama3", bos <|begin_of_text|>, eos <|end_of_text|>, add_bos.
Result<TokenizerData> readLlama3Tokenizer(const std::string& path);

}  // namespace lac::import
