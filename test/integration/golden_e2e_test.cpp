// End to end against independent implementations: lac-compile + CpuEngine on
// the goldens in test/goldens/e2e/ (made by scripts/goldens/make-*-goldens.py,
// not run here).
//
//   tiny-llama3-meta.json      Meta's reference semantics (meta_reference.py,
//                              f32) on the tiny random model's Meta checkpoint;
//   tiny-llama3.json           transformers LlamaForCausalLM (f32) on its HF
//                              copy; ours for both: the Meta, HF and GGUF
//                              copies each compiled with --weight-format f32
//                              --kv-dtype f32.
//   smollm2-hf-f32.json        transformers on the SmolLM2 Q4_1 GGUF
//                              dequantized to f32; ours: the same GGUF
//                              compiled with --weight-format f32 --kv-dtype f32.
//   smollm2-llamacpp-q4_1.json llama.cpp on the Q4_1 GGUF; ours: the default
//                              (q4_1) artifact of the ctest fixture.
//
// Skips when lac-compile, the tiny models (ctest fixture tiny_models) or the
// SmolLM2 GGUF (~/.cache/lac or $LAC_MODEL_CACHE) are absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "runtime/core/test_temp.h"
#include "runtime/engine/cpu_engine.h"
#include "runtime/artifact/artifact.h"
#include "runtime/generate/completion.h"
#include "runtime/generate/plan_tokenizer.h"
#include "runtime/tokenizer/tokenizer.h"

namespace lac::engine {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Tolerances, measured then given a wide margin:
//   tiny model (f32) vs Meta's reference / transformers: max |diff| 5.7e-6 over the top-10 and
//   probe logits (the goldens' 6-digit rounding); asserted < 1e-3.
//   SmolLM2 f32 artifact vs transformers f32, top-5 logits at the last prompt
//   position of 12 prompts: max |diff| 5.7e-5; asserted < 1e-3.
constexpr float kSmolF32Tol = 1e-3f;
//   SmolLM2 q4_1 artifact vs llama.cpp q4_1 (llama-cpp-python 0.3.36, 1
//   thread), top-5 logits at the last prompt position and after 8, 16 and 31
//   of llama.cpp's greedy tokens, 12 prompts (48 probes): max |diff| 0.715.
//   That is llama.cpp's own int8-activation noise: llama.cpp vs transformers
//   f32 on the same probes (teacher-forced; make-smollm2-goldens.py --only
//   compare) max 0.78; ours vs transformers f32 at the last prompt position: 0.0013.
//   Asserted < 1.0.
constexpr float kSmolQ4Tol = 1.0f;

// ---- environment -------------------------------------------------------------

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string compilerPath() {
  std::string c = env("LAC_COMPILE");
  return c.empty() ? env("LAC_BINARY_DIR") + "/bin/lac-compile" : c;
}

std::string smolGguf() {
  std::string cache = env("LAC_MODEL_CACHE");
  if (cache.empty()) cache = env("HOME") + "/.cache/lac";
  return cache + "/SmolLM2-135M-Instruct.Q4_1.gguf";
}

json loadGolden(const std::string& name) {
  std::ifstream in(env("LAC_SOURCE_DIR") + "/test/goldens/e2e/" + name);
  EXPECT_TRUE(in.good()) << name;
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    ADD_FAILURE() << name << ": " << e.what();
    return json::object();
  }
}

// A temporary directory removed (with the artifact in it) at scope exit.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) : path(lac::testing::tempPath(name)) { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Runs lac-compile; "" on success, else the command that failed.
std::string compile(const std::string& input, const std::string& out, const std::string& args) {
  const std::string cmd = "'" + compilerPath() + "' '" + input + "' -o '" + out + "' -q " + args;
  return std::system(cmd.c_str()) == 0 ? "" : cmd;
}

// ---- running the engine --------------------------------------------------------

