#include "tools/lac-compile/print_model.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <string>

namespace lac::tools {

namespace {

using import::ModelSpec;

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

std::string humanBytes(uint64_t b) {
  if (b >= (1ull << 30)) return fmt("%.2f GiB", b / double(1ull << 30));
  if (b >= (1ull << 20)) return fmt("%.1f MiB", b / double(1ull << 20));
  if (b >= (1ull << 10)) return fmt("%.1f KiB", b / double(1ull << 10));
  return fmt("%" PRIu64 " B", b);
}

// A token's bytes, quoted, with control and non-ASCII bytes escaped.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += fmt("\\x%02x", c);
    }
  }
  return out + "\"";
}

std::string tokenLabel(const ModelSpec& spec, uint32_t id) {
  if (id < spec.tokenizer.tokens.size()) return fmt("%u %s", id, quoted(spec.tokenizer.tokens[id]).c_str());
  return fmt("%u", id);
}

}  // namespace

void printModel(const ModelSpec& spec, std::ostream& os) {
  const auto& c = spec.config;
  os << "model:          " << (spec.name.empty() ? "(unnamed)" : spec.name) << "\n";
  os << "source:         " << import::sourceFormatName(spec.format) << " " << spec.path << "\n";
  os << "architecture:   " << c.architecture << "\n";
  os << "  dim            " << c.dim << "\n";
  os << "  n_layers       " << c.n_layers << "\n";
  os << "  n_heads        " << c.n_heads << "\n";
  os << "  n_kv_heads     " << c.n_kv_heads << "\n";
  os << "  head_dim       " << c.head_dim << "\n";
  os << "  ffn_dim        " << c.ffn_dim << "\n";
  os << "  vocab_size     " << c.vocab_size << "\n";
  os << "  norm_eps       " << fmt("%g", c.norm_eps) << "\n";
  os << "  rope_theta     " << fmt("%g", c.rope_theta) << "\n";
  if (c.rope_scaling) {
    const auto& r = *c.rope_scaling;
    os << "  rope_scaling   " << fmt("llama3 (factor %g, low_freq_factor %g, high_freq_factor %g, original_max_position %u)",
                                     r.factor, r.low_freq_factor, r.high_freq_factor, r.original_max_position)
       << "\n";
  } else {
    os << "  rope_scaling   none\n";
  }
  os << "  max_seq_len    " << (c.max_seq_len ? std::to_string(c.max_seq_len) : std::string("unknown")) << "\n";
  os << "  tied_embeddings " << (c.tied_embeddings ? "yes" : "no") << "\n";

  // Tensors by dtype.
  std::map<std::string, std::pair<size_t, uint64_t>> by_dtype;
  uint64_t total = 0;
  for (const auto& t : spec.tensors) {
    auto& e = by_dtype[std::string(dtypeName(t.dtype))];
    e.first += 1;
    e.second += t.numBytes();
    total += t.numBytes();
  }
  os << "tensors:        " << spec.tensors.size() << " (" << humanBytes(total) << ")\n";
  for (const auto& [name, e] : by_dtype)
    os << fmt("  %-6s %5zu tensors %12s\n", name.c_str(), e.first, humanBytes(e.second).c_str());

  const auto& tk = spec.tokenizer;
  os << "tokenizer:      " << import::tokenizerKindName(tk.kind);
  if (tk.kind != import::TokenizerKind::None) {
    os << ", " << tk.tokens.size() << " tokens";
    if (!tk.merges.empty()) os << ", " << tk.merges.size() << " merges";
    os << ", " << tk.special_tokens.size() << " special";
    if (!tk.pre_tokenizer.empty()) os << ", pre-tokenizer " << tk.pre_tokenizer;
    os << "\n";
    if (tk.bos_id) os << "  bos            " << tokenLabel(spec, *tk.bos_id) << (tk.add_bos ? " (added)" : "") << "\n";
    if (tk.eos_id) os << "  eos            " << tokenLabel(spec, *tk.eos_id) << "\n";
    os << "  from           " << tk.source << "\n";
  } else {
    os << "\n";
  }

  os << "chat format:    " << import::chatFormatKindName(spec.chat.kind);
  if (spec.chat.kind == import::ChatFormatKind::Jinja)
    os << " (the template's own; " << import::chatFormatKindName(spec.chat.family) << " family, "
       << spec.chat.template_text.size() << " bytes)";
  os << "\n";
  if (!spec.chat.default_system_prompt.empty() && spec.chat.kind == import::ChatFormatKind::ChatML)
    os << "  default system " << quoted(spec.chat.default_system_prompt) << "\n";
  if (!spec.chat.source.empty()) os << "  from           " << spec.chat.source << "\n";

  os << "stop tokens:    ";
  for (size_t i = 0; i < spec.stop_token_ids.size(); ++i)
    os << (i ? ", " : "") << tokenLabel(spec, spec.stop_token_ids[i]);
  os << (spec.stop_token_ids.empty() ? "none\n" : "\n");
  for (const std::string& w : spec.warnings) os << "warning:        " << w << "\n";
}

}  // namespace lac::tools
