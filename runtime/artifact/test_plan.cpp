#include "runtime/artifact/test_plan.h"

#include <gtest/gtest.h>

#include "runtime/core/test_temp.h"
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "runtime/artifact/checksum.h"
#include "runtime/artifact/format.h"
#include "runtime/artifact/validate.h"

namespace lac::artifact::testing {

namespace {

constexpr uint32_t kDim = 32, kHeads = 2, kKvHeads = 1, kHeadDim = 16, kFfn = 64, kVocab = 16;
constexpr uint32_t kSeq = 16;

// ---------------------------------------------------------------------------
// Weights

void addWeight(plan::PlanT& p, const std::string& name, plan::DType dt, std::vector<uint64_t> shape,
               uint64_t& cursor) {
  auto w = std::make_unique<plan::WeightT>();
  w->name = name;
  w->dtype = dt;
  w->shape = shape;
  w->layout = "row_major";
  uint64_t bytes = denseBytes(toDType(dt), shape).value();
  cursor = alignUp(cursor, kWeightAlignment);
  w->blob = std::make_unique<plan::BlobSlice>(cursor, bytes, 0);
  cursor += bytes;
  p.weights.push_back(std::move(w));
}

// Weight indices, in the order added below.
enum W : uint32_t { kEmb, kAttnNorm, kWqkv, kWo, kFfnNorm, kW1, kW3, kW2, kNorm, kOut };

void addWeights(plan::PlanT& p) {
  using D = plan::DType;
  uint64_t cur = 0;
  const uint64_t qkv_rows = (kHeads + 2 * kKvHeads) * kHeadDim;
  addWeight(p, "tok_embeddings.weight", D::f32, {kVocab, kDim}, cur);
  addWeight(p, "layers.0.attention_norm.weight", D::f32, {kDim}, cur);
  addWeight(p, "layers.0.attention.wqkv.weight", D::q8_0, {qkv_rows, kDim}, cur);
  addWeight(p, "layers.0.attention.wo.weight", D::q4_0, {kDim, kHeads * kHeadDim}, cur);
  addWeight(p, "layers.0.ffn_norm.weight", D::f32, {kDim}, cur);
  addWeight(p, "layers.0.feed_forward.w1.weight", D::f16, {kFfn, kDim}, cur);
  addWeight(p, "layers.0.feed_forward.w3.weight", D::f16, {kFfn, kDim}, cur);
  addWeight(p, "layers.0.feed_forward.w2.weight", D::f16, {kDim, kFfn}, cur);
  addWeight(p, "norm.weight", D::f32, {kDim}, cur);
  addWeight(p, "output.weight", D::f16, {kVocab, kDim}, cur);
  p.weight_blob = std::make_unique<plan::WeightBlob>(alignUp(cur, kWeightAlignment), 0);
}

// ---------------------------------------------------------------------------
// Entry points

struct BufferSpec {
  plan::DType dtype;
  std::vector<uint64_t> shape;
  plan::BufferRole role;
};

std::unique_ptr<plan::StepT> step(plan::Kernel k, std::vector<uint32_t> in, std::vector<uint32_t> out,
                                  std::vector<uint32_t> weights, int32_t layer, uint64_t rows, uint64_t cols) {
  auto s = std::make_unique<plan::StepT>();
  s->kernel = k;
  s->variant = "generic";
  s->inputs = std::move(in);
  s->outputs = std::move(out);
  s->weights = std::move(weights);
  s->layer = layer;
  s->params = std::make_unique<plan::StepParamsT>();
  s->params->eps = 1e-5f;
  s->params->rows = rows;
  s->params->cols = cols;
  return s;
}

std::unique_ptr<plan::EntryPointT> entryPoint(const std::string& name, uint32_t t) {
  using D = plan::DType;
  using R = plan::BufferRole;
  using K = plan::Kernel;
  auto e = std::make_unique<plan::EntryPointT>();
  e->name = name;
  e->max_tokens = t;
  const uint64_t qkv = (kHeads + 2 * kKvHeads) * kHeadDim;
  const BufferSpec specs[] = {
      {D::i32, {t}, R::tokens},          {D::i32, {t}, R::positions},
      {D::f32, {t, kDim}, R::intermediate},                            // 2 x (residual stream)
      {D::f32, {t, qkv}, R::intermediate},                             // 3 qkv
      {D::f32, {t, kHeads * kHeadDim}, R::intermediate},               // 4 attention out
      {D::f32, {t, kFfn}, R::intermediate},                            // 5 ffn hidden
      {D::f32, {t, kVocab}, R::logits},                                // 6 logits
  };
  uint64_t off = 0;
  for (const BufferSpec& s : specs) {
    auto b = std::make_unique<plan::BufferT>();
    b->id = static_cast<uint32_t>(e->buffers.size());
    b->offset = off;
    b->bytes = denseBytes(toDType(s.dtype), s.shape).value();
    b->dtype = s.dtype;
    b->shape = s.shape;
    b->role = s.role;
    off = alignUp(off + b->bytes, kBufferAlignment);
    e->buffers.push_back(std::move(b));
  }
  e->arena_bytes = off;

  e->steps.push_back(step(K::embed, {0}, {2}, {kEmb}, -1, kVocab, kDim));
  e->steps.push_back(step(K::rmsnorm_matmul, {2}, {3}, {kAttnNorm, kWqkv}, 0, qkv, kDim));
  auto attn = step(K::rope_kv_attention, {3}, {4}, {}, 0, 0, 0);
  attn->params->n_heads = kHeads;
  attn->params->n_kv_heads = kKvHeads;
  attn->params->head_dim = kHeadDim;
  attn->params->rope_theta = 500000.0f;
  attn->params->rope_scaling = std::make_unique<plan::RopeScaling>(8.0f, 1.0f, 4.0f, 8192);
  e->steps.push_back(std::move(attn));
  e->steps.push_back(step(K::matmul_residual, {4, 2}, {2}, {kWo}, 0, kDim, kHeads * kHeadDim));
  e->steps.push_back(step(K::rmsnorm_gate_up_silu, {2}, {5}, {kFfnNorm, kW1, kW3}, 0, kFfn, kDim));
  e->steps.push_back(step(K::matmul_residual, {5, 2}, {2}, {kW2}, 0, kDim, kFfn));
  e->steps.push_back(step(K::final_norm_lm_head, {2}, {6}, {kNorm, kOut}, -1, kVocab, kDim));
  return e;
}

// ---------------------------------------------------------------------------
// Tokenizer

std::unique_ptr<plan::TokenizerT> tokenizer() {
  auto t = std::make_unique<plan::TokenizerT>();
  t->kind = plan::TokenizerKind::gpt2_bpe;
  auto add = [&](const std::string& s) {
    auto tok = std::make_unique<plan::TokenT>();
    tok->bytes.assign(s.begin(), s.end());
    t->tokens.push_back(std::move(tok));
  };
  for (char c = 'a'; c < 'a' + 12; ++c) add(std::string(1, c));  // 0..11
  add("ab");                                                     // 12 = 0 + 1
  add("abc");                                                    // 13 = 12 + 2
  add("<|im_start|>");                                           // 14
  add("<|im_end|>");                                             // 15
  t->merges = {plan::Merge(0, 1), plan::Merge(12, 2)};
  for (uint32_t id : {14u, 15u}) {
    auto s = std::make_unique<plan::SpecialTokenT>();
    s->id = id;
    s->text.assign(t->tokens[id]->bytes.begin(), t->tokens[id]->bytes.end());
    t->special_tokens.push_back(std::move(s));
  }
  t->pre_tokenizer = "gpt2";
  t->pre_tokenizer_regex = "'s|'t| ?\\p{L}+| ?\\p{N}+";
  t->bos_id = 14;
  t->eos_id = 15;
  return t;
}

}  // namespace

std::unique_ptr<plan::PlanT> makeTestPlan() {
  auto p = std::make_unique<plan::PlanT>();
  p->format_version = kFormatVersion;
  p->producer = "artifact_test";
  p->model_name = "tiny";
  p->config = std::make_unique<plan::ModelConfigT>();
  plan::ModelConfigT& c = *p->config;
  c.architecture = "llama";
  c.dim = kDim;
  c.n_layers = 1;
  c.n_heads = kHeads;
  c.n_kv_heads = kKvHeads;
  c.head_dim = kHeadDim;
  c.ffn_dim = kFfn;
  c.vocab_size = kVocab;
  c.rope_theta = 500000.0f;
  c.rope_scaling = std::make_unique<plan::RopeScaling>(8.0f, 1.0f, 4.0f, 8192);
  c.max_seq_len = 128;
  p->target = std::make_unique<plan::TargetInfoT>();
  p->max_batch = 1;
  p->max_seq_len = kSeq;
  p->tokenizer = tokenizer();
  p->chat = std::make_unique<plan::ChatFormatT>();
  p->chat->kind = plan::ChatFormatKind::chatml;
  p->chat->default_system_prompt = "You are a helpful assistant.";
  p->stop_token_ids = {15};
  p->generation = std::make_unique<plan::GenerationDefaultsT>();
  p->generation->max_gen_len = 8;
  addWeights(*p);
  p->kv_cache = std::make_unique<plan::KvCacheLayoutT>();
  p->kv_cache->dtype = plan::DType::f32;
  p->kv_cache->layout = "blhd";
  p->kv_cache->max_batch = 1;
  p->kv_cache->max_seq_len = kSeq;
  p->kv_cache->bytes_per_layer = 2ull * 1 * kSeq * kKvHeads * kHeadDim * 4;
  p->entry_points.push_back(entryPoint("prefill", kSeq));
  p->entry_points.push_back(entryPoint("decode", 1));
  return p;
}

std::vector<uint8_t> pack(const plan::PlanT& p) {
  flatbuffers::FlatBufferBuilder fbb;
  plan::FinishPlanBuffer(fbb, plan::Plan::Pack(fbb, &p));
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

std::vector<uint8_t> weightBytes(uint32_t index, uint64_t bytes) {
  std::vector<uint8_t> v(bytes);
  for (uint64_t j = 0; j < bytes; ++j) v[j] = static_cast<uint8_t>(index * 131 + j * 7 + (j >> 8));
  return v;
}

WeightSource testSource(const plan::PlanT& p) {
  std::vector<uint64_t> sizes;
  for (const auto& w : p.weights) sizes.push_back(w->blob->bytes());
  return [sizes](uint32_t i, WeightSink& sink) -> VoidResult {
    std::vector<uint8_t> b = weightBytes(i, sizes.at(i));
    size_t half = b.size() / 2;
    LAC_RETURN_IF_ERROR(sink.write({b.data(), half}));
    return sink.write({b.data() + half, b.size() - half});
  };
}

std::vector<uint8_t> assemble(const plan::PlanT& p_in, bool keep_checksums) {
  plan::PlanT p = p_in;  // deep copy
  // The blob: every weight that lies inside it, at its offset.
  const uint64_t blob_bytes = p.weight_blob ? p.weight_blob->bytes() : 0;
  std::vector<uint8_t> blob(p.random_weights ? 0 : blob_bytes);
  for (uint32_t i = 0; i < p.weights.size(); ++i) {
    plan::BlobSlice& s = *p.weights[i]->blob;
    std::vector<uint8_t> b = weightBytes(i, s.bytes());
    if (s.offset() <= blob.size() && s.bytes() <= blob.size() - s.offset())
      std::memcpy(blob.data() + s.offset(), b.data(), b.size());
    if (!keep_checksums) s.mutate_checksum(xxh64(b));
  }
  if (!keep_checksums && p.weight_blob) p.weight_blob->mutate_checksum(blob.empty() ? 0 : xxh64(blob));
  std::vector<uint8_t> plan_bytes = pack(p);

  Header h = makeHeader();
  h.plan_bytes = plan_bytes.size();
  h.plan_checksum = xxh64(plan_bytes);
  if (!blob.empty()) {
    h.weights_offset = alignUp(kHeaderBytes + plan_bytes.size(), kBlobAlignment);
    h.weights_bytes = blob.size();
    h.weights_checksum = xxh64(blob);
  }
  std::vector<uint8_t> file(blob.empty() ? kHeaderBytes + plan_bytes.size() : h.weights_offset + blob.size());
  std::memcpy(file.data(), &h, sizeof h);
  std::memcpy(file.data() + kHeaderBytes, plan_bytes.data(), plan_bytes.size());
  if (!blob.empty()) std::memcpy(file.data() + h.weights_offset, blob.data(), blob.size());
  return file;
}

Result<Artifact> load(std::span<const uint8_t> file, const OpenOptions& opts) {
  size_t n = alignUp(std::max<size_t>(file.size(), 1), 64);
  std::shared_ptr<uint8_t> mem(static_cast<uint8_t*>(std::aligned_alloc(64, n)), std::free);
  if (!file.empty()) std::memcpy(mem.get(), file.data(), file.size());
  return Artifact::fromBytes({mem.get(), file.size()}, mem, "test.lac", opts);
}

std::string tempDir(const std::string& name) {
  std::filesystem::path dir = lac::testing::tempPath("artifact_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace lac::artifact::testing