struct EngineRun {
  std::vector<float> logits;    // [vocab] at the last prompt position
  std::vector<int32_t> greedy;  // n tokens, argmax each step
};

int32_t argmax(std::span<const float> v) {
  return int32_t(std::max_element(v.begin(), v.end()) - v.begin());
}

EngineRun runGreedy(CpuEngine& e, const std::vector<int32_t>& prompt, size_t n) {
  EngineRun r;
  auto p = e.prefill(0, prompt, 0);
  EXPECT_TRUE(p.ok()) << p.message();
  if (!p.ok()) return r;
  r.logits.assign(p->begin(), p->end());
  int32_t tok = argmax(*p);
  const uint32_t slot = 0;
  for (size_t i = 0; i < n; ++i) {
    r.greedy.push_back(tok);
    if (i + 1 == n) break;
    uint32_t pos = uint32_t(prompt.size() + i);
    auto d = e.decode({&slot, 1}, {&tok, 1}, {&pos, 1});
    EXPECT_TRUE(d.ok()) << d.message();
    if (!d.ok()) break;
    tok = argmax(*d);
  }
  return r;
}

std::unique_ptr<CpuEngine> loadEngine(const std::string& lac, bool precise_prefill = true) {
  EngineOptions o;
  o.threads = 2;
  o.precise_prefill = precise_prefill;
  auto e = CpuEngine::load(lac, o);
  EXPECT_TRUE(e.ok()) << e.message();
  return e.ok() ? std::move(*e) : nullptr;
}

// Largest |ours[id] - golden| over the golden's (ids, vals).
float maxDiff(const std::vector<float>& logits, const json& ids, const json& vals) {
  float worst = 0;
  for (size_t i = 0; i < ids.size(); ++i)
    worst = std::max(worst, std::fabs(logits.at(ids[i].get<size_t>()) - vals[i].get<float>()));
  return worst;
}

// ---- tiny Llama 3 vs Meta's reference and transformers ------------------------

// Every prompt of golden `name`: the top-10 and probe logits within 1e-3, the
// whole-vocabulary mean and standard deviation, 16 identical greedy tokens.
// Returns the largest logit difference.
float checkTinyGolden(CpuEngine& engine, const std::string& name) {
  const json g = loadGolden(name);
  EXPECT_GE(g["prompts"].size(), 5u) << name;
  float worst = 0;
  for (const json& p : g["prompts"]) {
    const auto tokens = p["tokens"].get<std::vector<int32_t>>();
    const auto want = p["greedy"].get<std::vector<int32_t>>();
    EngineRun r = runGreedy(engine, tokens, want.size());
    EXPECT_EQ(r.logits.size(), 128256u);
    if (r.logits.size() != 128256u) break;
    SCOPED_TRACE(::testing::Message() << name << ", " << tokens.size() << "-token prompt");
    EXPECT_EQ(argmax(r.logits), p["top10_ids"][0].get<int32_t>());
    const float d = std::max(maxDiff(r.logits, p["top10_ids"], p["top10_vals"]),
                             maxDiff(r.logits, p["probe_ids"], p["probe_vals"]));
    EXPECT_LT(d, 1e-3f);
    worst = std::max(worst, d);
    // Full-vocabulary statistics.
    double sum = 0, sq = 0;
    for (float v : r.logits) sum += v;
    const double mean = sum / double(r.logits.size());
    for (float v : r.logits) sq += (v - mean) * (v - mean);
    EXPECT_NEAR(mean, p["logit_mean"].get<double>(), 1e-4);
    EXPECT_NEAR(std::sqrt(sq / double(r.logits.size() - 1)), p["logit_std"].get<double>(), 1e-4);
    EXPECT_EQ(r.greedy, want);
  }
  return worst;
}

class TinyGoldenTest : public ::testing::TestWithParam<const char*> {};

