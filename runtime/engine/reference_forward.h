// Test-only: a plain, straightforward Llama forward pass on f32 weights, one
// token at a time with its own KV cache, to check the engine against.
#pragma once

#include <cstdint>
#include <vector>

namespace lac::engine::testing {

struct RefLayer {
  std::vector<float> attn_norm;       // [D]
  std::vector<float> wq, wk, wv, wo;  // [H*hd, D], [KV*hd, D], [KV*hd, D], [D, H*hd]
  std::vector<float> ffn_norm;        // [D]
  std::vector<float> w1, w3, w2;      // [F, D], [F, D], [D, F]
};

struct RefModel {
  int dim = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0, head_dim = 0, ffn = 0, vocab = 0;
  float eps = 1e-5f, rope_theta = 10000.0f;
  // Llama 3.1 scaling; factor 0: none.
  float rope_factor = 0, rope_low = 1, rope_high = 4, rope_orig = 8192;
  std::vector<float> tok_embeddings;  // [V, D]
  std::vector<RefLayer> layers;
  std::vector<float> norm;    // [D]
  std::vector<float> output;  // [V, D]
};

// One sequence: feed tokens in order, get each token's logits.
class RefRunner {
 public:
  explicit RefRunner(const RefModel& m);
  std::vector<float> step(int32_t token);  // logits [V] of this token
  int position() const { return pos_; }

 private:
  const RefModel& m_;
  int pos_ = 0;
  std::vector<float> freqs_;
  std::vector<std::vector<float>> k_, v_;  // per layer: [pos][KV*hd]
};

// Greedy argmax.
int32_t argmax(const std::vector<float>& v);
int32_t argmax(const float* v, int n);

}  // namespace lac::engine::testing
