// CpuEngine on a hand-built tiny plan, against the plain reference forward
// pass (reference_forward.h) on the same f32 weights.
#include "runtime/engine/cpu_engine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "runtime/core/test_temp.h"
#include "runtime/engine/tiny_plan.h"

namespace lac::engine {
namespace {

using testing::RefModel;
using testing::RefRunner;
using testing::TinyPlanOptions;

constexpr float kTol = 1e-4f;

std::string writeTiny(const RefModel& m, const TinyPlanOptions& o = {}) {
  std::filesystem::path dir = lac::testing::tempPath("engine");
  std::filesystem::create_directories(dir);
  std::string path = (dir / "tiny.lac").string();
  VoidResult r = testing::writeTinyArtifact(path, m, o);
  EXPECT_TRUE(r.ok()) << r.message();
  return path;
}

std::unique_ptr<CpuEngine> loadOrDie(const std::string& path, EngineOptions opts = {}) {
  if (opts.threads == 0) opts.threads = 2;
  auto e = CpuEngine::load(path, opts);
  EXPECT_TRUE(e.ok()) << e.message();
  return e.ok() ? std::move(*e) : nullptr;
}

void expectNear(std::span<const float> got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  float worst = 0;
  for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
  EXPECT_LE(worst, kTol) << what;
}

std::vector<int32_t> tokens(size_t n, int seed) {
  std::vector<int32_t> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = int32_t((i * 7 + size_t(seed) * 13 + 3) % 50);
  return t;
}

class CpuEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = testing::makeTinyModel(42);
    path_ = writeTiny(model_);
    engine_ = loadOrDie(path_);
    ASSERT_TRUE(engine_);
  }
  RefModel model_;
  std::string path_;
  std::unique_ptr<CpuEngine> engine_;
};

TEST_F(CpuEngineTest, Limits) {
  EXPECT_EQ(engine_->limits().vocab_size, 50u);
  EXPECT_EQ(engine_->limits().max_batch, 2u);
  EXPECT_EQ(engine_->limits().max_seq_len, 32u);
}

// 13 tokens: two prefill chunks (8 + 5).
TEST_F(CpuEngineTest, PrefillMatchesReference) {
  std::vector<int32_t> t = tokens(13, 1);
  RefRunner ref(model_);
  std::vector<float> want;
  for (int32_t x : t) want = ref.step(x);
  auto got = engine_->prefill(0, t, 0);
  ASSERT_TRUE(got.ok()) << got.message();
  expectNear(*got, want, "prefill");
}

TEST_F(CpuEngineTest, DecodeMatchesReferenceEachStep) {
  std::vector<int32_t> t = tokens(12, 2);
  RefRunner ref(model_);
  std::vector<float> want;
  for (int i = 0; i < 5; ++i) want = ref.step(t[i]);
  auto got = engine_->prefill(1, std::span(t).first(5), 0);
  ASSERT_TRUE(got.ok()) << got.message();
  expectNear(*got, want, "prefill");
  for (uint32_t i = 5; i < t.size(); ++i) {
    want = ref.step(t[i]);
    uint32_t slot = 1;
    auto d = engine_->decode({&slot, 1}, {&t[i], 1}, {&i, 1});
    ASSERT_TRUE(d.ok()) << d.message();
    expectNear(*d, want, "decode at " + std::to_string(i));
  }
}

// Prefill then decode gives the logits of one longer prefill (KV cache
// consistency), and so does a prefill continued at a later start.
TEST_F(CpuEngineTest, PrefillThenDecodeEqualsLongerPrefill) {
  std::vector<int32_t> t = tokens(11, 3);
  auto whole = engine_->prefill(0, t, 0);
  ASSERT_TRUE(whole.ok()) << whole.message();
  std::vector<float> want(whole->begin(), whole->end());

  ASSERT_TRUE(engine_->prefill(1, std::span(t).first(6), 0).ok());
  std::span<const float> last;
  for (uint32_t i = 6; i < t.size(); ++i) {
    uint32_t slot = 1;
    auto d = engine_->decode({&slot, 1}, {&t[i], 1}, {&i, 1});
    ASSERT_TRUE(d.ok()) << d.message();
    last = *d;
  }
  expectNear(last, want, "decode continuation");

  ASSERT_TRUE(engine_->prefill(1, std::span(t).first(3), 0).ok());
  auto rest = engine_->prefill(1, std::span(t).subspan(3), 3);
  ASSERT_TRUE(rest.ok()) << rest.message();
  expectNear(*rest, want, "prefill continuation");
}