// The Meta, HF and GGUF copies of the tiny model, each compiled at f32, against
// Meta's reference semantics (tiny-llama3-meta.json, the reference)
// and against transformers (tiny-llama3.json).
TEST_P(TinyGoldenTest, MatchesMetaAndTransformers) {
  const std::string input = env("LAC_TINY_MODELS") + "/" + GetParam();
  if (!fs::exists(input)) GTEST_SKIP() << "no " << input << " (ctest fixture tiny_models)";
  if (!fs::exists(compilerPath())) GTEST_SKIP() << "no lac-compile at " << compilerPath();
  TempDir dir("tiny_golden");
  const std::string lac = (dir.path / "tiny_f32.lac").string();
  const std::string failed = compile(input, lac, "--weight-format f32 --kv-dtype f32 --max-seq-len 128 --max-batch 1");
  ASSERT_EQ(failed, "");
  auto engine = loadEngine(lac);
  ASSERT_TRUE(engine);
  const float meta = checkTinyGolden(*engine, "tiny-llama3-meta.json");
  const float hf = checkTinyGolden(*engine, "tiny-llama3.json");
  std::printf("[ tiny %s ] max |logit - Meta reference| = %.3g, max |logit - transformers| = %.3g\n", GetParam(),
              double(meta), double(hf));
}

INSTANTIATE_TEST_SUITE_P(Formats, TinyGoldenTest, ::testing::Values("meta", "hf", "tiny.gguf"),
                         [](const auto& info) {
                           std::string s = info.param;
                           return s == "tiny.gguf" ? std::string("gguf") : s;
                         });

// ---- checkpoints written by transformers' save_pretrained ------------------------
//
// test/data/hf-saved/{rope-parameters,rope-scaling}: one random Llama (Llama
// 3.1 RoPE scaling, GQA, untied embeddings, bf16 in 5 safetensors shards) as
// transformers 5.x and 4.x write it, with transformers' f32 answers
// (goldens.json, scripts/goldens/make-hf-saved-models.py). A misread config
// (theta 10000 or no scaling) changes every greedy continuation.
//   Measured: max |top-5 logit - transformers| 7.2e-6 (both styles); the
//   smallest top-1/top-2 gap along the greedy paths is 0.0053. Asserted < 1e-3.

class HfSavedGoldenTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HfSavedGoldenTest, MatchesTransformers) {
  const std::string folder = env("LAC_SOURCE_DIR") + "/test/data/hf-saved/" + GetParam();
  if (!fs::exists(compilerPath())) GTEST_SKIP() << "no lac-compile at " << compilerPath();
  TempDir dir("hf_saved_golden");
  const std::string lac = (dir.path / "saved_f32.lac").string();
  ASSERT_EQ(compile(folder, lac, "--weight-format f32 --kv-dtype f32 --max-seq-len 128 --max-batch 1"), "");
  auto engine = loadEngine(lac);
  ASSERT_TRUE(engine);
  auto art = artifact::Artifact::open(lac);
  ASSERT_TRUE(art.ok()) << art.message();
  auto data = generate::tokenizerDataFromPlan(art->plan());
  ASSERT_TRUE(data.ok()) << data.message();
  auto tok = Tokenizer::create(*data);
  ASSERT_TRUE(tok.ok()) << tok.message();

  std::ifstream in(folder + "/goldens.json");
  const json g = json::parse(in);
  ASSERT_GE(g["prompts"].size(), 6u);
  float worst = 0;
  for (const json& p : g["prompts"]) {
    const auto tokens = p["tokens"].get<std::vector<int32_t>>();
    const auto want = p["greedy"].get<std::vector<int32_t>>();
    SCOPED_TRACE(p["text"].get<std::string>());
    // The tokenizer as transformers wrote it gives transformers' ids.
    auto ids = tok->encode(p["text"].get<std::string>(), false, false, SpecialMode::Plain);
    ASSERT_TRUE(ids.ok()) << ids.message();
    EXPECT_EQ(std::vector<int32_t>(ids->begin(), ids->end()), tokens);
    EngineRun r = runGreedy(*engine, tokens, want.size());
    ASSERT_EQ(r.logits.size(), 320u);
    const float d = maxDiff(r.logits, p["top5_ids"], p["top5_vals"]);
    EXPECT_LT(d, 1e-3f);
    worst = std::max(worst, d);
    EXPECT_EQ(r.greedy, want);
  }
  std::printf("[ hf-saved %s ] max |top-5 logit - transformers| = %.3g\n", GetParam(), double(worst));
}

