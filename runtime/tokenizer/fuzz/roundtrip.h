// The property both tokenizer fuzzers check (header only, fuzz builds only).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "runtime/tokenizer/tokenizer.h"
#include "runtime/tokenizer/utf8.h"

namespace lac::fuzz {

// Which single bytes the vocabulary has a (non-special) token for. A byte
// without one is dropped by encode, as Hugging Face tokenizers (BPE without
// unk_token) and llama.cpp drop it: SmolLM2 lacks some control bytes.
struct ByteTable {
  bool has[256] = {};
};

inline ByteTable byteTokens(const Tokenizer& tok) {
  ByteTable t;
  for (uint32_t id = 0; id < tok.vocabSize(); ++id) {
    if (tok.isSpecial(id)) continue;
    auto b = tok.tokenToBytes(id);
    if (b.ok() && b->size() == 1) t.has[static_cast<uint8_t>((*b)[0])] = true;
  }
  return t;
}

// Valid UTF-8: encode (user text) gives tokens whose bytes are `text`, less
// the bytes the vocabulary has no token for; decode gives the same text when
// those bytes are still valid UTF-8 (a dropped lead byte leaves continuation
// bytes, which decode replaces by U+FFFD as Python does). Invalid UTF-8:
// encode fails with InvalidArgument. Traps otherwise.
inline void checkRoundTrip(const Tokenizer& tok, const ByteTable& bytes, std::string_view text) {
  const bool valid = utf8::firstInvalid(text) == std::string_view::npos;
  auto ids = tok.encode(text, /*bos=*/false, /*eos=*/false, SpecialMode::Plain);
  if (!valid) {
    if (ids.ok() || ids.status().kind != Error::InvalidArgument) __builtin_trap();
    return;
  }
  if (!ids.ok()) {
    std::fprintf(stderr, "encode refused valid UTF-8: %s\n", ids.status().message.c_str());
    __builtin_trap();
  }
  std::string want;
  for (char c : text)
    if (bytes.has[static_cast<uint8_t>(c)]) want.push_back(c);
  std::string raw;
  for (uint32_t id : *ids) {
    auto piece = tok.tokenToBytes(id);
    if (!piece.ok() || tok.isSpecial(id)) __builtin_trap();
    raw.append(piece->data(), piece->size());
  }
  if (raw != want) {
    std::fprintf(stderr, "the tokens' bytes: %zu, the text less unknown bytes: %zu\n", raw.size(), want.size());
    __builtin_trap();
  }
  auto back = tok.decode(*ids);
  if (!back.ok()) __builtin_trap();
  if (utf8::firstInvalid(want) == std::string_view::npos && *back != want) {
    std::fprintf(stderr, "decode changed %zu bytes into %zu\n", want.size(), back->size());
    __builtin_trap();
  }
}

// One fuzz target's state: the tokenizer and its byte table, set up once.
struct RoundTripTarget {
  std::optional<Tokenizer> tok;
  ByteTable bytes;

  // Exits (the fuzzer cannot run) when the data does not make a tokenizer.
  void init(const TokenizerData& data) {
    auto t = Tokenizer::create(data);
    if (!t.ok()) {
      std::fprintf(stderr, "fuzz: tokenizer: %s\n", t.status().message.c_str());
      std::exit(1);
    }
    tok.emplace(std::move(*t));
    bytes = byteTokens(*tok);
  }
  void run(const uint8_t* data, size_t size) const {
    checkRoundTrip(*tok, bytes, std::string_view(reinterpret_cast<const char*>(data), size));
  }
};

}  // namespace lac::fuzz
