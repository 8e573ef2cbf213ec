#include "compiler/import/tiktoken_file.h"

#include <optional>

#include "runtime/core/mapped_file.h"

namespace lac::import {

namespace {

// ---- base64 (RFC 4648 standard alphabet, '=' padding) ----------------------------

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::optional<std::string> decodeBase64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && s[s.size() - 1 - pad] == '=') ++pad;
  std::string out;
  out.reserve(s.size() / 4 * 3);
  uint32_t acc = 0;
  for (size_t i = 0; i < s.size() - pad; ++i) {
    const int v = base64Value(s[i]);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    if (i % 4 == 3) {
      out.push_back(char(acc >> 16));
      out.push_back(char(acc >> 8));
      out.push_back(char(acc));
      acc = 0;
    }
  }
  if (pad == 2) {  // 2 chars -> 1 byte; the low 4 bits must be zero
    if (acc & 0xF) return std::nullopt;
    out.push_back(char(acc >> 4));
  } else if (pad == 1) {  // 3 chars -> 2 bytes; the low 2 bits must be zero
    if (acc & 0x3) return std::nullopt;
    out.push_back(char(acc >> 10));
    out.push_back(char(acc >> 2));
  }
  return out;
}

std::optional<uint64_t> parseRank(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  return v;
}

std::vector<std::string> makeLlama3Specials() {
  std::vector<std::string> s = {"<|begin_of_text|>", "<|end_of_text|>"};
  for (int i = 0; i < 4; ++i) s.push_back("<|reserved_special_token_" + std::to_string(i) + "|>");
  s.push_back("<|start_header_id|>");
  s.push_back("<|end_header_id|>");
  s.push_back("<|reserved_special_token_4|>");
  s.push_back("<|eot_id|>");
  for (int i = 5; i <= 250; ++i) s.push_back("<|reserved_special_token_" + std::to_string(i) + "|>");
  return s;
}

}  // namespace

// ---- plain parsing -------------------------------------------------------------

Result<std::vector<std::string>> parseTiktoken(std::string_view text, const std::string& where) {
  std::vector<std::string> tokens;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t sp = line.find(' ');
    LAC_CHECK_OR_RETURN(sp != std::string_view::npos && line.find(' ', sp + 1) == std::string_view::npos,
                        Error::InvalidCheckpoint, "%s:%zu: expected '<base64 token> <rank>'", where.c_str(), line_no);
    auto token = decodeBase64(line.substr(0, sp));
    LAC_CHECK_OR_RETURN(token.has_value(), Error::InvalidCheckpoint, "%s:%zu: bad base64 token '%.*s'",
                        where.c_str(), line_no, int(std::min<size_t>(sp, 64)), line.data());
    auto rank = parseRank(line.substr(sp + 1));
    LAC_CHECK_OR_RETURN(rank.has_value(), Error::InvalidCheckpoint, "%s:%zu: bad rank '%.*s'", where.c_str(),
                        line_no, int(std::min<size_t>(line.size() - sp - 1, 32)), line.data() + sp + 1);
    LAC_CHECK_OR_RETURN(*rank == tokens.size(), Error::InvalidCheckpoint,
                        "%s:%zu: rank %llu is out of sequence (expected %zu)", where.c_str(), line_no,
                        static_cast<unsigned long long>(*rank), tokens.size());
    tokens.push_back(std::move(*token));
  }
  LAC_CHECK_OR_RETURN(!tokens.empty(), Error::InvalidCheckpoint, "%s: no tokens", where.c_str());
  return tokens;
}

Result<std::vector<std::string>> readTiktokenFile(const std::string& path) {
  LAC_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  const std::string_view text(reinterpret_cast<const char*>(file->data()), file->size());
  return parseTiktoken(text, path);
}

const std::vector<std::string>& llama3SpecialTokens() {
  static const std::vector<std::string> specials = makeLlama3Specials();
  return specials;
}

std::string_view llama3PreTokenizerPattern() {
  return R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
}

// ---- TokenizerData ---------------------------------------------------------------

Result<TokenizerData> readLlama3Tokenizer(const std::string& path) {
  TokenizerData t;
  LAC_ASSIGN_OR_RETURN(t.tokens, readTiktokenFile(path));
  const uint32_t first_special = static_cast<uint32_t>(t.tokens.size());
  for (const std::string& s : llama3SpecialTokens()) {
    t.special_tokens.push_back({s, static_cast<uint32_t>(t.tokens.size())});
    t.tokens.push_back(s);
  }
  t.kind = TokenizerKind::Tiktoken;
  t.pre_tokenizer = "llama3";
  t.pre_tokenizer_regex = std::string(llama3PreTokenizerPattern());
  t.bos_id = first_special + kLlama3BeginOfText;
  t.eos_id = first_special + kLlama3EndOfText;
  t.add_bos = true;
  t.source = path;
  return t;
}

}  // namespace lac::import
