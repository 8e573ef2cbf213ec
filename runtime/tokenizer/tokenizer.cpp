#include "runtime/tokenizer/tokenizer.h"

#include <unordered_map>

#include "runtime/tokenizer/bpe.h"
#include "runtime/tokenizer/pretokenizer.h"
#include "runtime/tokenizer/special_tokens.h"
#include "runtime/tokenizer/token_index.h"
#include "runtime/tokenizer/utf8.h"

namespace lac {

static_assert(TokenIndex::kNone == kNoToken);

struct Tokenizer::Impl {
  TokenizerKind kind;
  std::vector<std::string> tokens;  // [vocab] raw bytes by id
  std::vector<bool> special;        // [vocab]
  std::unordered_map<std::string_view, uint32_t> special_ids;
  // Ordinary tokens by their bytes (views into `tokens`). Used to build the
  // pair table and, when `whole_piece_first`, to look a whole piece up before
  // merging (tiktoken does; HF's ignore_merges does for Llama 3).
  TokenIndex by_bytes{&tokens};
  bool whole_piece_first = false;
  std::optional<PreTokenizer> pre;
  std::optional<BytePairEncoder> bpe;
  std::optional<SpecialMatcher> specials;
  std::optional<uint32_t> bos, eos;
  bool add_bos = false;

  VoidResult encodeOrdinary(std::string_view text, std::vector<uint32_t>& out) const;
  VoidResult encodeChunk(std::string_view text, SpecialMode mode, std::vector<uint32_t>& out) const;
};

// --- Building ----------------------------------------------------------------------

namespace {

bool isLlama3Pre(const std::string& name) { return name == "llama3" || name == "llama-bpe"; }

// tiktoken: a pair's rank is the rank (= id) of its concatenation, so list
// every split of every token into two tokens.
PairTable tiktokenPairs(const Tokenizer::Impl& t) {
  PairTable pairs;
  pairs.reserve(t.tokens.size() * 2);
  for (uint32_t id = 0; id < t.tokens.size(); ++id) {
    if (t.special[id]) continue;
    const std::string_view tok = t.tokens[id];
    for (size_t cut = 1; cut < tok.size(); ++cut) {
      const uint32_t l = t.by_bytes.find(tok.substr(0, cut));
      if (l == TokenIndex::kNone) continue;
      const uint32_t r = t.by_bytes.find(tok.substr(cut));
      if (r == TokenIndex::kNone) continue;
      pairs.insert(l, r, {id, id});
    }
  }
  return pairs;
}

// GPT-2 BPE: a pair's rank is its position in the merge list.
Result<PairTable> mergePairs(const Tokenizer::Impl& t, const TokenizerData& data) {
  PairTable pairs;
  pairs.reserve(data.merges.size());
  std::string joined;
  for (size_t rank = 0; rank < data.merges.size(); ++rank) {
    const auto& [a, b] = data.merges[rank];
    joined.assign(a).append(b);
    const uint32_t l = t.by_bytes.find(a), r = t.by_bytes.find(b), m = t.by_bytes.find(joined);
    LAC_CHECK_OR_RETURN(l != TokenIndex::kNone && r != TokenIndex::kNone && m != TokenIndex::kNone,
                        Error::InvalidArtifact, "tokenizer: merge %zu joins bytes that are not tokens",
                        rank);
    pairs.insert(l, r, {static_cast<uint32_t>(rank), m});
  }
  return pairs;
}

}  // namespace

Result<Tokenizer> Tokenizer::create(const TokenizerData& data) {
  LAC_CHECK_OR_RETURN(data.kind != TokenizerKind::None, Error::InvalidArtifact,
                      "tokenizer: no tokenizer kind (the model has no tokenizer)");
  auto t = std::make_shared<Impl>();
  t->kind = data.kind;
  t->tokens = data.tokens;
  const auto vocab = static_cast<uint32_t>(t->tokens.size());
  LAC_CHECK_OR_RETURN(vocab > 0 && t->tokens.size() < kNoToken, Error::InvalidArtifact,
                      "tokenizer: %zu tokens", t->tokens.size());
  t->special.assign(vocab, false);

  // Specials: ids in range, text matching the token where the token is set.
  for (const SpecialToken& s : data.special_tokens) {
    LAC_CHECK_OR_RETURN(s.id < vocab, Error::InvalidArtifact,
                        "tokenizer: special token '%s' has id %u, vocabulary has %u", s.text.c_str(), s.id,
                        vocab);
    LAC_CHECK_OR_RETURN(!s.text.empty(), Error::InvalidArtifact, "tokenizer: special token %u has no text",
                        s.id);
    if (t->tokens[s.id].empty()) t->tokens[s.id] = s.text;
    t->special[s.id] = true;
  }
  for (const SpecialToken& s : data.special_tokens) t->special_ids.emplace(t->tokens[s.id], s.id);
  for (const std::optional<uint32_t>& id : {data.bos_id, data.eos_id})
    LAC_CHECK_OR_RETURN(!id || *id < vocab, Error::InvalidArtifact, "tokenizer: BOS/EOS id %u out of range",
                        *id);

  // Ordinary tokens by bytes; the first id wins if bytes repeat.
  t->by_bytes.reserve(vocab);
  for (uint32_t id = 0; id < vocab; ++id)
    if (!t->special[id] && !t->tokens[id].empty()) t->by_bytes.insert(id);
  std::array<uint32_t, 256> byte_ids;
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    byte_ids[b] = t->by_bytes.find(std::string_view(&c, 1));  // kNone == kNoToken
  }

