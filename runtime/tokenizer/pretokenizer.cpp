#include "runtime/tokenizer/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace lac {

// --- Patterns -------------------------------------------------------------------

// Meta's llama3 tokenizer.py (also HF's Llama 3 tokenizer.json).
const char* const kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// GPT-2's, as HF ByteLevel(use_regex=true) has it.
const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

// The stages of a named pre-tokenizer; empty if the name is unknown.
std::vector<std::string> namedStages(std::string_view name) {
  if (name == "llama3" || name == "llama-bpe") return {kLlama3Pattern};
  if (name == "gpt2" || name == "gpt-2") return {kGpt2Pattern};
  // SmolLM2's tokenizer.json: Sequence[Digits(individual_digits), ByteLevel];
  // llama.cpp's LLAMA_VOCAB_PRE_TYPE_SMOLLM: {"\p{N}", gpt-2 regex}.
  if (name == "smollm") return {R"(\p{N})", kGpt2Pattern};
  return {};
}

constexpr std::string_view kWhiteSpaceRanges = R"(\t-\r\x{85}\p{Z})";

}  // namespace

// --- \s rewriting ----------------------------------------------------------------

std::string rewriteWhitespaceClasses(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 32);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[i + 1];
      ++i;
      if (e == 's') {
        if (in_class) {
          out += kWhiteSpaceRanges;
        } else {
          out += '[';
          out += kWhiteSpaceRanges;
          out += ']';
        }
      } else if (e == 'S' && !in_class) {
        out += "[^";
        out += kWhiteSpaceRanges;
        out += ']';
      } else {
        out += c;
        out += e;
      }
      continue;
    }
    out += c;
    if (!in_class && c == '[') {
      in_class = true;
      // A ']' right after '[' or '[^' is a literal.
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];
    } else if (in_class && c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
      // POSIX class [:alpha:]: copy through its closing ":]".
      const size_t end = p.find(":]", i + 2);
      if (end != std::string_view::npos) {
        out.append(p.substr(i + 1, end + 2 - (i + 1)));
        i = end + 1;
      }
    } else if (in_class && c == ']') {
      in_class = false;
    }
  }
  return out;
}

// --- Compiled stages ------------------------------------------------------------

struct PreTokenizer::Stage {
  pcre2_code* code = nullptr;
  bool jit = false;  // JIT compiled: match with pcre2_jit_match (no per-call checks)
  ~Stage() { pcre2_code_free(code); }
};

namespace {

// Per-thread match state: a one-pair match block (only the whole match is
// read) and a JIT stack larger than PCRE2's 32 KiB default.
struct MatchScratch {
  pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  pcre2_jit_stack* jit_stack = pcre2_jit_stack_create(64 * 1024, 8 * 1024 * 1024, nullptr);
  MatchScratch() {
    if (context && jit_stack) pcre2_jit_stack_assign(context, nullptr, jit_stack);
  }
  ~MatchScratch() {
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
  }
};

MatchScratch& scratch() {
  thread_local MatchScratch s;
  return s;
}

std::string pcreMessage(int code) {
  PCRE2_UCHAR buf[256];
  if (pcre2_get_error_message(code, buf, sizeof(buf)) < 0) return "error " + std::to_string(code);
  return reinterpret_cast<const char*>(buf);
}

// Splits `text` by stage `k` and hands each piece to stage k + 1.
VoidResult splitFrom(const std::vector<std::shared_ptr<const PreTokenizer::Stage>>& stages,
                     size_t k, std::string_view text, std::vector<std::string_view>& out) {
  if (text.empty()) return {};
  if (k == stages.size()) {
    out.push_back(text);
    return {};
  }
  MatchScratch& s = scratch();
  LAC_CHECK_OR_RETURN(s.data && s.context, Error::Internal, "pre-tokenizer: out of memory");
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0;   // where the next search starts
  size_t done = 0;  // end of the last piece handed on
  while (pos < text.size()) {
    const PreTokenizer::Stage& st = *stages[k];
    const int rc = st.jit ? pcre2_jit_match(st.code, subject, text.size(), pos, 0, s.data, s.context)
                          : pcre2_match(st.code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, s.data,
                                        s.context);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    LAC_CHECK_OR_RETURN(rc >= 0, Error::Internal, "pre-tokenizer: regex match failed at byte %zu: %s",
                        pos, pcreMessage(rc).c_str());
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(s.data);
    const size_t begin = ov[0], end = ov[1];
    if (end == begin) {  // an empty match: step over one character, it stays in the gap
      pos = begin + 1;
      while (pos < text.size() && (static_cast<uint8_t>(text[pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    if (begin > done) LAC_RETURN_IF_ERROR(splitFrom(stages, k + 1, text.substr(done, begin - done), out));
    LAC_RETURN_IF_ERROR(splitFrom(stages, k + 1, text.substr(begin, end - begin), out));
    done = pos = end;
  }
  if (done < text.size()) LAC_RETURN_IF_ERROR(splitFrom(stages, k + 1, text.substr(done), out));
  return {};
}

}  // namespace

// --- PreTokenizer ------------------------------------------------------------------

Result<PreTokenizer> PreTokenizer::create(std::string_view name, std::string_view regex) {
  std::vector<std::string> patterns;
  if (name == "none") return PreTokenizer();  // no stages: the text is one piece
  if (name.empty() || name == "regex") {  // "regex": the HF reader's own Split regex
    LAC_CHECK_OR_RETURN(!regex.empty(), Error::InvalidArtifact,
                        "tokenizer: neither a pre-tokenizer name nor a regex");
    patterns.emplace_back(regex);
  } else {
    patterns = namedStages(name);
    LAC_CHECK_OR_RETURN(!patterns.empty(), Error::Unsupported,
                        "tokenizer: unknown pre-tokenizer '%.*s' (known: llama3, llama-bpe, gpt2, smollm, regex, none)",
                        static_cast<int>(name.size()), name.data());
  }
  PreTokenizer pre;
  for (const std::string& pattern : patterns) {
    const std::string rewritten = rewriteWhitespaceClasses(pattern);
    int err = 0;
    PCRE2_SIZE err_offset = 0;
    auto stage = std::make_shared<Stage>();
    stage->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(rewritten.data()), rewritten.size(),
                                PCRE2_UTF | PCRE2_UCP, &err, &err_offset, nullptr);
    LAC_CHECK_OR_RETURN(stage->code != nullptr, Error::InvalidArtifact,
                        "tokenizer: pre-tokenizer regex does not compile at offset %zu: %s",
                        static_cast<size_t>(err_offset), pcreMessage(err).c_str());
    // Without JIT support (some platforms) the interpreter runs instead.
    stage->jit = pcre2_jit_compile(stage->code, PCRE2_JIT_COMPLETE) == 0;
    pre.stages_.push_back(std::move(stage));
  }
  return pre;
}

VoidResult PreTokenizer::split(std::string_view text, std::vector<std::string_view>& out) const {
  return splitFrom(stages_, 0, text, out);
}

}  // namespace lac