INSTANTIATE_TEST_SUITE_P(ConfigStyles, HfSavedGoldenTest, ::testing::Values("rope-parameters", "rope-scaling"),
                         [](const auto& info) {
                           std::string s = info.param;
                           return s == "rope-parameters" ? std::string("Transformers5") : std::string("Transformers4");
                         });

// ---- SmolLM2 -------------------------------------------------------------------

struct SmolStats {
  size_t prompts = 0, first_match = 0, full_match = 0;
  float worst_top = 0;
};

// Runs every golden prompt; counts greedy agreement and the top-5 logit gap.
// Greedy: the golden's length, or its first `n` tokens.
SmolStats compareSmol(CpuEngine& engine, const json& g, size_t n = 0) {
  SmolStats s;
  for (const json& p : g["prompts"]) {
    const auto tokens = p["tokens"].get<std::vector<int32_t>>();
    auto want = p["greedy"].get<std::vector<int32_t>>();
    if (n && n < want.size()) want.resize(n);
    EngineRun r = runGreedy(engine, tokens, want.size());
    if (r.greedy.size() != want.size()) break;
    ++s.prompts;
    s.first_match += r.greedy[0] == want[0];
    s.full_match += r.greedy == want;
    s.worst_top = std::max(s.worst_top, maxDiff(r.logits, p["top5_ids"], p["top5_vals"]));
    if (r.greedy != want) {
      size_t k = 0;
      while (k < want.size() && r.greedy[k] == want[k]) ++k;
      std::printf("  [%zu-token prompt] first difference at generated token %zu\n", tokens.size(), k);
    }
  }
  return s;
}

TEST(SmolGoldenTest, F32MatchesTransformers) {
  const std::string gguf = smolGguf();
  if (!fs::exists(gguf)) GTEST_SKIP() << "no " << gguf << " (scripts/fetch-model.sh)";
  if (!fs::exists(compilerPath())) GTEST_SKIP() << "no lac-compile at " << compilerPath();
  TempDir dir("smol_golden");
  const std::string lac = (dir.path / "smollm2_f32.lac").string();
  ASSERT_EQ(compile(gguf, lac, "--weight-format f32 --kv-dtype f32 --max-seq-len 256 --max-batch 1"), "");
  auto engine = loadEngine(lac);
  ASSERT_TRUE(engine);
  const json g = loadGolden("smollm2-hf-f32.json");
  ASSERT_GE(g["prompts"].size(), 10u);
  SmolStats s = compareSmol(*engine, g);
  std::printf("[ smollm2 f32 vs transformers ] %zu/%zu prompts identical for 32 tokens, max top-5 |diff| = %.3g\n",
              s.full_match, s.prompts, double(s.worst_top));
  EXPECT_EQ(s.prompts, g["prompts"].size());
  EXPECT_EQ(s.full_match, s.prompts);
  EXPECT_LT(s.worst_top, kSmolF32Tol);
}

