#include "runtime/tokenizer/testdata.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <unordered_map>
#include <filesystem>
#include <fstream>

#include "runtime/core/mapped_file.h"
#include "runtime/tokenizer/utf8.h"

namespace lac::testdata {

namespace fs = std::filesystem;

// --- Paths ------------------------------------------------------------------------

std::string llama3TokenizerPath() {
  const char* env = std::getenv("LAC_SOURCE_DIR");
  const fs::path root = env ? env : LAC_SOURCE_DIR;
  const fs::path p = root / ".." / "shared" / "data" / "llama3" / "tokenizer.model";
  return fs::exists(p) ? p.string() : "";
}

std::string smollm2GgufPath() {
  fs::path dir;
  if (const char* env = std::getenv("LAC_MODEL_CACHE")) {
    dir = env;
  } else if (const char* home = std::getenv("HOME")) {
    dir = fs::path(home) / ".cache" / "lac";
  }
  const fs::path p = dir / "SmolLM2-135M-Instruct.Q4_1.gguf";
  return !dir.empty() && fs::exists(p) ? p.string() : "";
}

// --- Llama 3 (tiktoken file) --------------------------------------------------------

namespace {

bool base64Decode(std::string_view in, std::string& out) {
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') break;
    else return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

std::vector<std::string> llama3Specials() {
  std::vector<std::string> s = {"<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                                "<|reserved_special_token_1|>", "<|reserved_special_token_2|>",
                                "<|reserved_special_token_3|>", "<|start_header_id|>", "<|end_header_id|>",
                                "<|reserved_special_token_4|>", "<|eot_id|>"};
  for (int i = 5; i < 256 - 5; ++i) s.push_back("<|reserved_special_token_" + std::to_string(i) + "|>");
  return s;
}

}  // namespace

Result<TokenizerData> loadLlama3(const std::string& path) {
  std::ifstream f(path);
  LAC_CHECK_OR_RETURN(f.good(), Error::NotFound, "%s: cannot open", path.c_str());
  TokenizerData d;
  d.kind = TokenizerKind::Tiktoken;
  d.pre_tokenizer = "llama3";
  std::string line, bytes;
  size_t line_no = 0;
  while (std::getline(f, line)) {
    ++line_no;
    if (line.empty()) continue;
    const size_t sp = line.find(' ');
    const bool ok = sp != std::string::npos && base64Decode(std::string_view(line).substr(0, sp), bytes) &&
                    std::strtoull(line.c_str() + sp + 1, nullptr, 10) == d.tokens.size();
    LAC_CHECK_OR_RETURN(ok, Error::InvalidCheckpoint, "%s: line %zu: bad entry", path.c_str(), line_no);
    d.tokens.push_back(bytes);
  }
  for (const std::string& s : llama3Specials()) {
    d.special_tokens.push_back({s, static_cast<uint32_t>(d.tokens.size())});
    d.tokens.push_back(s);
  }
  d.bos_id = 128000;
  d.eos_id = 128001;
  d.add_bos = true;
  return d;
}

TokenizerData llama3AsGpt2Bpe(const TokenizerData& tiktoken) {
  TokenizerData d = tiktoken;
  d.kind = TokenizerKind::Gpt2Bpe;
  d.pre_tokenizer = "llama-bpe";
  std::unordered_map<std::string_view, uint32_t> rank;
  for (uint32_t id = 0; id < 128000 && id < d.tokens.size(); ++id) rank.emplace(d.tokens[id], id);
  std::vector<std::array<uint32_t, 3>> merges;  // result rank, left rank, right rank
  for (uint32_t id = 0; id < 128000 && id < d.tokens.size(); ++id) {
    const std::string_view t = d.tokens[id];
    for (size_t cut = 1; cut < t.size(); ++cut) {
      const auto l = rank.find(t.substr(0, cut)), r = rank.find(t.substr(cut));
      if (l != rank.end() && r != rank.end()) merges.push_back({id, l->second, r->second});
    }
  }
  std::sort(merges.begin(), merges.end());
  d.merges.clear();
  for (const auto& m : merges) d.merges.emplace_back(d.tokens[m[1]], d.tokens[m[2]]);
  return d;
}

// --- GGUF "gpt2" tokenizer ------------------------------------------------------------

namespace {

// GPT-2's printable character for each byte, inverted: code point -> byte.
std::vector<int> gpt2CharToByte() {
  std::vector<int> inv(512, -1);
  int extra = 0;
  for (int b = 0; b < 256; ++b) {
    const bool keep = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
    inv[keep ? b : 256 + extra++] = b;
  }
  return inv;
}

bool gpt2Decode(std::string_view s, const std::vector<int>& inv, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    const int n = utf8::step(s.substr(i), &cp);
    if (n <= 0 || cp >= inv.size() || inv[cp] < 0) return false;
    out.push_back(static_cast<char>(inv[cp]));
    i += static_cast<size_t>(n);
  }
  return true;
}

enum GgufType : uint32_t { U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 };

size_t scalarSize(uint32_t t) {
  switch (t) {
    case U8: case I8: case BOOL: return 1;
    case U16: case I16: return 2;
    case U32: case I32: case F32: return 4;
    case U64: case I64: case F64: return 8;
    default: return 0;
  }
}

struct Gguf {
  ByteReader r;
  bool str(std::string& s) {
    uint64_t n;
    return r.read(n) && r.readString(n, s);
  }
  bool skipValue(uint32_t type) {
    if (type == STRING) {
      uint64_t n;
      return r.read(n) && r.skip(n);
    }
    if (type == ARRAY) {
      uint32_t et;
      uint64_t n;
      if (!r.read(et) || !r.read(n)) return false;
      for (uint64_t i = 0; i < n; ++i)
        if (!skipValue(et)) return false;
      return true;
    }
    const size_t sz = scalarSize(type);
    return sz && r.skip(sz);
  }
  bool strings(std::vector<std::string>& out) {
    uint32_t et;
    uint64_t n;
    if (!r.read(et) || et != STRING || !r.read(n) || n > r.remaining()) return false;
    out.resize(n);
    for (auto& s : out)
      if (!str(s)) return false;
    return true;
  }
  bool int32s(std::vector<int32_t>& out) {
    uint32_t et;
    uint64_t n;
    if (!r.read(et) || et != I32 || !r.read(n) || n > r.remaining() / 4) return false;
    out.resize(n);
    for (auto& v : out)
      if (!r.read(v)) return false;
    return true;
  }
  bool u32(uint32_t type, uint32_t& v) { return type == U32 && r.read(v); }
};

}  // namespace

Result<TokenizerData> loadGgufGpt2(const std::string& path) {
  LAC_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  Gguf g{ByteReader(file->bytes())};
  uint32_t magic = 0, version = 0;
  uint64_t n_tensors = 0, n_kv = 0;
  LAC_CHECK_OR_RETURN(g.r.read(magic) && magic == 0x46554747 && g.r.read(version) && version >= 2 &&
                          g.r.read(n_tensors) && g.r.read(n_kv),
                      Error::InvalidCheckpoint, "%s: not a GGUF v2+ file", path.c_str());
  TokenizerData d;
  d.kind = TokenizerKind::Gpt2Bpe;
  std::vector<std::string> tokens, merges;
  std::vector<int32_t> types;
  std::string model, key;
  for (uint64_t i = 0; i < n_kv; ++i) {
    uint32_t type = 0;
    LAC_CHECK_OR_RETURN(g.str(key) && g.r.read(type), Error::InvalidCheckpoint, "%s: bad key at byte %zu",
                        path.c_str(), g.r.offset());
    bool ok = true;
    if (key == "tokenizer.ggml.model") ok = type == STRING && g.str(model);
    else if (key == "tokenizer.ggml.pre") ok = type == STRING && g.str(d.pre_tokenizer);
    else if (key == "tokenizer.ggml.tokens") ok = type == ARRAY && g.strings(tokens);
    else if (key == "tokenizer.ggml.merges") ok = type == ARRAY && g.strings(merges);
    else if (key == "tokenizer.ggml.token_type") ok = type == ARRAY && g.int32s(types);
    else if (key == "tokenizer.ggml.bos_token_id") ok = g.u32(type, d.bos_id.emplace());
    else if (key == "tokenizer.ggml.eos_token_id") ok = g.u32(type, d.eos_id.emplace());
    else if (key == "tokenizer.ggml.add_bos_token") ok = type == BOOL && g.r.read(d.add_bos);
    else ok = g.skipValue(type);
    LAC_CHECK_OR_RETURN(ok, Error::InvalidCheckpoint, "%s: key '%s': bad value", path.c_str(), key.c_str());
  }
  LAC_CHECK_OR_RETURN(model == "gpt2" && types.size() == tokens.size(), Error::Unsupported,
                      "%s: tokenizer model '%s' is not gpt2", path.c_str(), model.c_str());

  const std::vector<int> inv = gpt2CharToByte();
  std::string bytes;
  for (size_t id = 0; id < tokens.size(); ++id) {
    if (types[id] == 3 || types[id] == 4) {  // CONTROL, USER_DEFINED: literal text
      d.special_tokens.push_back({tokens[id], static_cast<uint32_t>(id)});
      d.tokens.push_back(tokens[id]);
      continue;
    }
    LAC_CHECK_OR_RETURN(gpt2Decode(tokens[id], inv, bytes), Error::InvalidCheckpoint,
                        "%s: token %zu is not GPT-2 byte characters", path.c_str(), id);
    d.tokens.push_back(bytes);
  }
  std::string left, right;
  for (const std::string& m : merges) {
    const size_t sp = m.find(' ', 1);
    LAC_CHECK_OR_RETURN(sp != std::string::npos && gpt2Decode(m.substr(0, sp), inv, left) &&
                            gpt2Decode(m.substr(sp + 1), inv, right),
                        Error::InvalidCheckpoint, "%s: bad merge '%s'", path.c_str(), m.c_str());
    d.merges.emplace_back(left, right);
  }
  return d;
}

}  // namespace lac::testdata
