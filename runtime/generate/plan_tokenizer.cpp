// plan::Tokenizer / ChatFormat -> runtime TokenizerData / ChatTemplate.
#include "runtime/generate/plan_tokenizer.h"

#include <string_view>

namespace lac::generate {

namespace {

std::string_view str(const flatbuffers::String* s) {
  return s ? std::string_view(s->data(), s->size()) : std::string_view();
}

}  // namespace

Result<TokenizerData> tokenizerDataFromPlan(const plan::Plan& p) {
  const plan::Tokenizer* t = p.tokenizer();
  LAC_CHECK_OR_RETURN(t != nullptr && t->kind() != plan::TokenizerKind::none, Error::InvalidArtifact,
                      "plan: the artifact has no tokenizer");
  TokenizerData d;
  switch (t->kind()) {
    case plan::TokenizerKind::tiktoken: d.kind = TokenizerKind::Tiktoken; break;
    case plan::TokenizerKind::gpt2_bpe: d.kind = TokenizerKind::Gpt2Bpe; break;
    default: LAC_FAIL(Error::Unsupported, "plan: tokenizer kind %d is not supported", int(t->kind()));
  }
  // tokens: raw bytes, indexed by id
  if (t->tokens()) {
    d.tokens.reserve(t->tokens()->size());
    for (const plan::Token* tok : *t->tokens()) {
      const auto* b = tok ? tok->bytes() : nullptr;
      d.tokens.emplace_back(b ? std::string(reinterpret_cast<const char*>(b->data()), b->size()) : std::string());
    }
  }
  // merges: ids -> byte pairs
  if (t->merges()) {
    d.merges.reserve(t->merges()->size());
    size_t i = 0;
    for (const plan::Merge* m : *t->merges()) {
      LAC_CHECK_OR_RETURN(m->left() < d.tokens.size() && m->right() < d.tokens.size(), Error::InvalidArtifact,
                          "plan: tokenizer merge %zu names token %u or %u, outside the %zu tokens", i, m->left(),
                          m->right(), d.tokens.size());
      d.merges.emplace_back(d.tokens[m->left()], d.tokens[m->right()]);
      ++i;
    }
  }
  if (t->special_tokens())
    for (const plan::SpecialToken* s : *t->special_tokens())
      d.special_tokens.push_back(SpecialToken{std::string(str(s->text())), s->id()});
  d.pre_tokenizer = std::string(str(t->pre_tokenizer()));
  d.pre_tokenizer_regex = std::string(str(t->pre_tokenizer_regex()));
  if (t->bos_id()) d.bos_id = *t->bos_id();
  if (t->eos_id()) d.eos_id = *t->eos_id();
  d.add_bos = t->add_bos();
  return d;
}

std::optional<chat::ChatTemplate> chatTemplateFromPlan(const plan::Plan& p) {
  const plan::ChatFormat* c = p.chat();
  if (!c) return std::nullopt;
  chat::ChatTemplate t;
  switch (c->kind()) {
    case plan::ChatFormatKind::llama3: t.kind = chat::ChatFormatKind::Llama3; break;
    case plan::ChatFormatKind::chatml: t.kind = chat::ChatFormatKind::ChatML; break;
    case plan::ChatFormatKind::jinja: t.kind = chat::ChatFormatKind::Jinja; break;
    default: return std::nullopt;
  }
  t.default_system_prompt = std::string(str(c->default_system_prompt()));
  if (t.kind == chat::ChatFormatKind::Jinja) {
    t.jinja_source = std::string(str(c->template_text()));
    // bos_token / eos_token: the text of those ids; the split list: every special token.
    if (const plan::Tokenizer* tok = p.tokenizer(); tok && tok->special_tokens()) {
      for (const plan::SpecialToken* s : *tok->special_tokens()) {
        std::string name(str(s->text()));
        if (tok->bos_id() && s->id() == *tok->bos_id()) t.bos_token = name;
        if (tok->eos_id() && s->id() == *tok->eos_id()) t.eos_token = name;
        t.special_tokens.push_back(std::move(name));
      }
    }
    const plan::Tokenizer* tok = p.tokenizer();
    auto tokenText = [&](uint32_t id) {
      if (!tok->tokens() || id >= tok->tokens()->size() || !tok->tokens()->Get(id)->bytes()) return std::string();
      const auto* b = tok->tokens()->Get(id)->bytes();
      return std::string(reinterpret_cast<const char*>(b->data()), b->size());
    };
    if (tok && t.bos_token.empty() && tok->bos_id()) t.bos_token = tokenText(*tok->bos_id());
    if (tok && t.eos_token.empty() && tok->eos_id()) t.eos_token = tokenText(*tok->eos_id());
  }
  return t;
}

std::vector<int32_t> stopIdsFromPlan(const plan::Plan& p) {
  std::vector<int32_t> ids;
  if (p.stop_token_ids())
    for (uint32_t id : *p.stop_token_ids()) ids.push_back(static_cast<int32_t>(id));
  if (ids.empty() && p.tokenizer() && p.tokenizer()->eos_id()) ids.push_back(int32_t(*p.tokenizer()->eos_id()));
  return ids;
}

}  // namespace lac::generate