// The default (q4_1) artifact against transformers on the same weights
// dequantized to f32: what is left is the int8 activations' error
// (runtime/engine/act_precision.h). Prefill runs with ~15-bit activations,
// so the first token and the top-5 logits at the last prompt position match
// closely; decode runs int8 activations (with exact top lm_head logits), so
// long greedy continuations may part at near-ties: reported, not asserted.
//   Measured (12 prompts): top-5 max |diff| 0.0013 with precise prefill,
//   0.43 with int8 prefill (EngineOptions::precise_prefill = false); first
//   tokens 12/12 either way (both re-score the top lm_head logits); 8/12
//   identical for 32 tokens. Asserted: < kSmolQ4PreciseTol, 12/12.
constexpr float kSmolQ4PreciseTol = 0.03f;

TEST(SmolGoldenTest, Q4_1PrefillMatchesTransformersF32) {
  const std::string lac = env("LAC_BINARY_DIR") + "/smollm2.lac";
  if (!fs::exists(lac)) GTEST_SKIP() << "no " << lac << " (ctest fixture tiny_artifacts, with the SmolLM2 GGUF)";
  const json g = loadGolden("smollm2-hf-f32.json");
  ASSERT_GE(g["prompts"].size(), 10u);
  for (bool precise : {true, false}) {
    auto engine = loadEngine(lac, precise);
    ASSERT_TRUE(engine);
    SmolStats s = compareSmol(*engine, g, precise ? 32 : 1);
    std::printf("[ smollm2 q4_1, %s prefill, vs transformers f32 ] first token %zu/%zu, %zu/%zu identical for %s, "
                "max top-5 |diff| = %.3g\n", precise ? "precise" : "int8", s.first_match, s.prompts, s.full_match,
                s.prompts, precise ? "32 tokens" : "1 token", double(s.worst_top));
    if (!precise) continue;  // measured above, for comparison only
    EXPECT_EQ(s.prompts, g["prompts"].size());
    EXPECT_EQ(s.first_match, s.prompts);
    EXPECT_LT(s.worst_top, kSmolQ4PreciseTol);
  }
}

// Issue 4: "What is the capital of France?" on the default artifact, greedy.
// With int8 activations everywhere the first token flips to "L'" (a 0.08
// near-tie in f32: "The" 25.325 vs "L" 25.243) and the answer rambles.
TEST(SmolGoldenTest, ChatAnswersCapitalOfFrance) {
  const std::string lac = env("LAC_BINARY_DIR") + "/smollm2.lac";
  if (!fs::exists(lac)) GTEST_SKIP() << "no " << lac << " (ctest fixture tiny_artifacts, with the SmolLM2 GGUF)";
  auto a = artifact::Artifact::open(lac);
  ASSERT_TRUE(a.ok()) << a.message();
  EngineOptions o;
  o.threads = 2;
  auto e = CpuEngine::fromArtifact(*a, o);
  ASSERT_TRUE(e.ok()) << e.message();
  auto m = generate::bundleModel(*a, std::move(*e));
  ASSERT_TRUE(m.ok()) << m.message();
  generate::GenerateOptions go;
  go.temperature = 0;
  go.max_gen_len = 16;
  auto out = generate::chatCompletion(*m, {{{chat::Role::User, "What is the capital of France?"}}}, go);
  ASSERT_TRUE(out.ok()) << out.message();
  const std::string answer = (*out)[0].message.content;
  std::printf("[ smollm2 chat ] %s\n", answer.c_str());
  EXPECT_NE(answer.find("Paris"), std::string::npos) << answer;
}