  // Pre-tokenizer and merges.
  std::string pre_name = data.pre_tokenizer;
  if (data.kind == TokenizerKind::Tiktoken && pre_name.empty() && data.pre_tokenizer_regex.empty())
    pre_name = "llama3";
  LAC_ASSIGN_OR_RETURN(PreTokenizer pre, PreTokenizer::create(pre_name, data.pre_tokenizer_regex));
  t->pre = std::move(pre);
  if (data.kind == TokenizerKind::Tiktoken) {
    t->whole_piece_first = true;
    t->bpe.emplace(byte_ids, tiktokenPairs(*t));
  } else {
    LAC_CHECK_OR_RETURN(!data.merges.empty(), Error::InvalidArtifact, "tokenizer: GPT-2 BPE without merges");
    t->whole_piece_first = isLlama3Pre(pre_name);  // HF's ignore_merges for Llama 3
    LAC_ASSIGN_OR_RETURN(PairTable pairs, mergePairs(*t, data));
    t->bpe.emplace(byte_ids, std::move(pairs));
  }
  t->specials.emplace(data.special_tokens);
  t->bos = data.bos_id;
  t->eos = data.eos_id;
  t->add_bos = data.add_bos;
  return Tokenizer(std::move(t));
}

// --- Encoding ----------------------------------------------------------------------

VoidResult Tokenizer::Impl::encodeOrdinary(std::string_view text, std::vector<uint32_t>& out) const {
  thread_local std::vector<std::string_view> pieces;
  pieces.clear();
  LAC_RETURN_IF_ERROR(pre->split(text, pieces));
  for (std::string_view piece : pieces) {
    if (whole_piece_first) {
      const uint32_t id = by_bytes.find(piece);
      if (id != TokenIndex::kNone) {
        out.push_back(id);
        continue;
      }
    }
    bpe->encode(piece, out);
  }
  return {};
}

VoidResult Tokenizer::Impl::encodeChunk(std::string_view text, SpecialMode mode,
                                        std::vector<uint32_t>& out) const {
  if (mode == SpecialMode::Plain) return encodeOrdinary(text, out);
  size_t pos = 0;
  while (pos < text.size()) {
    const SpecialMatcher::Match m = specials->find(text, pos);
    const size_t end = m.pos == std::string_view::npos ? text.size() : m.pos;
    if (end > pos) LAC_RETURN_IF_ERROR(encodeOrdinary(text.substr(pos, end - pos), out));
    if (m.pos == std::string_view::npos) break;
    out.push_back(m.id);
    pos = m.pos + m.len;
  }
  return {};
}

Result<std::vector<uint32_t>> Tokenizer::encode(std::string_view text, bool bos, bool eos,
                                                SpecialMode mode) const {
  const Impl& t = *impl_;
  const size_t bad = utf8::firstInvalid(text);
  LAC_CHECK_OR_RETURN(bad == std::string_view::npos, Error::InvalidArgument,
                      "text is not valid UTF-8: byte 0x%02x at byte offset %zu",
                      static_cast<unsigned>(static_cast<uint8_t>(text[bad])), bad);
  LAC_CHECK_OR_RETURN(!bos || t.bos, Error::InvalidArgument, "tokenizer has no BOS token");
  LAC_CHECK_OR_RETURN(!eos || t.eos, Error::InvalidArgument, "tokenizer has no EOS token");

  std::vector<uint32_t> ids;
  ids.reserve(text.size() / 3 + 2);
  if (bos) ids.push_back(*t.bos);
  if (t.kind == TokenizerKind::Tiktoken) {
    std::vector<std::string_view> chunks;
    metaChunks(text, chunks);
    for (std::string_view chunk : chunks) LAC_RETURN_IF_ERROR(t.encodeChunk(chunk, mode, ids));
  } else {
    LAC_RETURN_IF_ERROR(t.encodeChunk(text, mode, ids));
  }
  if (eos) ids.push_back(*t.eos);
  return ids;
}

// --- Decoding and queries --------------------------------------------------------------

Result<std::string_view> Tokenizer::tokenToBytes(uint32_t id) const {
  LAC_CHECK_OR_RETURN(id < impl_->tokens.size(), Error::InvalidArgument,
                      "token id %u is out of range (vocabulary has %zu tokens)", id, impl_->tokens.size());
  return std::string_view(impl_->tokens[id]);
}

Result<std::string> Tokenizer::decode(const std::vector<uint32_t>& ids) const {
  std::string bytes;
  for (uint32_t id : ids) {
    LAC_ASSIGN_OR_RETURN(std::string_view b, tokenToBytes(id));
    bytes.append(b);
  }
  if (utf8::firstInvalid(bytes) == std::string_view::npos) return bytes;
  std::string text;
  utf8::appendReplacingInvalid(bytes, text);
  return text;
}

uint32_t Tokenizer::vocabSize() const { return static_cast<uint32_t>(impl_->tokens.size()); }
bool Tokenizer::isSpecial(uint32_t id) const { return id < impl_->special.size() && impl_->special[id]; }
std::optional<uint32_t> Tokenizer::bosId() const { return impl_->bos; }
std::optional<uint32_t> Tokenizer::eosId() const { return impl_->eos; }
bool Tokenizer::addBos() const { return impl_->add_bos; }

std::optional<uint32_t> Tokenizer::specialId(std::string_view text) const {
  const auto it = impl_->special_ids.find(text);
  if (it == impl_->special_ids.end()) return std::nullopt;
  return it->second;
}

}  // namespace lac
