#include "runtime/engine/tiny_plan.h"

#include <cmath>
#include <cstring>
#include <random>

#include "runtime/artifact/artifact_writer.h"
#include "runtime/artifact/format.h"
#include "runtime/artifact/validate.h"

namespace lac::engine::testing {

namespace {

using D = plan::DType;
using R = plan::BufferRole;
using Kn = plan::Kernel;

constexpr int kD = 64, kL = 2, kH = 4, kKV = 2, kHd = 16, kF = 96, kV = 50;

std::vector<float> randomVec(std::mt19937_64& g, size_t n, float scale, float center = 0) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = center + scale * u(g);
  return v;
}

std::vector<float> cat(const std::vector<float>& a, const std::vector<float>& b, const std::vector<float>& c = {}) {
  std::vector<float> r = a;
  r.insert(r.end(), b.begin(), b.end());
  r.insert(r.end(), c.begin(), c.end());
  return r;
}

// The weight table, in order, with their f32 values.
struct WeightList {
  std::vector<std::string> names;
  std::vector<std::vector<uint64_t>> shapes;
  std::vector<std::vector<float>> values;
  uint32_t add(const std::string& n, std::vector<uint64_t> s, std::vector<float> v) {
    names.push_back(n);
    shapes.push_back(std::move(s));
    values.push_back(std::move(v));
    return uint32_t(names.size() - 1);
  }
};

struct Idx {
  uint32_t emb, norm, out;
  uint32_t attn_norm[kL], ffn_norm[kL], wqkv, wq, wk, wv, wo[kL], w13, w1, w3, w2[kL];
};

WeightList weightList(const RefModel& m, Idx& i) {
  WeightList w;
  const uint64_t D = kD, F = kF, HD = kH * kHd, KVD = kKV * kHd;
  i.emb = w.add("tok_embeddings.weight", {kV, D}, m.tok_embeddings);
  for (int l = 0; l < kL; ++l) {
    const RefLayer& L = m.layers[l];
    const std::string p = "layers." + std::to_string(l) + ".";
    i.attn_norm[l] = w.add(p + "attention_norm.weight", {D}, L.attn_norm);
    if (l == 0) {
      i.wqkv = w.add(p + "attention.wqkv.weight", {HD + 2 * KVD, D}, cat(L.wq, L.wk, L.wv));
    } else {
      i.wq = w.add(p + "attention.wq.weight", {HD, D}, L.wq);
      i.wk = w.add(p + "attention.wk.weight", {KVD, D}, L.wk);
      i.wv = w.add(p + "attention.wv.weight", {KVD, D}, L.wv);
    }
    i.wo[l] = w.add(p + "attention.wo.weight", {D, HD}, L.wo);
    i.ffn_norm[l] = w.add(p + "ffn_norm.weight", {D}, L.ffn_norm);
    if (l == 0) {
      i.w13 = w.add(p + "feed_forward.w13.weight", {2 * F, D}, cat(L.w1, L.w3));
    } else {
      i.w1 = w.add(p + "feed_forward.w1.weight", {F, D}, L.w1);
      i.w3 = w.add(p + "feed_forward.w3.weight", {F, D}, L.w3);
    }
    i.w2[l] = w.add(p + "feed_forward.w2.weight", {D, F}, L.w2);
  }
  i.norm = w.add("norm.weight", {D}, m.norm);
  i.out = w.add("output.weight", {kV, D}, m.output);
  return w;
}

class EntryBuilder {
 public:
  EntryBuilder(const std::string& name, uint32_t t) : e_(std::make_unique<plan::EntryPointT>()), t_(t) {
    e_->name = name;
    e_->max_tokens = t;
  }
  uint32_t buf(D dt, std::vector<uint64_t> shape, R role = R::intermediate) {
    auto b = std::make_unique<plan::BufferT>();
    b->id = uint32_t(e_->buffers.size());
    b->offset = off_;
    b->bytes = artifact::denseBytes(artifact::toDType(dt), shape).value();
    b->dtype = dt;
    b->shape = std::move(shape);
    b->role = role;
    off_ = artifact::alignUp(off_ + b->bytes, 64);
    e_->buffers.push_back(std::move(b));
    e_->arena_bytes = off_;
    return e_->buffers.back()->id;
  }
  uint32_t act(uint64_t width) { return buf(D::f32, {t_, width}); }
  plan::StepT& step(Kn k, std::vector<uint32_t> in, uint32_t out, std::vector<uint32_t> w, int layer,
                    uint64_t rows, uint64_t cols) {
    auto s = std::make_unique<plan::StepT>();
    s->kernel = k;
    s->variant = "generic";
    s->inputs = std::move(in);
    s->outputs = {out};
    s->weights = std::move(w);
    s->layer = layer;
    s->params = std::make_unique<plan::StepParamsT>();
    s->params->eps = 1e-5f;
    s->params->rows = rows;
    s->params->cols = cols;
    e_->steps.push_back(std::move(s));
    return *e_->steps.back();
  }
  void attention(const RefModel& m, std::vector<uint32_t> in, uint32_t out, int layer) {
    plan::StepT& s = step(Kn::rope_kv_attention, std::move(in), out, {}, layer, 0, 0);
    s.params->n_heads = kH;
    s.params->n_kv_heads = kKV;
    s.params->head_dim = kHd;
    s.params->rope_theta = m.rope_theta;
    s.params->rope_scaling = std::make_unique<plan::RopeScaling>(m.rope_factor, m.rope_low, m.rope_high,
                                                                 uint32_t(m.rope_orig));
  }
  std::unique_ptr<plan::EntryPointT> take() { return std::move(e_); }

