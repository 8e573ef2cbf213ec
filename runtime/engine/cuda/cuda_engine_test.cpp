// CudaEngine against CpuEngine on the tiny model compiled for both targets.
//
// Artifacts: $LAC_CUDA_ARTIFACTS, else $LAC_TINY_MODELS/cuda (written by
// scripts/make-cuda-test-artifacts.sh): pairs NAME.cpu.lac / NAME.cuda.lac
// holding the same weight values (bf16: both bf16; q8_0: both q8_0; q4: the
// CPU keeps GGUF q4_1, the GPU reads it repacked into q4_g32, value for
// value), and random.cuda.lac (--no-weights).
//
// Tolerance: logits agree to 2% of the largest |logit| (at least 1) for the
// quantized pairs — the CPU kernels quantize activations to 8 bits for
// quantized weights, the CUDA kernels do not — and to 1% for bf16. Greedy
// decoding is teacher-forced with the CPU's tokens; the GPU's argmax must be
// the CPU's wherever the CPU's top-2 margin exceeds twice the tolerance.
//
// The device-check and wrong-target cases run everywhere; the rest skip
// without a GPU (sm_80+) or without the artifacts.
#include "runtime/engine/cuda/cuda_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>

#include "runtime/engine/cpu_engine.h"
#include "runtime/engine/load_model.h"

namespace lac::engine {
namespace {

namespace fs = std::filesystem;

std::string artifactsDir() {
  if (const char* d = std::getenv("LAC_CUDA_ARTIFACTS")) return d;
  const char* t = std::getenv("LAC_TINY_MODELS");
  return std::string(t ? t : ".") + "/cuda";
}

std::string artifact(const std::string& name) { return artifactsDir() + "/" + name; }

bool haveGpu() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) return false;
  cudaDeviceProp p{};
  return cudaGetDeviceProperties(&p, 0) == cudaSuccess && p.major >= 8;
}

#define SKIP_WITHOUT_GPU() \
  if (!haveGpu()) GTEST_SKIP() << "no CUDA device of sm_80 or newer"
#define SKIP_WITHOUT(path) \
  if (!fs::exists(path)) GTEST_SKIP() << (path) << " not found (scripts/make-cuda-test-artifacts.sh)"

// ---------------------------------------------------------------------------
// Everywhere

TEST(CudaEngineDevice, ChecksTheDeviceWithOneLineMessages) {
  auto ok = CudaEngine::checkDevice(80);
  if (!haveGpu()) {
    ASSERT_FALSE(ok.ok());
    EXPECT_EQ(ok.status().kind, Error::Unsupported);
    EXPECT_NE(ok.message().find("this artifact targets CUDA sm_80+, but no CUDA device is present"), std::string::npos)
        << ok.message();
    return;
  }
  EXPECT_TRUE(ok.ok()) << ok.message();
  auto future = CudaEngine::checkDevice(1000);
  ASSERT_FALSE(future.ok());
  EXPECT_NE(future.message().find("is not supported: this artifact targets CUDA sm_1000+"), std::string::npos)
      << future.message();
  EXPECT_EQ(future.message().find('\n'), std::string::npos);
}

TEST(CudaEngineDevice, RefusesACpuArtifact) {
  const std::string cpu = artifact("q4.cpu.lac");
  SKIP_WITHOUT(cpu);
  auto e = CudaEngine::load(cpu);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().kind, Error::Unsupported);
  EXPECT_NE(e.message().find("compiled for target 'cpu'; this is the CUDA engine"), std::string::npos) << e.message();
}

TEST(CudaEngineDevice, LoadModelPicksTheEngineOfTheTarget) {
  const std::string cpu = artifact("q4.cpu.lac"), gpu = artifact("q4.cuda.lac");
  SKIP_WITHOUT(gpu);
  EXPECT_TRUE(hasCudaEngine());
  auto c = loadModel(cpu);
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(dynamic_cast<CpuEngine*>(c->get()) != nullptr, true);
  auto g = loadModel(gpu);
  if (!haveGpu()) {
    ASSERT_FALSE(g.ok());
    EXPECT_NE(g.message().find("no CUDA device is present"), std::string::npos) << g.message();
    return;
  }
  ASSERT_TRUE(g.ok()) << g.message();
  EXPECT_NE(dynamic_cast<CudaEngine*>(g->get()), nullptr);
}

// ---------------------------------------------------------------------------
// On a GPU: against the CPU engine

struct Pair {
  const char* name;
  float rel_tol;
};

class CudaVsCpu : public ::testing::TestWithParam<Pair> {};

int argmax(std::span<const float> v) { return int(std::max_element(v.begin(), v.end()) - v.begin()); }