// Two sequences in one batched decode, each against its own reference.
TEST_F(CpuEngineTest, TwoSlotsAreIndependent) {
  std::vector<int32_t> a = tokens(9, 4), b = tokens(9, 5);
  RefRunner ra(model_), rb(model_);
  for (int i = 0; i < 4; ++i) ra.step(a[i]);
  for (int i = 0; i < 2; ++i) rb.step(b[i]);
  ASSERT_TRUE(engine_->prefill(0, std::span(a).first(4), 0).ok());
  ASSERT_TRUE(engine_->prefill(1, std::span(b).first(2), 0).ok());
  uint32_t pa = 4, pb = 2;
  for (int s = 0; s < 4; ++s, ++pa, ++pb) {
    std::vector<float> wa = ra.step(a[pa]), wb = rb.step(b[pb]);
    const uint32_t slots[] = {1, 0};
    const int32_t toks[] = {b[pb], a[pa]};
    const uint32_t pos[] = {pb, pa};
    auto d = engine_->decode(slots, toks, pos);
    ASSERT_TRUE(d.ok()) << d.message();
    ASSERT_EQ(d->size(), 100u);
    expectNear(d->subspan(0, 50), wb, "slot 1");
    expectNear(d->subspan(50, 50), wa, "slot 0");
  }
}

TEST_F(CpuEngineTest, RejectsBadArguments) {
  std::vector<int32_t> t = tokens(4, 6);
  auto expectInvalid = [](const auto& r, const char* needle) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::InvalidArgument);
    EXPECT_NE(r.message().find(needle), std::string::npos) << r.message();
  };
  expectInvalid(engine_->prefill(2, t, 0), "slot 2");
  expectInvalid(engine_->prefill(0, {}, 0), "no tokens");
  expectInvalid(engine_->prefill(0, t, 30), "max sequence length");
  expectInvalid(engine_->prefill(0, t, 3), "filled");
  std::vector<int32_t> bad = {1, 50};
  expectInvalid(engine_->prefill(0, bad, 0), "outside the vocabulary");
  bad = {-1};
  expectInvalid(engine_->prefill(0, bad, 0), "outside the vocabulary");

  ASSERT_TRUE(engine_->prefill(0, t, 0).ok());
  uint32_t slots2[] = {0, 0}, pos2[] = {4, 4};
  int32_t toks2[] = {1, 2};
  expectInvalid(engine_->decode(slots2, toks2, pos2), "twice");
  uint32_t s = 0, p = 5, big = 32;
  int32_t tok = 1;
  expectInvalid(engine_->decode({&s, 1}, {&tok, 1}, {&p, 1}), "filled");
  expectInvalid(engine_->decode({&s, 1}, {&tok, 1}, {&big, 1}), "max sequence length");
  expectInvalid(engine_->decode({&s, 1}, toks2, {&p, 1}), "must match");
  uint32_t s9 = 9;
  expectInvalid(engine_->decode({&s9, 1}, {&tok, 1}, {&p, 1}), "slot 9");
}

TEST_F(CpuEngineTest, OptionsAboveCompiledLimitsAreRefused) {
  EngineOptions o;
  o.max_batch = 3;
  auto e = CpuEngine::load(path_, o);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error(), Error::InvalidArgument);
  o.max_batch = 1;
  o.max_seq_len = 16;
  auto small = CpuEngine::load(path_, o);
  ASSERT_TRUE(small.ok()) << small.message();
  EXPECT_EQ((*small)->limits().max_batch, 1u);
  EXPECT_EQ((*small)->limits().max_seq_len, 16u);
  // The smaller cache still computes the same logits.
  std::vector<int32_t> t = tokens(10, 7);
  RefRunner ref(model_);
  std::vector<float> want;
  for (int32_t x : t) want = ref.step(x);
  auto got = (*small)->prefill(0, t, 0);
  ASSERT_TRUE(got.ok()) << got.message();
  expectNear(*got, want, "small cache");
}