 private:
  std::unique_ptr<plan::EntryPointT> e_;
  uint64_t t_, off_ = 0;
};

std::unique_ptr<plan::EntryPointT> entryPoint(const RefModel& m, const Idx& w, const std::string& name, uint32_t t) {
  const bool prefill = name == "prefill";
  EntryBuilder b(name, t);
  const uint64_t D = kD, F = kF, HD = kH * kHd, KVD = kKV * kHd;
  uint32_t tokens = b.buf(D::i32, {t}, R::tokens);
  b.buf(D::i32, {t}, R::positions);
  uint32_t x = b.act(D), qkv = b.act(HD + 2 * KVD), o = b.act(HD), h = b.act(F);
  uint32_t q = b.act(HD), k = b.act(KVD), v = b.act(KVD), tmp = b.act(D), xn = b.act(D);
  uint32_t logits = b.buf(D::f32, {1, uint64_t(kV)}, R::logits);
  b.step(Kn::embed, {tokens}, x, {w.emb}, -1, kV, D);
  // Layer 0: fused qkv and gate/up, residual matmuls.
  b.step(Kn::rmsnorm_matmul, {x}, qkv, {w.attn_norm[0], w.wqkv}, 0, HD + 2 * KVD, D);
  b.attention(m, {qkv}, o, 0);
  b.step(Kn::matmul_residual, {o, x}, x, {w.wo[0]}, 0, D, HD);
  b.step(Kn::rmsnorm_gate_up_silu, {x}, h, {w.ffn_norm[0], w.w13}, 0, F, D);
  b.step(Kn::matmul_residual, {h, x}, x, {w.w2[0]}, 0, D, F);
  // Layer 1: q, k, v as three rmsnorm_matmul steps, matmul + add, separate gate/up.
  b.step(Kn::rmsnorm_matmul, {x}, q, {w.attn_norm[1], w.wq}, 1, HD, D);
  b.step(Kn::rmsnorm_matmul, {x}, k, {w.attn_norm[1], w.wk}, 1, KVD, D);
  b.step(Kn::rmsnorm_matmul, {x}, v, {w.attn_norm[1], w.wv}, 1, KVD, D);
  b.attention(m, {q, k, v}, o, 1);
  b.step(Kn::matmul, {o}, tmp, {w.wo[1]}, 1, D, HD);
  b.step(Kn::add, {x, tmp}, x, {}, -1, 0, D);
  b.step(Kn::rmsnorm_gate_up_silu, {x}, h, {w.ffn_norm[1], w.w1, w.w3}, 1, F, D);
  b.step(Kn::matmul_residual, {h, x}, x, {w.w2[1]}, 1, D, F);
  if (prefill) {
    b.step(Kn::final_norm_lm_head, {x}, logits, {w.norm, w.out}, -1, kV, D);
  } else {  // the same as rmsnorm + matmul
    b.step(Kn::rmsnorm, {x}, xn, {w.norm}, -1, 0, D);
    b.step(Kn::matmul, {xn}, logits, {w.out}, -1, kV, D);
  }
  return b.take();
}

}  // namespace

