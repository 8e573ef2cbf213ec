// GGUF tokenizer.* keys -> TokenizerData, ChatFormat and stop tokens.
//
// Only tokenizer.ggml.model "gpt2" (byte-level BPE) is read. Its tokens and
// merges are GPT-2 byte-to-unicode strings and are decoded to raw bytes,
// except control / user-defined / unknown tokens, which llama.cpp keeps as
// literal text: those stay literal and are listed as special tokens.
#include <algorithm>

#include "compiler/import/chat_format.h"
#include "compiler/import/gguf_reader.h"
#include "compiler/import/gpt2_bytes.h"

namespace lac::import {

namespace {

// ---------------------------------------------------------------------------
// Vocabulary and merges

bool isLiteral(int64_t type) {
  return type == int64_t(GgufTokenType::Control) || type == int64_t(GgufTokenType::UserDefined) ||
         type == int64_t(GgufTokenType::Unknown);
}

VoidResult readTokens(const GgufFile& f, TokenizerData& tok) {
  LAC_ASSIGN_OR_RETURN(const GgufArray* tokens, ggufArray(f, "tokenizer.ggml.tokens", GgufType::String));
  LAC_CHECK_OR_RETURN(tokens != nullptr && !tokens->empty(), Error::InvalidCheckpoint,
                      "%s: missing required key 'tokenizer.ggml.tokens'", f.path.c_str());
  LAC_ASSIGN_OR_RETURN(const GgufArray* types, ggufArray(f, "tokenizer.ggml.token_type", GgufType::I32));
  LAC_CHECK_OR_RETURN(types == nullptr || types->size() == tokens->size(), Error::InvalidCheckpoint,
                      "%s: tokenizer.ggml.token_type has %zu entries for %zu tokens", f.path.c_str(),
                      types ? types->size() : size_t{0}, tokens->size());
  tok.tokens.reserve(tokens->size());
  for (size_t id = 0; id < tokens->size(); ++id) {
    const std::string& text = *(*tokens)[id].asString();
    const int64_t type = types ? (*types)[id].asInt().value_or(0) : int64_t(GgufTokenType::Normal);
    if (isLiteral(type)) {
      tok.tokens.push_back(text);
      tok.special_tokens.push_back(SpecialToken{text, static_cast<uint32_t>(id)});
      continue;
    }
    auto bytes = gpt2CharsToBytes(text);
    LAC_CHECK_OR_RETURN(bytes.has_value(), Error::InvalidCheckpoint,
                        "%s: token %zu ('%s') is not GPT-2 byte-level text", f.path.c_str(), id,
                        text.substr(0, 64).c_str());
    tok.tokens.push_back(std::move(*bytes));
  }
  return {};
}

VoidResult readMerges(const GgufFile& f, TokenizerData& tok) {
  LAC_ASSIGN_OR_RETURN(const GgufArray* merges, ggufArray(f, "tokenizer.ggml.merges", GgufType::String));
  LAC_CHECK_OR_RETURN(merges != nullptr, Error::InvalidCheckpoint,
                      "%s: missing required key 'tokenizer.ggml.merges' (a gpt2 tokenizer needs merges)",
                      f.path.c_str());
  tok.merges.reserve(merges->size());
  for (size_t i = 0; i < merges->size(); ++i) {
    const std::string& m = *(*merges)[i].asString();
    const size_t sp = m.find(' ');
    const bool one_space = sp != std::string::npos && m.find(' ', sp + 1) == std::string::npos;
    auto a = one_space ? gpt2CharsToBytes(std::string_view(m).substr(0, sp)) : std::nullopt;
    auto b = one_space ? gpt2CharsToBytes(std::string_view(m).substr(sp + 1)) : std::nullopt;
    LAC_CHECK_OR_RETURN(a && b && !a->empty() && !b->empty(), Error::InvalidCheckpoint,
                        "%s: merge %zu ('%s') is not two GPT-2 byte-level tokens separated by a space",
                        f.path.c_str(), i, m.substr(0, 64).c_str());
    tok.merges.emplace_back(std::move(*a), std::move(*b));
  }
  return {};
}

// ---------------------------------------------------------------------------
// Special ids

Result<std::optional<uint32_t>> tokenId(const GgufFile& f, const std::string& key, size_t n_tokens) {
  LAC_ASSIGN_OR_RETURN(auto id, ggufU32(f, key));
  LAC_CHECK_OR_RETURN(!id || *id < n_tokens, Error::InvalidCheckpoint,
                      "%s: %s is %u, outside the vocabulary of %zu tokens", f.path.c_str(), key.c_str(), id.value_or(0),
                      n_tokens);
  return id;
}

VoidResult readSpecialIds(const GgufFile& f, TokenizerData& tok) {
  const size_t n = tok.tokens.size();
  LAC_ASSIGN_OR_RETURN(tok.bos_id, tokenId(f, "tokenizer.ggml.bos_token_id", n));
  LAC_ASSIGN_OR_RETURN(tok.eos_id, tokenId(f, "tokenizer.ggml.eos_token_id", n));
  LAC_ASSIGN_OR_RETURN(tok.unk_id, tokenId(f, "tokenizer.ggml.unknown_token_id", n));
  LAC_ASSIGN_OR_RETURN(tok.pad_id, tokenId(f, "tokenizer.ggml.padding_token_id", n));
  LAC_ASSIGN_OR_RETURN(auto add_bos, ggufBool(f, "tokenizer.ggml.add_bos_token"));
  tok.add_bos = add_bos.value_or(false);
  return {};
}

std::optional<uint32_t> findSpecial(const TokenizerData& tok, const std::string& text) {
  for (const SpecialToken& s : tok.special_tokens)
    if (s.text == text) return s.id;
  return std::nullopt;
}

// eos, eot, and the end-of-turn tokens of the chat format.
Result<std::vector<uint32_t>> stopTokens(const GgufFile& f, const ModelSpec& spec) {
  std::vector<uint32_t> ids;
  auto add = [&](std::optional<uint32_t> id) {
    if (id && std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
  };
  add(spec.tokenizer.eos_id);
  LAC_ASSIGN_OR_RETURN(auto eot, tokenId(f, "tokenizer.ggml.eot_token_id", spec.tokenizer.tokens.size()));
  add(eot);
  if (spec.chat.kind == ChatFormatKind::ChatML) add(findSpecial(spec.tokenizer, "<|im_end|>"));
  if (spec.chat.kind == ChatFormatKind::Llama3) {
    add(findSpecial(spec.tokenizer, "<|eot_id|>"));
    add(findSpecial(spec.tokenizer, "<|end_of_text|>"));
  }
  return ids;
}

}  // namespace

// ---------------------------------------------------------------------------
// Entry point

VoidResult readGgufTokenizer(const GgufFile& f, ModelSpec& spec) {
  LAC_ASSIGN_OR_RETURN(auto model, ggufString(f, "tokenizer.ggml.model"));
  LAC_ASSIGN_OR_RETURN(auto tmpl, ggufString(f, "tokenizer.chat_template"));
  spec.chat = detectChatFormat(tmpl.value_or(""), f.path);
  if (!model) return {};  // no tokenizer: TokenizerKind::None
  LAC_CHECK_OR_RETURN(*model == "gpt2", Error::Unsupported,
                      "%s: tokenizer model '%s' is not supported (only 'gpt2' byte-level BPE)", f.path.c_str(),
                      model->c_str());
  TokenizerData& tok = spec.tokenizer;
  tok.kind = TokenizerKind::Gpt2Bpe;
  tok.source = f.path;
  LAC_ASSIGN_OR_RETURN(auto pre, ggufString(f, "tokenizer.ggml.pre"));
  tok.pre_tokenizer = pre.value_or("default");
  LAC_RETURN_IF_ERROR(readTokens(f, tok));
  LAC_RETURN_IF_ERROR(readMerges(f, tok));
  LAC_RETURN_IF_ERROR(readSpecialIds(f, tok));
  LAC_ASSIGN_OR_RETURN(spec.stop_token_ids, stopTokens(f, spec));
  return {};
}

}  // namespace lac::import