// llama.cpp quantizes activations to q8_1 blocks (f16 scale) before its Q4_1
// dot products, in prefill and decode alike, and sums in its own order; our
// engine prefills with ~15-bit activations and decodes with int8 blocks (f32
// scale) plus exact top lm_head logits (act_precision.h). Both sit within the
// int8 noise of the f32 result (llama.cpp vs transformers f32: top-5 up to
// 0.46 at the last prompt position), so long greedy continuations part at
// near-ties. Asserted: every first token; the top-5 logits at the last
// prompt position and after 8, 16 and 31 of llama.cpp's own tokens (fed to
// our engine) within kSmolQ4Tol. Reported: 32-token agreement and, where we
// part, the step and our logit gap between the two tokens.
//   Measured: first tokens 12/12; 7/12 identical for 32 tokens. The 5 others
//   part at near-ties (prompt length, generated step, our logit for our token
//   minus for llama.cpp's, teacher-forced on llama.cpp's tokens):
//   5 tok step 5 (0.247), 18 tok step 12 (0.186), 19 tok step 31 (0.023),
//   30 tok step 1 (0.104: "12 + 30 = 42. ..." -> "1" vs "2"), 6 tok step 24
//   (0.097). llama.cpp itself parts from transformers f32 in 7/12 prompts.
TEST(SmolGoldenTest, Q4_1MatchesLlamaCpp) {
  const std::string lac = env("LAC_BINARY_DIR") + "/smollm2.lac";
  if (!fs::exists(lac)) GTEST_SKIP() << "no " << lac << " (ctest fixture tiny_artifacts, with the SmolLM2 GGUF)";
  if (!fs::exists(env("LAC_SOURCE_DIR") + "/test/goldens/e2e/smollm2-llamacpp-q4_1.json"))
    GTEST_SKIP() << "no llama.cpp golden";
  auto engine = loadEngine(lac);
  ASSERT_TRUE(engine);
  const json g = loadGolden("smollm2-llamacpp-q4_1.json");
  ASSERT_GE(g["prompts"].size(), 10u);
  SmolStats s = compareSmol(*engine, g);
  std::printf("[ smollm2 q4_1 vs llama.cpp ] first token %zu/%zu, %zu/%zu identical for 32 tokens\n", s.first_match,
              s.prompts, s.full_match, s.prompts);
  EXPECT_EQ(s.prompts, g["prompts"].size());
  EXPECT_EQ(s.first_match, s.prompts);

  // Teacher-forced along llama.cpp's greedy tokens: top-5 at its probe steps,
  // and our margin wherever our argmax is not llama.cpp's token.
  float worst = 0;
  for (const json& p : g["prompts"]) {
    const auto tokens = p["tokens"].get<std::vector<int32_t>>();
    const auto want = p["greedy"].get<std::vector<int32_t>>();
    SCOPED_TRACE(::testing::Message() << tokens.size() << "-token prompt");
    auto r = engine->prefill(0, tokens, 0);
    ASSERT_TRUE(r.ok()) << r.message();
    std::vector<float> logits(r->begin(), r->end());
    size_t probe = 0;
    const json& at = p["top5_at"];
    for (size_t k = 0; k < want.size(); ++k) {  // logits after k generated tokens
      if (probe < at.size() && at[probe]["generated"].get<size_t>() == k) {
        const float d = maxDiff(logits, at[probe]["ids"], at[probe]["vals"]);
        EXPECT_LT(d, kSmolQ4Tol) << "after " << k << " generated tokens";
        worst = std::max(worst, d);
        ++probe;
      }
      const int32_t ours = argmax(logits);
      if (ours != want[k])
        std::printf("  [%zu-token prompt] step %zu: ours %d, llama.cpp %d; our logits %.3f vs %.3f (gap %.3f)\n",
                    tokens.size(), k, ours, want[k], double(logits[size_t(ours)]), double(logits[size_t(want[k])]),
                    double(logits[size_t(ours)] - logits[size_t(want[k])]));
      if (k + 1 == want.size()) break;
      const uint32_t slot = 0, pos = uint32_t(tokens.size() + k);
      auto d = engine->decode({&slot, 1}, {&want[k], 1}, {&pos, 1});
      ASSERT_TRUE(d.ok()) << d.message();
      logits.assign(d->begin(), d->end());
    }
    EXPECT_EQ(probe, at.size());
  }
  std::printf("[ smollm2 q4_1 vs llama.cpp ] max top-5 |diff| at the probe steps = %.3g\n", double(worst));
}

}  // namespace
}  // namespace lac::engine