float margin(std::span<const float> v) {  // top-1 minus top-2
  std::vector<float> c(v.begin(), v.end());
  std::partial_sort(c.begin(), c.begin() + 2, c.end(), std::greater<float>());
  return c[0] - c[1];
}

// max |a - b| against tol * max(1, max |a|).
void expectClose(std::span<const float> cpu, std::span<const float> gpu, float rel_tol, const std::string& what) {
  ASSERT_EQ(cpu.size(), gpu.size());
  float amax = 1.0f, diff = 0.0f;
  size_t at = 0;
  for (size_t i = 0; i < cpu.size(); ++i) {
    ASSERT_TRUE(std::isfinite(gpu[i])) << what << ": logit " << i << " is " << gpu[i];
    amax = std::max(amax, std::fabs(cpu[i]));
    if (std::fabs(cpu[i] - gpu[i]) > diff) diff = std::fabs(cpu[i] - gpu[i]), at = i;
  }
  EXPECT_LE(diff, rel_tol * amax) << what << ": logit " << at << " cpu " << cpu[at] << " gpu " << gpu[at]
                                  << " (max |logit| " << amax << ")";
}

TEST_P(CudaVsCpu, PrefillAndGreedyDecodeAgree) {
  SKIP_WITHOUT_GPU();
  const Pair pr = GetParam();
  const std::string cpu_path = artifact(std::string(pr.name) + ".cpu.lac");
  const std::string gpu_path = artifact(std::string(pr.name) + ".cuda.lac");
  SKIP_WITHOUT(gpu_path);
  auto cpu = CpuEngine::load(cpu_path);
  ASSERT_TRUE(cpu.ok()) << cpu.message();
  auto gpu = CudaEngine::load(gpu_path);
  ASSERT_TRUE(gpu.ok()) << gpu.message();
  ASSERT_EQ((*cpu)->limits().vocab_size, (*gpu)->limits().vocab_size);

  // A prompt longer than one prefill chunk of most plans, then 24 decodes.
  std::vector<int32_t> prompt;
  for (int i = 0; i < 40; ++i) prompt.push_back(int32_t((i * 7919 + 13) % 120000));
  auto lc = (*cpu)->prefill(0, prompt, 0);
  ASSERT_TRUE(lc.ok()) << lc.message();
  std::vector<float> c(lc->begin(), lc->end());
  auto lg = (*gpu)->prefill(0, prompt, 0);
  ASSERT_TRUE(lg.ok()) << lg.message();
  expectClose(c, *lg, pr.rel_tol, "prefill");

  uint32_t pos = uint32_t(prompt.size());
  int decided = 0;
  for (int step = 0; step < 24; ++step, ++pos) {
    const int32_t tok = argmax(c);
    const float tol = pr.rel_tol * std::max(1.0f, std::fabs(c[size_t(tok)]));
    std::span<const float> g = *lg;
    if (margin(c) > 2 * tol) {
      EXPECT_EQ(argmax(g), tok) << "step " << step;
      ++decided;
    }
    const uint32_t slot = 0;
    auto nc = (*cpu)->decode({&slot, 1}, {&tok, 1}, {&pos, 1});
    ASSERT_TRUE(nc.ok()) << nc.message();
    c.assign(nc->begin(), nc->end());
    lg = (*gpu)->decode({&slot, 1}, {&tok, 1}, {&pos, 1});
    ASSERT_TRUE(lg.ok()) << lg.message();
    expectClose(c, *lg, pr.rel_tol, "decode step " + std::to_string(step));
  }
  EXPECT_GT(decided, 12) << "too few steps had a clear greedy choice to compare";
}

INSTANTIATE_TEST_SUITE_P(Tiny, CudaVsCpu,
                         ::testing::Values(Pair{"bf16", 0.01f}, Pair{"q8_0", 0.02f}, Pair{"q4", 0.02f}),
                         [](const auto& info) { return std::string(info.param.name); });

// Two engines of `path`, each with slot 0 prefilled with 5 tokens and slot 1
// with 3.
void loadTwoPrefilled(const std::string& path, std::unique_ptr<CudaEngine>& a, std::unique_ptr<CudaEngine>& b) {
  auto la = CudaEngine::load(path);
  auto lb = CudaEngine::load(path);
  ASSERT_TRUE(la.ok() && lb.ok()) << la.message() << lb.message();
  a = std::move(*la);
  b = std::move(*lb);
  ASSERT_GE(a->limits().max_batch, 2u);
  const std::vector<int32_t> p0 = {1, 2, 3, 4, 5}, p1 = {9, 8, 7};
  for (CudaEngine* e : {a.get(), b.get()}) {
    ASSERT_TRUE(e->prefill(0, p0, 0).ok());
    ASSERT_TRUE(e->prefill(1, p1, 0).ok());
  }
}

