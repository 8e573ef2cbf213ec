// GGUF -> ModelSpec: architecture check, config from llama.* keys, tensor
// views with Meta names and outermost-first shapes, Llama 3.1 RoPE factors.
// The tokenizer half lives in gguf_tokenizer.cpp.
#include "compiler/import/gguf_reader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "compiler/import/dequantize.h"

namespace lac::import {

namespace {

using ull = unsigned long long;

// ---------------------------------------------------------------------------
// Names

struct NamePair {
  const char* gguf;
  const char* meta;
};
constexpr NamePair kGlobalNames[] = {
    {"token_embd.weight", "tok_embeddings.weight"},
    {"output_norm.weight", "norm.weight"},
    {"output.weight", "output.weight"},
};
constexpr NamePair kLayerNames[] = {  // blk.N.<gguf>.weight -> layers.N.<meta>.weight
    {"attn_q", "attention.wq"},       {"attn_k", "attention.wk"},     {"attn_v", "attention.wv"},
    {"attn_output", "attention.wo"},  {"ffn_gate", "feed_forward.w1"}, {"ffn_down", "feed_forward.w2"},
    {"ffn_up", "feed_forward.w3"},    {"attn_norm", "attention_norm"}, {"ffn_norm", "ffn_norm"},
};
constexpr const char* kRopeFreqs = "rope_freqs.weight";

// "blk.12.attn_q.weight" -> layer 12 (nullopt if the name is not blk.N.*).
std::optional<uint32_t> layerOf(const std::string& name) {
  if (name.rfind("blk.", 0) != 0) return std::nullopt;
  size_t i = 4;
  uint64_t n = 0;
  while (i < name.size() && i < 12 && name[i] >= '0' && name[i] <= '9') n = n * 10 + uint64_t(name[i++] - '0');
  if (i == 4 || i >= name.size() || name[i] != '.' || n > 0xffffffffu) return std::nullopt;
  return static_cast<uint32_t>(n);
}

// ---------------------------------------------------------------------------
// Config

Result<uint32_t> requireU32(const GgufFile& f, const std::string& key) {
  LAC_ASSIGN_OR_RETURN(auto v, ggufU32(f, key));
  LAC_CHECK_OR_RETURN(v.has_value(), Error::InvalidCheckpoint, "%s: missing required key '%s'", f.path.c_str(),
                      key.c_str());
  return *v;
}

Result<uint32_t> u32Or(const GgufFile& f, const std::string& key, uint32_t fallback) {
  LAC_ASSIGN_OR_RETURN(auto v, ggufU32(f, key));
  return v.value_or(fallback);
}

Result<float> floatOr(const GgufFile& f, const std::string& key, float fallback) {
  LAC_ASSIGN_OR_RETURN(auto v, ggufFloat(f, key));
  return v ? static_cast<float>(*v) : fallback;
}

const GgufTensorInfo* findInfo(const GgufFile& f, const std::string& name) {
  for (const auto& t : f.tensors)
    if (t.name == name) return &t;
  return nullptr;
}

VoidResult readHeadDim(const GgufFile& f, ModelConfig& c) {
  LAC_ASSIGN_OR_RETURN(auto key_len, ggufU32(f, "llama.attention.key_length"));
  LAC_ASSIGN_OR_RETURN(auto value_len, ggufU32(f, "llama.attention.value_length"));
  LAC_ASSIGN_OR_RETURN(auto rope_dim, ggufU32(f, "llama.rope.dimension_count"));
  c.head_dim = key_len ? *key_len : rope_dim ? *rope_dim : (c.n_heads ? c.dim / c.n_heads : 0);
  LAC_CHECK_OR_RETURN(!value_len || *value_len == c.head_dim, Error::Unsupported,
                      "%s: value head size %u differs from key head size %u", f.path.c_str(), *value_len, c.head_dim);
  LAC_CHECK_OR_RETURN(!rope_dim || *rope_dim == c.head_dim, Error::Unsupported,
                      "%s: partial rotary embeddings (rope.dimension_count %u, head size %u) are not supported",
                      f.path.c_str(), *rope_dim, c.head_dim);
  return {};
}

VoidResult readRopeScalingKeys(const GgufFile& f, ModelConfig& c) {
  LAC_ASSIGN_OR_RETURN(auto type, ggufString(f, "llama.rope.scaling.type"));
  LAC_ASSIGN_OR_RETURN(float factor, floatOr(f, "llama.rope.scaling.factor", 1.0f));
  if (!type || *type == "none" || (*type == "linear" && factor == 1.0f)) return {};
  LAC_CHECK_OR_RETURN(*type == "llama3", Error::Unsupported,
                      "%s: RoPE scaling type '%s' is not supported (only Llama 3.1-style)", f.path.c_str(),
                      type->c_str());
  RopeScaling s;
  s.factor = factor;
  LAC_ASSIGN_OR_RETURN(s.original_max_position,
                       u32Or(f, "llama.rope.scaling.original_context_length", s.original_max_position));
  c.rope_scaling = s;
  return {};
}

// The llama.* keys: those read here, and those whose feature LAC refuses
// unless it is off (0, false, or the neutral 1.0 for scales). Any other
// llama.* key is refused by name: llama.cpp's key set for an architecture is
// closed, so an unknown one is a variant LAC does not know.
constexpr const char* kLlamaKeys[] = {
    "context_length", "embedding_length", "block_count", "feed_forward_length", "attention.head_count",
    "attention.head_count_kv", "attention.key_length", "attention.value_length",
    "attention.layer_norm_rms_epsilon", "rope.dimension_count", "rope.freq_base", "rope.scaling.type",
    "rope.scaling.factor", "rope.scaling.original_context_length", "rope.scaling.finetuned", "vocab_size",
    "tensor_data_layout"};
constexpr const char* kLlamaOffKeys[] = {
    "expert_count", "expert_used_count", "expert_shared_count", "attention.clamp_kqv", "attention.max_alibi_bias",
    "attention.sliding_window", "attention.layer_norm_epsilon", "logit_scale", "embedding_scale", "residual_scale",
    "attention.scale", "rope.scaling.attn_factor", "rope.scaling.yarn_log_multiplier", "use_parallel_residual",
    "attn_logit_softcapping", "final_logit_softcapping", "interleave_moe_layer_step"};

bool keyOff(const GgufValue& v, const std::string& key) {
  if (auto b = v.asBool()) return !*b;
  if (auto x = v.asFloat()) {
    const bool scale = key.find("scale") != std::string::npos || key.ends_with("attn_factor");
    return *x == 0.0 || (scale && *x == 1.0);
  }
  return false;
}

VoidResult checkLlamaKeys(const GgufFile& f) {
  const std::string prefix = "llama.";
  for (const std::string& key : f.kv_order) {
    if (key.rfind(prefix, 0) != 0) continue;
    const std::string k = key.substr(prefix.size());
    bool known = false;
    for (const char* name : kLlamaKeys) known |= k == name;
    if (known) continue;
    bool off_key = false;
    for (const char* name : kLlamaOffKeys) off_key |= k == name;
    LAC_CHECK_OR_RETURN(off_key, Error::Unsupported,
                        "%s: unknown key '%s'; LAC refuses rather than ignores what may change the model",
                        f.path.c_str(), key.c_str());
    const GgufValue* v = f.find(key);
    LAC_CHECK_OR_RETURN(v && keyOff(*v, k), Error::Unsupported,
                        "%s: '%s' is set; that changes the model's math and LAC does not implement it",
                        f.path.c_str(), key.c_str());
  }
  return {};
}

Result<ModelConfig> readConfig(const GgufFile& f) {
  LAC_RETURN_IF_ERROR(checkLlamaKeys(f));
  ModelConfig c;
  c.architecture = "llama";
  LAC_ASSIGN_OR_RETURN(c.dim, requireU32(f, "llama.embedding_length"));
  LAC_ASSIGN_OR_RETURN(c.n_layers, requireU32(f, "llama.block_count"));
  LAC_ASSIGN_OR_RETURN(c.n_heads, requireU32(f, "llama.attention.head_count"));
  LAC_ASSIGN_OR_RETURN(c.n_kv_heads, u32Or(f, "llama.attention.head_count_kv", c.n_heads));
  LAC_ASSIGN_OR_RETURN(c.ffn_dim, requireU32(f, "llama.feed_forward_length"));
  LAC_ASSIGN_OR_RETURN(c.max_seq_len, u32Or(f, "llama.context_length", 0));
  LAC_ASSIGN_OR_RETURN(c.rope_theta, floatOr(f, "llama.rope.freq_base", 10000.0f));
  LAC_ASSIGN_OR_RETURN(c.norm_eps, floatOr(f, "llama.attention.layer_norm_rms_epsilon", 1e-5f));
  LAC_RETURN_IF_ERROR(readHeadDim(f, c));
  LAC_RETURN_IF_ERROR(readRopeScalingKeys(f, c));

  // vocab_size: the key, else the tokenizer's size, else the embedding's rows.
  LAC_ASSIGN_OR_RETURN(auto vocab, ggufU32(f, "llama.vocab_size"));
  if (!vocab) {
    const GgufValue* tokens = f.find("tokenizer.ggml.tokens");
    const GgufTensorInfo* embd = findInfo(f, "token_embd.weight");
    if (tokens && tokens->asArray() && tokens->asArray()->size() <= 0xffffffffu)
      vocab = static_cast<uint32_t>(tokens->asArray()->size());
    else if (embd && embd->ne.size() == 2 && embd->ne[1] <= 0xffffffffu)
      vocab = static_cast<uint32_t>(embd->ne[1]);
  }
  c.vocab_size = vocab.value_or(0);
  c.tied_embeddings = findInfo(f, "output.weight") == nullptr;
  return c;
}

// ---------------------------------------------------------------------------
// Tensors

struct Located {
  DType dtype;
  uint64_t offset;  // absolute
  uint64_t bytes;
};

// The tensor's dtype and absolute byte range, checked against the file.
Result<Located> locate(const GgufFile& f, const GgufTensorInfo& t) {
  auto dtype = dtypeFromGgmlType(t.ggml_type);
  LAC_CHECK_OR_RETURN(dtype.has_value() && *dtype != DType::I32, Error::Unsupported,
                      "%s: tensor '%s': ggml type %u is not supported (supported: f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 "
                      "q5_1 q4_k q5_k q6_k)",
                      f.path.c_str(), t.name.c_str(), t.ggml_type);
  auto row = rowBytes(*dtype, t.ne[0]);
  LAC_CHECK_OR_RETURN(row.has_value(), Error::InvalidCheckpoint,
                      "%s: tensor '%s': rows of %llu elements are not a whole number of %s blocks", f.path.c_str(),
                      t.name.c_str(), static_cast<ull>(t.ne[0]), std::string(dtypeName(*dtype)).c_str());
  uint64_t rows = 1;
  for (size_t i = 1; i < t.ne.size(); ++i) rows *= t.ne[i];  // < 2^62 (checked by the parser)
  const uint64_t bytes = rows * *row;  // row <= ne[0] * 4 and ne[0] * rows < 2^62: fits
  const uint64_t offset = f.data_offset + t.offset;
  LAC_CHECK_OR_RETURN(t.offset <= f.file_size && offset <= f.file_size && bytes <= f.file_size - offset,
                      Error::InvalidCheckpoint,
                      "%s: tensor '%s': %llu bytes of data at byte offset %llu run past the end of the file (%llu "
                      "bytes)",
                      f.path.c_str(), t.name.c_str(), static_cast<ull>(bytes), static_cast<ull>(offset),
                      static_cast<ull>(f.file_size));
  return Located{*dtype, offset, bytes};
}

Result<TensorView> tensorView(const GgufFile& f, const GgufTensorInfo& t, const std::string& meta_name,
                              const std::shared_ptr<const MappedFile>& file) {
  LAC_ASSIGN_OR_RETURN(Located loc, locate(f, t));
  TensorView v;
  v.name = meta_name;
  v.dtype = loc.dtype;
  v.shape.assign(t.ne.rbegin(), t.ne.rend());  // GGML's ne is innermost first
  v.pieces.push_back(TensorPiece{file, loc.offset, v.shape});
  v.source = std::filesystem::path(f.path).filename().string() + " @ " + std::to_string(loc.offset);
  return v;
}

VoidResult readTensors(const GgufFile& f, const std::shared_ptr<const MappedFile>& file, ModelSpec& spec) {
  for (const GgufTensorInfo& t : f.tensors) {
    if (t.name == kRopeFreqs) continue;  // folded into config.rope_scaling
    auto meta = ggufToMetaName(t.name);
    LAC_CHECK_OR_RETURN(meta.has_value(), Error::Unsupported,
                        "%s: tensor '%s' has no counterpart in a Llama model (refusing rather than ignoring it)",
                        f.path.c_str(), t.name.c_str());
    auto layer = layerOf(t.name);
    LAC_CHECK_OR_RETURN(!layer || *layer < spec.config.n_layers, Error::InvalidCheckpoint,
                        "%s: tensor '%s' is for layer %u but llama.block_count is %u", f.path.c_str(), t.name.c_str(),
                        layer.value_or(0), spec.config.n_layers);
    LAC_ASSIGN_OR_RETURN(TensorView v, tensorView(f, t, *meta, file));
    spec.tensors.push_back(std::move(v));
  }
  return {};
}

// ---------------------------------------------------------------------------
// Llama 3.1 RoPE scaling from rope_freqs.weight
//
// llama.cpp's converter stores Llama 3.1-style scaling as per-frequency
// divisors instead of keys. We accept it when it equals what RopeScaling with
// factor = max(divisors) and the standard low/high factors 1 and 4 and
// original context 8192 produce, and refuse anything else.

std::vector<float> llama3Divisors(const ModelConfig& c, const RopeScaling& s) {
  const double low_wavelen = s.original_max_position / s.low_freq_factor;
  const double high_wavelen = s.original_max_position / s.high_freq_factor;
  std::vector<float> out;
  for (uint32_t i = 0; i < c.head_dim / 2; ++i) {
    const double freq = 1.0 / std::pow(double(c.rope_theta), 2.0 * i / c.head_dim);
    const double wavelen = 2.0 * M_PI / freq;
    if (wavelen < high_wavelen) {
      out.push_back(1.0f);
    } else if (wavelen > low_wavelen) {
      out.push_back(s.factor);
    } else {
      const double smooth = (s.original_max_position / wavelen - s.low_freq_factor) /
                            (s.high_freq_factor - s.low_freq_factor);
      out.push_back(static_cast<float>(1.0 / ((1.0 - smooth) / s.factor + smooth)));
    }
  }
  return out;
}

VoidResult readRopeFreqs(const GgufFile& f, std::span<const uint8_t> bytes, ModelConfig& c) {
  const GgufTensorInfo* t = findInfo(f, kRopeFreqs);
  if (t == nullptr) return {};
  LAC_ASSIGN_OR_RETURN(Located loc, locate(f, *t));
  const uint64_t n = t->ne[0];
  LAC_CHECK_OR_RETURN(t->ne.size() == 1 && loc.dtype == DType::F32 && n == c.head_dim / 2 && c.head_dim > 0 &&
                          loc.offset + loc.bytes <= bytes.size(),
                      Error::InvalidCheckpoint, "%s: tensor '%s' should be %u f32 values", f.path.c_str(), kRopeFreqs,
                      c.head_dim / 2);
  std::vector<float> got(n);
  LAC_RETURN_IF_ERROR(dequantizeRow(DType::F32, bytes.data() + loc.offset, got.data(), n));
  RopeScaling s;
  s.factor = *std::max_element(got.begin(), got.end());
  if (s.factor == 1.0f) return {};  // no scaling at all
  const std::vector<float> want = llama3Divisors(c, s);
  for (uint64_t i = 0; i < n; ++i)
    LAC_CHECK_OR_RETURN(std::fabs(got[i] - want[i]) <= 1e-3f * want[i], Error::Unsupported,
                        "%s: tensor '%s' holds RoPE factors that are not Llama 3.1-style (element %llu is %g, "
                        "expected %g)",
                        f.path.c_str(), kRopeFreqs, static_cast<ull>(i), got[i], want[i]);
  c.rope_scaling = s;
  return {};
}

// ---------------------------------------------------------------------------
// Metadata for printing

std::string scalarText(const GgufValue& v) {
  if (auto* s = v.asString()) return *s;
  if (auto b = v.asBool()) return *b ? "true" : "false";
  if (std::holds_alternative<double>(v.data)) return std::to_string(std::get<double>(v.data));
  if (auto i = v.asInt()) return std::to_string(*i);
  if (auto u = v.asUint()) return std::to_string(*u);
  return "";
}

void readMetadata(const GgufFile& f, ModelSpec& spec) {
  spec.metadata["gguf.version"] = std::to_string(f.version);
  for (const std::string& key : f.kv_order) {
    const GgufValue& v = f.kv.at(key);
    if (v.asArray() != nullptr || key == "tokenizer.chat_template") continue;
    if (key.rfind("general.", 0) == 0 || key.rfind("tokenizer.ggml.", 0) == 0) spec.metadata[key] = scalarText(v);
  }
  auto name = f.find("general.name");
  spec.name = name && name->asString() ? *name->asString() : std::filesystem::path(f.path).stem().string();
}

}  // namespace

// ---------------------------------------------------------------------------
// Entry points

std::optional<std::string> ggufToMetaName(const std::string& name) {
  for (const NamePair& p : kGlobalNames)
    if (name == p.gguf) return std::string(p.meta);
  auto layer = layerOf(name);
  if (!layer) return std::nullopt;
  const size_t dot = name.find('.', 4);
  const std::string rest = name.substr(dot + 1);  // "attn_q.weight"
  for (const NamePair& p : kLayerNames)
    if (rest == std::string(p.gguf) + ".weight")
      return "layers." + std::to_string(*layer) + "." + p.meta + ".weight";
  return std::nullopt;
}

Result<ModelSpec> specFromGguf(const GgufFile& f, std::span<const uint8_t> bytes,
                               std::shared_ptr<const MappedFile> file, const ReadOptions& options) {
  LAC_ASSIGN_OR_RETURN(auto arch, ggufString(f, "general.architecture"));
  LAC_CHECK_OR_RETURN(arch.has_value(), Error::InvalidCheckpoint, "%s: missing required key 'general.architecture'",
                      f.path.c_str());
  LAC_CHECK_OR_RETURN(*arch == "llama", Error::Unsupported,
                      "%s: architecture '%s' is not supported (only 'llama')", f.path.c_str(), arch->c_str());
  ModelSpec spec;
  spec.format = SourceFormat::Gguf;
  spec.path = f.path;
  LAC_ASSIGN_OR_RETURN(spec.config, readConfig(f));
  LAC_RETURN_IF_ERROR(readRopeFreqs(f, bytes, spec.config));
  LAC_RETURN_IF_ERROR(readGgufTokenizer(f, spec));
  readMetadata(f, spec);
  if (!options.config_only) LAC_RETURN_IF_ERROR(readTensors(f, file, spec));
  LAC_RETURN_IF_ERROR(validateSpec(spec));
  return spec;
}

Result<ModelSpec> readGguf(const std::string& path, const ReadOptions& options) {
  LAC_ASSIGN_OR_RETURN(GgufMapped m, openGguf(path));
  return specFromGguf(m.gguf, m.file->bytes(), m.file, options);
}

}  // namespace lac::import
