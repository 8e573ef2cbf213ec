#include "compiler/import/reader.h"

#include <algorithm>
#include <filesystem>

namespace lac::import {

namespace fs = std::filesystem;

namespace {

Result<ModelSpec> dispatch(const std::string& path, const ReadOptions& options) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    LAC_FAIL(Error::NotFound, "%s: no such file or folder", path.c_str());
  if (fs::is_directory(path, ec)) {
    const fs::path dir(path);
    if (fs::exists(dir / "params.json", ec)) return readMeta(path, options);
    if (fs::exists(dir / "config.json", ec)) return readHuggingFace(path, options);
    LAC_FAIL(Error::InvalidCheckpoint,
             "%s: folder has neither params.json (Meta format) nor config.json (Hugging Face format)",
             path.c_str());
  }
  return readGguf(path, options);
}

}  // namespace

Result<ModelSpec> readModel(const std::string& path, const ReadOptions& options) {
  LAC_ASSIGN_OR_RETURN(ModelSpec spec, dispatch(path, options));
  // One order for stop tokens whatever the format listed them in.
  std::sort(spec.stop_token_ids.begin(), spec.stop_token_ids.end());
  spec.stop_token_ids.erase(std::unique(spec.stop_token_ids.begin(), spec.stop_token_ids.end()),
                            spec.stop_token_ids.end());
  return spec;
}