TEST(CudaEngine, BatchedDecodeEqualsOneAtATime) {
  SKIP_WITHOUT_GPU();
  const std::string path = artifact("q4.cuda.lac");
  SKIP_WITHOUT(path);
  std::unique_ptr<CudaEngine> a, b;
  ASSERT_NO_FATAL_FAILURE(loadTwoPrefilled(path, a, b));
  const uint32_t slots[] = {1, 0}, pos[] = {3, 5};
  const int32_t toks[] = {42, 77};
  auto both = a->decode(slots, toks, pos);
  ASSERT_TRUE(both.ok()) << both.message();
  const std::vector<float> ab(both->begin(), both->end());
  const size_t v = a->limits().vocab_size;
  for (int i = 0; i < 2; ++i) {
    auto one = b->decode({&slots[i], 1}, {&toks[i], 1}, {&pos[i], 1});
    ASSERT_TRUE(one.ok()) << one.message();
    for (size_t j = 0; j < v; ++j) ASSERT_EQ(ab[i * v + j], (*one)[j]) << "row " << i << " logit " << j;
  }
}

// decodeSampled keeps the logits on the device: greedy, its tokens are the
// argmax of decode()'s logits for the same state; sampled, valid ids that
// depend only on the uniform.
TEST(CudaEngine, SampledDecodeIsTheArgmaxWhenGreedy) {
  SKIP_WITHOUT_GPU();
  const std::string path = artifact("q4.cuda.lac");
  SKIP_WITHOUT(path);
  std::unique_ptr<CudaEngine> a, b;
  ASSERT_NO_FATAL_FAILURE(loadTwoPrefilled(path, a, b));
  const size_t v = a->limits().vocab_size;
  const uint32_t slots[] = {1, 0}, pos[] = {3, 5};
  const int32_t toks[] = {42, 77};
  const float u[] = {0.25f, 0.75f};
  auto logits = a->decode(slots, toks, pos);
  ASSERT_TRUE(logits.ok()) << logits.message();
  const std::vector<float> l(logits->begin(), logits->end());
  auto greedy = b->decodeSampled(slots, toks, pos, DeviceSampling{}, u);
  ASSERT_TRUE(greedy.ok()) << greedy.message();
  ASSERT_EQ(greedy->size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ((*greedy)[i], argmax(std::span<const float>(l).subspan(i * v, v)));
  // one sequence: the graph replay, then sampling with top-k and top-p
  const uint32_t s1 = 0, p1next = 6;
  auto drawn = b->decodeSampled({&s1, 1}, {&toks[0], 1}, {&p1next, 1}, DeviceSampling{0.8f, 0.9f, 40}, {&u[0], 1});
  ASSERT_TRUE(drawn.ok()) << drawn.message();
  ASSERT_EQ(drawn->size(), 1u);
  EXPECT_GE((*drawn)[0], 0);
  EXPECT_LT(size_t((*drawn)[0]), v);
}

TEST(CudaEngine, ArgumentErrorsMatchTheCpuEngine) {
  SKIP_WITHOUT_GPU();
  const std::string path = artifact("q4.cuda.lac");
  SKIP_WITHOUT(path);
  auto e = CudaEngine::load(path);
  ASSERT_TRUE(e.ok()) << e.message();
  const std::vector<int32_t> bad = {1, -1};
  EXPECT_EQ((*e)->prefill(0, bad, 0).status().kind, Error::InvalidArgument);
  const std::vector<int32_t> ok = {1, 2};
  EXPECT_EQ((*e)->prefill(0, ok, 5).status().kind, Error::InvalidArgument);  // gap before position 5
  const uint32_t slot = 0, pos = 3;
  const int32_t tok = 1;
  EXPECT_EQ((*e)->decode({&slot, 1}, {&tok, 1}, {&pos, 1}).status().kind, Error::InvalidArgument);
}

TEST(CudaEngine, RandomWeightsRunAndRepeat) {
  SKIP_WITHOUT_GPU();
  const std::string path = artifact("random.cuda.lac");
  SKIP_WITHOUT(path);
  std::vector<float> first;
  for (int run = 0; run < 2; ++run) {
    auto e = CudaEngine::load(path);
    ASSERT_TRUE(e.ok()) << e.message();
    const std::vector<int32_t> prompt = {5, 6, 7, 8};
    auto l = (*e)->prefill(0, prompt, 0);
    ASSERT_TRUE(l.ok()) << l.message();
    float amax = 0;
    for (float x : *l) {
      ASSERT_TRUE(std::isfinite(x));
      amax = std::max(amax, std::fabs(x));
    }
    EXPECT_GT(amax, 0.0f);
    if (run == 0)
      first.assign(l->begin(), l->end());
    else
      EXPECT_EQ(first, std::vector<float>(l->begin(), l->end()));
  }
}

}  // namespace
}  // namespace lac::engine
