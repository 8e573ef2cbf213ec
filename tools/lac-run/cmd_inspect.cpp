// lac-run inspect: what a .lac artifact holds.
#include <iomanip>
#include <iostream>
#include <map>

#include "runtime/artifact/plan.h"
#include "runtime/core/dtype.h"
#include "tools/lac-run/common.h"

namespace lac::run {

namespace {

constexpr const char* kUsage = R"(lac-run inspect — describe a .lac artifact

Usage:
  lac-run inspect MODEL.lac

Prints the model config, the target and its CPU features, the weights by
format (count and bytes), the memory plan (KV cache, each entry point's
arena), the tokenizer, the chat format, the stop tokens, the generation
defaults and each entry point's step count. Opening checks the header, the
plan and the weight blob's size; it does not need this CPU's features.

Examples:
  lac-run inspect smollm2.lac

Options)";

std::string str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

std::string mib(uint64_t bytes) {
  std::ostringstream o;
  o << bytes << " bytes (" << std::fixed << std::setprecision(1) << double(bytes) / (1024.0 * 1024.0) << " MiB)";
  return o.str();
}

void printConfig(const plan::Plan& p) {
  const plan::ModelConfig& c = *p.config();
  std::cout << "model: " << str(p.model_name()) << "  (producer " << str(p.producer()) << ", format "
            << p.format_version() << ")\n"
            << "config: " << str(c.architecture()) << " dim " << c.dim() << ", layers " << c.n_layers() << ", heads "
            << c.n_heads() << ", kv heads " << c.n_kv_heads() << ", head dim " << c.head_dim() << ", ffn "
            << c.ffn_dim() << ", vocab " << c.vocab_size() << ", norm eps " << c.norm_eps() << ", rope theta "
            << c.rope_theta() << (c.rope_scaling() ? " (llama3 scaling)" : "") << ", context " << c.max_seq_len()
            << (c.tied_embeddings() ? ", tied embeddings" : "") << "\n"
            << "limits: max batch " << p.max_batch() << ", max seq len " << p.max_seq_len() << "\n";
  if (const uint32_t tp = artifact::tensorParallelOf(p); tp > 1)
    std::cout << "tensor parallel: " << tp << " ranks, each with " << c.n_heads() / tp << " heads, "
              << c.n_kv_heads() / tp << " kv heads and " << c.ffn_dim() / tp << " ffn columns (run it with mpirun -np "
              << tp << ")\n";
  const plan::TargetInfo& t = *p.target();
  std::cout << "target: " << plan::EnumNameTarget(t.target());
  if (t.cpu_features() && t.cpu_features()->size()) {
    std::cout << ", needs";
    for (const auto* f : *t.cpu_features()) std::cout << " " << f->str();
  }
  std::cout << "\n";
}

void printWeights(const plan::Plan& p) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_format;  // "q4_0 row_major" -> count, bytes
  if (p.weights())
    for (const plan::Weight* w : *p.weights()) {
      auto& e = by_format[std::string(plan::EnumNameDType(w->dtype())) + " " + str(w->layout())];
      ++e.first;
      e.second += w->blob()->bytes();
    }
  std::cout << "weights: " << (p.weights() ? p.weights()->size() : 0) << " tensors, " << mib(p.weight_blob()->bytes());
  if (p.random_weights()) std::cout << ", random (compiled with --no-weights)";
  if (p.weights_file()) std::cout << ", in " << p.weights_file()->str();
  std::cout << "\n";
  for (const auto& [name, e] : by_format) std::cout << "  " << name << ": " << e.first << " tensors, " << mib(e.second) << "\n";
}

void printMemory(const plan::Plan& p) {
  const plan::KvCacheLayout& kv = *p.kv_cache();
  const uint64_t layers = p.config()->n_layers();
  std::cout << "kv cache: " << plan::EnumNameDType(kv.dtype()) << " " << str(kv.layout()) << ", "
            << mib(kv.bytes_per_layer() * layers) << " (" << kv.max_batch() << " x " << kv.max_seq_len() << ")\n";
  if (p.entry_points())
    for (const plan::EntryPoint* ep : *p.entry_points())
      std::cout << "entry point " << ep->name()->str() << ": " << (ep->steps() ? ep->steps()->size() : 0)
                << " steps, " << (ep->buffers() ? ep->buffers()->size() : 0) << " buffers, arena "
                << mib(ep->arena_bytes()) << ", max tokens " << ep->max_tokens() << "\n";
}

void printText(const plan::Plan& p) {
  if (const plan::Tokenizer* t = p.tokenizer()) {
    std::cout << "tokenizer: " << plan::EnumNameTokenizerKind(t->kind()) << ", "
              << (t->tokens() ? t->tokens()->size() : 0) << " tokens, " << (t->merges() ? t->merges()->size() : 0)
              << " merges, " << (t->special_tokens() ? t->special_tokens()->size() : 0)
              << " special, pre-tokenizer " << (t->pre_tokenizer() ? t->pre_tokenizer()->str() : "(regex)");
    if (t->bos_id()) std::cout << ", bos " << *t->bos_id();
    if (t->eos_id()) std::cout << ", eos " << *t->eos_id();
    std::cout << (t->add_bos() ? ", adds bos" : "") << "\n";
  } else {
    std::cout << "tokenizer: none\n";
  }
  const plan::ChatFormat* c = p.chat();
  std::cout << "chat format: " << (c ? plan::EnumNameChatFormatKind(c->kind()) : "none");
  if (c && c->kind() == plan::ChatFormatKind::jinja && c->template_text())
    std::cout << " (the model's template, " << c->template_text()->size() << " bytes; see chat --print-prompt)";
  else if (c && c->kind() == plan::ChatFormatKind::chatml && c->default_system_prompt() &&
           c->default_system_prompt()->size())
    std::cout << " (default system prompt: \"" << c->default_system_prompt()->str() << "\")";
  std::cout << "\nstop tokens:";
  if (p.stop_token_ids())
    for (uint32_t id : *p.stop_token_ids()) std::cout << " " << id;
  std::cout << "\n";
  if (const plan::GenerationDefaults* g = p.generation())
    std::cout << "generation defaults: temperature " << g->temperature() << ", top_p " << g->top_p()
              << ", max_gen_len " << g->max_gen_len() << "\n";
}

}  // namespace

int cmdInspect(int argc, char** argv) {
  po::options_description visible(kUsage);
  visible.add_options()("help,h", "show this help");
  po::variables_map vm;
  int code = 0;
  if (!parseModelArgs(argc, argv, kUsage, visible, vm, &code)) return code;
  auto a = openArtifact(vm["model"].as<std::string>(), /*check_cpu=*/false);
  if (!a.ok()) return fail(a.status());
  const plan::Plan& p = a->plan();
  printConfig(p);
  printWeights(p);
  printMemory(p);
  printText(p);
  return 0;
}

}  // namespace lac::run