namespace {

std::string shapeString(const std::vector<uint64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

}  // namespace

namespace {

struct ExpectedTensor {
  std::string name;
  std::vector<uint64_t> shape;
};

// Every tensor the Llama graph reads, with the shape the config implies.
std::vector<ExpectedTensor> expectedTensors(const ModelConfig& c) {
  const uint64_t q = uint64_t(c.n_heads) * c.head_dim, kv = uint64_t(c.n_kv_heads) * c.head_dim;
  std::vector<ExpectedTensor> want = {{"tok_embeddings.weight", {c.vocab_size, c.dim}}};
  for (uint32_t i = 0; i < c.n_layers; ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    want.push_back({p + "attention_norm.weight", {c.dim}});
    want.push_back({p + "attention.wq.weight", {q, c.dim}});
    want.push_back({p + "attention.wk.weight", {kv, c.dim}});
    want.push_back({p + "attention.wv.weight", {kv, c.dim}});
    want.push_back({p + "attention.wo.weight", {c.dim, q}});
    want.push_back({p + "ffn_norm.weight", {c.dim}});
    want.push_back({p + "feed_forward.w1.weight", {c.ffn_dim, c.dim}});
    want.push_back({p + "feed_forward.w2.weight", {c.dim, c.ffn_dim}});
    want.push_back({p + "feed_forward.w3.weight", {c.ffn_dim, c.dim}});
  }
  want.push_back({"norm.weight", {c.dim}});
  if (!c.tied_embeddings) want.push_back({"output.weight", {c.vocab_size, c.dim}});
  return want;
}

}  // namespace

void declareTensorsFromConfig(ModelSpec& spec, DType dtype) {
  spec.tensors.clear();
  for (ExpectedTensor& e : expectedTensors(spec.config)) {
    TensorView t;
    t.name = std::move(e.name);
    t.shape = std::move(e.shape);
    // Norm weights are f32 in every format LAC emits; matrices take `dtype`.
    t.dtype = t.shape.size() == 1 ? DType::F32 : dtype;
    t.source = "(no weights: declared from the config)";
    spec.tensors.push_back(std::move(t));
  }
}

VoidResult validateSpec(const ModelSpec& spec) {
  const ModelConfig& c = spec.config;
  const char* where = spec.path.c_str();
  LAC_CHECK_OR_RETURN(c.dim > 0 && c.n_layers > 0 && c.n_heads > 0 && c.n_kv_heads > 0 && c.vocab_size > 0 &&
                          c.ffn_dim > 0 && c.head_dim > 0,
                      Error::InvalidCheckpoint,
                      "%s: incomplete config (dim=%u n_layers=%u n_heads=%u n_kv_heads=%u vocab_size=%u ffn_dim=%u)",
                      where, c.dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab_size, c.ffn_dim);
  LAC_CHECK_OR_RETURN(c.n_heads % c.n_kv_heads == 0, Error::InvalidCheckpoint,
                      "%s: n_heads %u is not a multiple of n_kv_heads %u", where, c.n_heads, c.n_kv_heads);
  LAC_CHECK_OR_RETURN(c.head_dim % 2 == 0, Error::InvalidCheckpoint, "%s: head_dim %u is odd (RoPE needs pairs)",
                      where, c.head_dim);
  LAC_CHECK_OR_RETURN(c.n_layers <= 4096 && c.dim <= (1u << 20) && c.vocab_size <= (1u << 24), Error::InvalidCheckpoint,
                      "%s: implausible config (n_layers=%u dim=%u vocab_size=%u)", where, c.n_layers, c.dim,
                      c.vocab_size);

  if (spec.tokenizer.kind != TokenizerKind::None) {
    LAC_CHECK_OR_RETURN(!spec.tokenizer.tokens.empty() && spec.tokenizer.tokens.size() <= c.vocab_size,
                        Error::InvalidCheckpoint, "%s: tokenizer has %zu tokens but vocab_size is %u",
                        spec.tokenizer.source.c_str(), spec.tokenizer.tokens.size(), c.vocab_size);
  }
  for (uint32_t id : spec.stop_token_ids)
    LAC_CHECK_OR_RETURN(id < c.vocab_size, Error::InvalidCheckpoint, "%s: stop token id %u is outside the vocabulary",
                        where, id);

  if (spec.tensors.empty()) return {};  // config-only read

  const std::vector<ExpectedTensor> want = expectedTensors(c);
  for (const ExpectedTensor& w : want) {
    const TensorView* t = spec.findTensor(w.name);
    LAC_CHECK_OR_RETURN(t != nullptr, Error::InvalidCheckpoint, "%s: tensor '%s' is missing", where, w.name.c_str());
    LAC_CHECK_OR_RETURN(t->shape == w.shape, Error::InvalidCheckpoint,
                        "%s: tensor '%s' has shape %s, the config implies %s", t->source.c_str(), w.name.c_str(),
                        shapeString(t->shape).c_str(), shapeString(w.shape).c_str());
  }
  for (const TensorView& t : spec.tensors) {
    LAC_CHECK_OR_RETURN(!t.pieces.empty(), Error::InvalidCheckpoint, "%s: tensor '%s' has no data",
                        t.source.c_str(), t.name.c_str());
    LAC_CHECK_OR_RETURN(rowBytes(t.dtype, t.shape.empty() ? 1 : t.shape.back()).has_value(), Error::InvalidCheckpoint,
                        "%s: tensor '%s': last dimension %llu is not a multiple of the %s block size",
                        t.source.c_str(), t.name.c_str(),
                        static_cast<unsigned long long>(t.shape.empty() ? 1 : t.shape.back()),
                        std::string(dtypeName(t.dtype)).c_str());
    uint64_t piece_bytes = 0;
    for (const TensorPiece& p : t.pieces) {
      uint64_t n = 1;
      for (uint64_t d : p.shape) n *= d;
      auto rb = rowBytes(t.dtype, p.shape.empty() ? 1 : p.shape.back());
      LAC_CHECK_OR_RETURN(rb.has_value(), Error::InvalidCheckpoint, "%s: tensor '%s': shard is not block-aligned",
                          t.source.c_str(), t.name.c_str());
      const uint64_t bytes = p.shape.empty() ? *rb : n / p.shape.back() * *rb;
      LAC_CHECK_OR_RETURN(p.file && p.offset <= p.file->size() && bytes <= p.file->size() - p.offset,
                          Error::InvalidCheckpoint,
                          "%s: tensor '%s': %llu bytes at byte offset %llu run past the end of the file (%zu bytes)",
                          p.file ? p.file->path().c_str() : "?", t.name.c_str(),
                          static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(p.offset),
                          p.file ? p.file->size() : size_t{0});
      piece_bytes += bytes;
    }
    LAC_CHECK_OR_RETURN(piece_bytes == t.numBytes(), Error::InvalidCheckpoint,
                        "%s: tensor '%s': its pieces hold %llu bytes, its shape %s needs %llu", t.source.c_str(),
                        t.name.c_str(), static_cast<unsigned long long>(piece_bytes), shapeString(t.shape).c_str(),
                        static_cast<unsigned long long>(t.numBytes()));
  }
  return {};
}

}  // namespace lac::import
