// The plan's model-level parts, from the ModelSpec: config, tokenizer, chat
// format, stop tokens, generation defaults. No MLIR here.
#include "compiler/emit/plan_parts.h"

#include <unordered_map>

#include "runtime/artifact/plan.h"

namespace lac::emit {

namespace {

// ---------------------------------------------------------------------------
// Config

std::unique_ptr<plan::ModelConfigT> config(const import::ModelConfig& c) {
  auto p = std::make_unique<plan::ModelConfigT>();
  p->architecture = c.architecture;
  p->dim = c.dim;
  p->n_layers = c.n_layers;
  p->n_heads = c.n_heads;
  p->n_kv_heads = c.n_kv_heads;
  p->head_dim = c.head_dim;
  p->ffn_dim = c.ffn_dim;
  p->vocab_size = c.vocab_size;
  p->norm_eps = c.norm_eps;
  p->rope_theta = c.rope_theta;
  if (c.rope_scaling)
    p->rope_scaling = std::make_unique<plan::RopeScaling>(c.rope_scaling->factor, c.rope_scaling->low_freq_factor,
                                                          c.rope_scaling->high_freq_factor,
                                                          c.rope_scaling->original_max_position);
  p->max_seq_len = c.max_seq_len;
  p->tied_embeddings = c.tied_embeddings;
  return p;
}

// ---------------------------------------------------------------------------
// Tokenizer

plan::TokenizerKind tokenizerKind(import::TokenizerKind k) {
  switch (k) {
    case import::TokenizerKind::Tiktoken: return plan::TokenizerKind::tiktoken;
    case import::TokenizerKind::Gpt2Bpe: return plan::TokenizerKind::gpt2_bpe;
    case import::TokenizerKind::None: break;
  }
  return plan::TokenizerKind::none;
}

Result<std::unique_ptr<plan::TokenizerT>> tokenizer(const import::ModelSpec& spec) {
  const import::TokenizerData& t = spec.tokenizer;
  if (t.kind == import::TokenizerKind::None && t.tokens.empty()) return std::unique_ptr<plan::TokenizerT>();
  auto p = std::make_unique<plan::TokenizerT>();
  p->kind = tokenizerKind(t.kind);
  p->tokens.reserve(t.tokens.size());
  std::unordered_map<std::string_view, uint32_t> ids;  // first id of each byte string
  for (uint32_t i = 0; i < t.tokens.size(); ++i) {
    auto tok = std::make_unique<plan::TokenT>();
    tok->bytes.assign(t.tokens[i].begin(), t.tokens[i].end());
    p->tokens.push_back(std::move(tok));
    ids.emplace(t.tokens[i], i);
  }
  // Merges: raw-byte pairs -> token-id pairs.
  p->merges.reserve(t.merges.size());
  for (size_t m = 0; m < t.merges.size(); ++m) {
    auto l = ids.find(t.merges[m].first), r = ids.find(t.merges[m].second);
    LAC_CHECK_OR_RETURN(l != ids.end() && r != ids.end(), Error::InvalidCheckpoint,
                        "%s: tokenizer merge %zu names a piece that is not a token", spec.path.c_str(), m);
    p->merges.emplace_back(l->second, r->second);
  }
  for (const import::SpecialToken& s : t.special_tokens) {
    auto st = std::make_unique<plan::SpecialTokenT>();
    st->text = s.text;
    st->id = s.id;
    p->special_tokens.push_back(std::move(st));
  }
  p->pre_tokenizer = t.pre_tokenizer;
  p->pre_tokenizer_regex = t.pre_tokenizer_regex;
  p->bos_id = t.bos_id;
  p->eos_id = t.eos_id;
  p->pad_id = t.pad_id;
  p->add_bos = t.add_bos;
  return p;
}

// ---------------------------------------------------------------------------
// Chat

std::unique_ptr<plan::ChatFormatT> chat(const import::ChatFormat& c) {
  auto p = std::make_unique<plan::ChatFormatT>();
  switch (c.kind) {
    case import::ChatFormatKind::Llama3: p->kind = plan::ChatFormatKind::llama3; break;
    case import::ChatFormatKind::ChatML: p->kind = plan::ChatFormatKind::chatml; break;
    case import::ChatFormatKind::Jinja: p->kind = plan::ChatFormatKind::jinja; break;
    default: p->kind = plan::ChatFormatKind::none; break;  // Unknown: the template is kept for reference
  }
  p->default_system_prompt = c.default_system_prompt;
  p->template_text = c.template_text;
  return p;
}

}  // namespace

VoidResult addModelParts(plan::PlanT& p, const import::ModelSpec& spec, const EmitOptions& opts) {
  p.producer = opts.producer;
  p.model_name = spec.name;
  p.config = config(spec.config);
  LAC_ASSIGN_OR_RETURN(p.tokenizer, tokenizer(spec));
  p.chat = chat(spec.chat);
  p.stop_token_ids = spec.stop_token_ids;
  p.generation = std::make_unique<plan::GenerationDefaultsT>();
  p.generation->temperature = opts.temperature;
  p.generation->top_p = opts.top_p;
  p.generation->max_gen_len = opts.max_gen_len;
  return {};
}

}  // namespace lac::emit