RefModel makeTinyModel(uint64_t seed) {
  std::mt19937_64 g(seed);
  RefModel m;
  m.dim = kD, m.n_layers = kL, m.n_heads = kH, m.n_kv_heads = kKV, m.head_dim = kHd, m.ffn = kF, m.vocab = kV;
  m.rope_theta = 10000.0f;
  m.rope_factor = 8, m.rope_low = 1, m.rope_high = 4, m.rope_orig = 16;
  const float sd = 1.0f / std::sqrt(float(kD)), sf = 1.0f / std::sqrt(float(kF)), sh = 1.0f / std::sqrt(float(kH * kHd));
  m.tok_embeddings = randomVec(g, size_t(kV) * kD, 1.0f);
  for (int l = 0; l < kL; ++l) {
    RefLayer L;
    L.attn_norm = randomVec(g, kD, 0.2f, 1.0f);
    L.wq = randomVec(g, size_t(kH) * kHd * kD, 2 * sd);
    L.wk = randomVec(g, size_t(kKV) * kHd * kD, 2 * sd);
    L.wv = randomVec(g, size_t(kKV) * kHd * kD, sd);
    L.wo = randomVec(g, size_t(kD) * kH * kHd, sh);
    L.ffn_norm = randomVec(g, kD, 0.2f, 1.0f);
    L.w1 = randomVec(g, size_t(kF) * kD, sd);
    L.w3 = randomVec(g, size_t(kF) * kD, sd);
    L.w2 = randomVec(g, size_t(kD) * kF, sf);
    m.layers.push_back(std::move(L));
  }
  m.norm = randomVec(g, kD, 0.2f, 1.0f);
  m.output = randomVec(g, size_t(kV) * kD, 2 * sd);
  return m;
}

namespace {

std::unique_ptr<plan::PlanT> planWith(const RefModel& m, const TinyPlanOptions& o, WeightList& wl) {
  Idx idx{};
  wl = weightList(m, idx);
  auto p = std::make_unique<plan::PlanT>();
  p->format_version = artifact::kFormatVersion;
  p->producer = "engine_test";
  p->model_name = "tiny";
  p->config = std::make_unique<plan::ModelConfigT>();
  plan::ModelConfigT& c = *p->config;
  c.architecture = "llama";
  c.dim = kD, c.n_layers = kL, c.n_heads = kH, c.n_kv_heads = kKV, c.head_dim = kHd, c.ffn_dim = kF;
  c.vocab_size = kV;
  c.rope_theta = m.rope_theta;
  c.rope_scaling = std::make_unique<plan::RopeScaling>(m.rope_factor, m.rope_low, m.rope_high, uint32_t(m.rope_orig));
  c.max_seq_len = o.max_seq_len;
  p->target = std::make_unique<plan::TargetInfoT>();
  p->max_batch = o.max_batch;
  p->max_seq_len = o.max_seq_len;
  uint64_t cur = 0;
  for (size_t i = 0; i < wl.names.size(); ++i) {
    auto w = std::make_unique<plan::WeightT>();
    w->name = wl.names[i];
    w->dtype = (o.random_weights && wl.shapes[i].size() == 2) ? o.matrix_dtype : D::f32;
    w->shape = wl.shapes[i];
    w->layout = "row_major";
    const uint64_t bytes = artifact::denseBytes(artifact::toDType(w->dtype), w->shape).value();
    cur = artifact::alignUp(cur, 64);
    w->blob = std::make_unique<plan::BlobSlice>(cur, bytes, 0);
    cur += bytes;
    p->weights.push_back(std::move(w));
  }
  p->weight_blob = std::make_unique<plan::WeightBlob>(artifact::alignUp(cur, 64), 0);
  p->random_weights = o.random_weights;
  p->kv_cache = std::make_unique<plan::KvCacheLayoutT>();
  p->kv_cache->dtype = o.kv_dtype;
  p->kv_cache->layout = "blhd";
  p->kv_cache->max_batch = o.max_batch;
  p->kv_cache->max_seq_len = o.max_seq_len;
  p->kv_cache->bytes_per_layer = 2ull * o.max_batch * o.max_seq_len * kKV * kHd * 4;  // >= any dtype's need
  p->entry_points.push_back(entryPoint(m, idx, "prefill", o.prefill_tokens));
  p->entry_points.push_back(entryPoint(m, idx, "decode", 1));
  return p;
}

}  // namespace

std::unique_ptr<plan::PlanT> makeTinyPlan(const RefModel& m, const TinyPlanOptions& o) {
  WeightList wl;
  return planWith(m, o, wl);
}

VoidResult writeTinyArtifact(const std::string& path, const RefModel& m, const TinyPlanOptions& o) {
  WeightList wl;
  std::unique_ptr<plan::PlanT> p = planWith(m, o, wl);
  flatbuffers::FlatBufferBuilder fbb;
  plan::FinishPlanBuffer(fbb, plan::Plan::Pack(fbb, p.get()));
  return artifact::writeArtifact(path, fbb, [&](uint32_t i, artifact::WeightSink& sink) {
    const std::vector<float>& v = wl.values.at(i);
    return sink.write({reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)});
  });
}

}  // namespace lac::engine::testing