// The plan's KV cache dtype must be one the engine implements (f32, f16).
TEST(CpuEngineLoad, KvCacheDtypeOtherThanF32OrF16IsRefused) {
  RefModel m = testing::makeTinyModel(3);
  TinyPlanOptions o;
  o.kv_dtype = plan::DType::bf16;
  auto e = CpuEngine::load(writeTiny(m, o));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error(), Error::Unsupported);
  EXPECT_NE(e.message().find("KV cache is planned as bf16"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("--kv-dtype"), std::string::npos) << e.message();
  o.kv_dtype = plan::DType::f32;
  EXPECT_TRUE(CpuEngine::load(writeTiny(m, o)).ok());
}

// An f16 KV cache: prefill and decode stay close to the f32 reference (the
// cached K/V are rounded to f16: ~1e-3 relative), and the greedy tokens agree.
TEST(CpuEngineLoad, F16KvCacheMatchesReferenceWithinF16Rounding) {
  RefModel m = testing::makeTinyModel(5);
  TinyPlanOptions o;
  o.kv_dtype = plan::DType::f16;
  auto e = loadOrDie(writeTiny(m, o));
  ASSERT_TRUE(e);
  std::vector<int32_t> t = tokens(12, 9);
  RefRunner ref(m);
  std::vector<float> want;
  for (int32_t x : t) want = ref.step(x);
  auto got = e->prefill(0, t, 0);
  ASSERT_TRUE(got.ok()) << got.message();
  float worst = 0;
  for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::fabs((*got)[i] - want[i]));
  EXPECT_LE(worst, 2e-2f);
  EXPECT_GT(worst, 0.0f) << "an f16 cache should round something";
  for (uint32_t pos = 12; pos < 20; ++pos) {
    const int32_t next = testing::argmax(want.data(), int(want.size()));
    ASSERT_EQ(testing::argmax(got->data(), int(got->size())), next) << "position " << pos;
    want = ref.step(next);
    const uint32_t slot = 0;
    got = e->decode({&slot, 1}, {&next, 1}, {&pos, 1});
    ASSERT_TRUE(got.ok()) << got.message();
  }
}

TEST(CpuEngineLoad, MissingFile) {
  auto e = CpuEngine::load("/nonexistent/model.lac");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error(), Error::NotFound);
}

// --no-weights plans in every matrix format: deterministic per seed, finite.
class RandomWeightsTest : public ::testing::TestWithParam<plan::DType> {};

TEST_P(RandomWeightsTest, RunsDeterministically) {
  RefModel m = testing::makeTinyModel(1);
  TinyPlanOptions o;
  o.random_weights = true;
  o.matrix_dtype = GetParam();
  std::string path = writeTiny(m, o);
  std::vector<int32_t> t = tokens(10, 8);
  auto run = [&](uint64_t seed) {
    EngineOptions eo;
    eo.random_weights_seed = seed;
    auto e = loadOrDie(path, eo);
    if (!e) return std::vector<float>{};
    auto l = e->prefill(0, t, 0);
    EXPECT_TRUE(l.ok()) << l.message();
    if (!l.ok()) return std::vector<float>{};
    return std::vector<float>(l->begin(), l->end());
  };
  std::vector<float> a = run(1), b = run(1), c = run(2);
  ASSERT_EQ(a.size(), 50u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  float mx = 0;
  for (float x : a) {
    ASSERT_TRUE(std::isfinite(x));
    mx = std::max(mx, std::fabs(x));
  }
  EXPECT_GT(mx, 1e-3f);
  EXPECT_LT(mx, 1e3f);
}

INSTANTIATE_TEST_SUITE_P(Formats, RandomWeightsTest,
                         ::testing::Values(plan::DType::f32, plan::DType::f16, plan::DType::bf16, plan::DType::q8_0,
                                           plan::DType::q4_0, plan::DType::q4_1),
                         [](const auto& info) { return std::string(plan::EnumNameDType(info.param)); });

}  // namespace
}  // namespace lac::engine
