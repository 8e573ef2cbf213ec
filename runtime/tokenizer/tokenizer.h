// Text <-> token ids for the two tokenizer families LAC runs.
//
//   tiktoken   Meta's Llama 3: ids are ranks; a piece is merged by repeatedly
//              joining the adjacent pair whose concatenation has the lowest
//              rank. Text is cut the way Meta's tokenizer.py cuts it (chunks of
//              <= 400000 code points, runs of > 25000 (non-)whitespace).
//   gpt2_bpe   byte-level BPE with an explicit merge list (HF tokenizer.json,
//              GGUF "gpt2"): SmolLM2, or Llama 3 converted by HF/llama.cpp.
//
// Both pre-tokenize with PCRE2 (UTF + UCP) regexes chosen by the
// pre-tokenizer name. Depends only on runtime/core.
//
//   LAC_ASSIGN_OR_RETURN(Tokenizer tok, Tokenizer::create(data));
//   LAC_ASSIGN_OR_RETURN(auto ids, tok.encode(user_text, true, false, SpecialMode::Plain));
//   StreamDecoder out(tok);
//   for (uint32_t id : generated) { LAC_ASSIGN_OR_RETURN(std::string s, out.push(id)); print(s); }
//   print(out.flush());
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/core/result.h"
#include "runtime/tokenizer/tokenizer_data.h"

namespace lac {

// Whether special-token text inside the input becomes the special token.
enum class SpecialMode {
  Plain,      // user text: "<|eot_id|>" is encoded as ordinary text (Meta's rule)
  Recognize,  // prompts built by the chat formatter: it becomes one token
};

// --- Tokenizer ---------------------------------------------------------------

class Tokenizer {
 public:
  // Checks the data (ids in range, merges refer to tokens, the pre-tokenizer
  // is known and its regex compiles). Error::Unsupported for an unknown
  // pre-tokenizer name, Error::InvalidArtifact for inconsistent data.
  static Result<Tokenizer> create(const TokenizerData& data);

  // UTF-8 text -> ids. Error::InvalidArgument (naming the byte offset) when
  // `text` is not valid UTF-8, or when bos/eos is asked for but not defined.
  Result<std::vector<uint32_t>> encode(std::string_view text, bool bos, bool eos,
                                       SpecialMode mode) const;

  // ids -> UTF-8 text; invalid byte sequences become U+FFFD (one per maximal
  // invalid subpart, as Python's errors="replace"). Error::InvalidArgument for
  // an id out of range.
  Result<std::string> decode(const std::vector<uint32_t>& ids) const;

  // The raw bytes of one token (possibly part of a UTF-8 character).
  Result<std::string_view> tokenToBytes(uint32_t id) const;

  uint32_t vocabSize() const;
  bool isSpecial(uint32_t id) const;
  std::optional<uint32_t> specialId(std::string_view text) const;  // "<|eot_id|>" -> 128009
  std::optional<uint32_t> bosId() const;
  std::optional<uint32_t> eosId() const;
  bool addBos() const;

  struct Impl;

 private:
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;  // immutable: copies share it, threads may too
};

// --- Streaming decode ---------------------------------------------------------
// Turns ids into text as they are generated, never emitting half a UTF-8
// character: bytes of an incomplete character wait for the next token.
// Bytes that can never become valid are emitted as U+FFFD at once.
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tok) : tok_(tok) {}

  // The text that is complete after adding `id` (often empty or one token).
  Result<std::string> push(uint32_t id);
  // Whatever is still buffered, as U+FFFD: call once at the end.
  std::string flush();
  bool hasPending() const { return !pending_.empty(); }

 private:
  Tokenizer tok_;
  std::string pending_;  // the start of a character (at most 3 bytes)
};

}  // namespace lac
