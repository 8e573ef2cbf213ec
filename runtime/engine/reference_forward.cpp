#include "runtime/engine/reference_forward.h"

#include <cmath>

namespace lac::engine::testing {

namespace {

std::vector<float> rmsnorm(const std::vector<float>& x, const std::vector<float>& w, float eps) {
  double ss = 0;
  for (float v : x) ss += double(v) * v;
  const float r = 1.0f / std::sqrt(float(ss / x.size()) + eps);
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * r * w[i];
  return y;
}

// W [rows, cols] . x [cols]
std::vector<float> matvec(const std::vector<float>& w, const std::vector<float>& x, size_t rows) {
  const size_t cols = x.size();
  std::vector<float> y(rows);
  for (size_t r = 0; r < rows; ++r) {
    double s = 0;
    for (size_t c = 0; c < cols; ++c) s += double(w[r * cols + c]) * x[c];
    y[r] = float(s);
  }
  return y;
}

void rope(float* x, int n_heads, int hd, int pos, const std::vector<float>& freqs) {
  for (int h = 0; h < n_heads; ++h)
    for (int i = 0; i < hd / 2; ++i) {
      const float a = float(pos) * freqs[i];
      const float c = std::cos(a), s = std::sin(a);
      float* p = x + h * hd + 2 * i;
      const float x0 = p[0], x1 = p[1];
      p[0] = x0 * c - x1 * s;
      p[1] = x0 * s + x1 * c;
    }
}

}  // namespace

RefRunner::RefRunner(const RefModel& m) : m_(m), k_(m.n_layers), v_(m.n_layers) {
  const float pi = 3.14159265358979f;
  for (int i = 0; i < m.head_dim / 2; ++i) {
    float f = 1.0f / std::pow(m.rope_theta, float(2 * i) / float(m.head_dim));
    if (m.rope_factor > 0) {  // Meta's apply_scaling
      const float wavelen = 2 * pi / f;
      const float low_wl = m.rope_orig / m.rope_low, high_wl = m.rope_orig / m.rope_high;
      if (wavelen > low_wl) {
        f = f / m.rope_factor;
      } else if (wavelen >= high_wl) {
        const float smooth = (m.rope_orig / wavelen - m.rope_low) / (m.rope_high - m.rope_low);
        f = (1 - smooth) * f / m.rope_factor + smooth * f;
      }
    }
    freqs_.push_back(f);
  }
}

std::vector<float> RefRunner::step(int32_t token) {
  const int D = m_.dim, H = m_.n_heads, KV = m_.n_kv_heads, hd = m_.head_dim, F = m_.ffn;
  std::vector<float> x(m_.tok_embeddings.begin() + size_t(token) * D,
                       m_.tok_embeddings.begin() + size_t(token + 1) * D);
  for (int l = 0; l < m_.n_layers; ++l) {
    const RefLayer& L = m_.layers[l];
    // attention
    std::vector<float> xn = rmsnorm(x, L.attn_norm, m_.eps);
    std::vector<float> q = matvec(L.wq, xn, size_t(H) * hd);
    std::vector<float> k = matvec(L.wk, xn, size_t(KV) * hd);
    std::vector<float> v = matvec(L.wv, xn, size_t(KV) * hd);
    rope(q.data(), H, hd, pos_, freqs_);
    rope(k.data(), KV, hd, pos_, freqs_);
    k_[l].insert(k_[l].end(), k.begin(), k.end());
    v_[l].insert(v_[l].end(), v.begin(), v.end());
    const int n = pos_ + 1;
    std::vector<float> o(size_t(H) * hd, 0.0f);
    for (int h = 0; h < H; ++h) {
      const int kh = h / (H / KV);
      std::vector<double> s(n);
      double mx = -1e300;
      for (int p = 0; p < n; ++p) {
        double d = 0;
        for (int i = 0; i < hd; ++i) d += double(q[h * hd + i]) * k_[l][(size_t(p) * KV + kh) * hd + i];
        s[p] = d / std::sqrt(double(hd));
        mx = std::max(mx, s[p]);
      }
      double sum = 0;
      for (double& e : s) sum += (e = std::exp(e - mx));
      for (int p = 0; p < n; ++p)
        for (int i = 0; i < hd; ++i) o[h * hd + i] += float(s[p] / sum * v_[l][(size_t(p) * KV + kh) * hd + i]);
    }
    std::vector<float> ao = matvec(L.wo, o, D);
    for (int i = 0; i < D; ++i) x[i] += ao[i];
    // feed forward
    xn = rmsnorm(x, L.ffn_norm, m_.eps);
    std::vector<float> g = matvec(L.w1, xn, F), u = matvec(L.w3, xn, F);
    for (int i = 0; i < F; ++i) g[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
    std::vector<float> f = matvec(L.w2, g, D);
    for (int i = 0; i < D; ++i) x[i] += f[i];
  }
  ++pos_;
  return matvec(m_.output, rmsnorm(x, m_.norm, m_.eps), m_.vocab);
}

int32_t argmax(const float* v, int n) {
  int32_t best = 0;
  for (int i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

int32_t argmax(const std::vector<float>& v) { return argmax(v.data(), int(v.size())); }

}  // namespace lac::engine::testing
