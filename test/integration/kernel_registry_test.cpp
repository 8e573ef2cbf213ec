// Walks the kernel registry (runtime/schema/kernels.def): for every target
// and every matrix format the registry lists for it, two models compile
// (lower and emit) with that format: the tiny GGUF (real weights, untied) and
// a tied copy of test/data/hf-saved's config compiled without weights (a tied
// embedding is a matrix, so it takes 4-bit formats, which an untied
// embedding never gets). Each artifact loads (the validator checks every step
// against the registry's operand convention) and its entry points bind with
// that target's binder; on the CPU the engine also runs a prefill and a
// decode step. Then every kernel the registry lists must have been seen with
// every format of its target.
//
// rmsnorm, matmul and add: lac-compile's fused pipeline never emits them
// (they are fused into rmsnorm_matmul, matmul_residual and
// final_norm_lm_head); the hand-written plans of emit_test and
// cpu_engine_test cover them on the CPU. all_reduce and all_gather come
// only from --tensor-parallel plans, which run under mpirun: the ctest
// tests tp.* (test/integration/CMakeLists.txt) compile, load, bind and run
// them. The test lists them by name so a change of the pipeline shows up here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/kernels.h"
#include "runtime/core/test_temp.h"
#include "runtime/engine/bound_step.h"
#include "runtime/engine/cpu_engine.h"

namespace lac::engine {
namespace {

namespace fs = std::filesystem;

struct RegistryKernel {
  plan::Kernel kernel;
  bool reads_matrix;
};
const RegistryKernel kKernels[] = {
#define LAC_KERNEL(Name, ExecOp, MinIn, MaxIn, Outs, MinW, MaxW, Layer, Eps, Matrix, Width, Attention, ReadsMatrix) \
  {plan::Kernel::Name, ReadsMatrix != 0},
#include "runtime/schema/kernels.def"
};

struct RegistryFormat {
  plan::Target target;
  const char* target_name;
  DType format;
};
const RegistryFormat kFormats[] = {
#define LAC_MATRIX_FORMAT(Tgt, Fmt) {plan::Target::Tgt, #Tgt, DType::Fmt},
#include "runtime/schema/kernels.def"
};

const std::set<plan::Kernel> kNotFromThePipeline = {plan::Kernel::rmsnorm, plan::Kernel::matmul, plan::Kernel::add,
                                                     plan::Kernel::all_reduce, plan::Kernel::all_gather};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(KernelRegistry, EveryKernelTargetAndFormatCompilesLoadsAndBinds) {
  const std::string lac_compile = env("LAC_BINARY_DIR") + "/bin/lac-compile";
  const std::string tiny = env("LAC_TINY_MODELS") + "/tiny.gguf";
  if (!fs::exists(lac_compile) || !fs::exists(tiny)) GTEST_SKIP() << "needs lac-compile and the tiny models";
  const fs::path dir = lac::testing::tempPath("kernel_registry");
  fs::create_directories(dir);

  // A tied model from a config alone (its weights are random at run time).
  const fs::path tied = dir / "tied";
  fs::create_directories(tied);
  const fs::path saved = fs::path(env("LAC_SOURCE_DIR")) / "test/data/hf-saved/rope-parameters";
  for (const char* f : {"tokenizer.json", "tokenizer_config.json", "chat_template.jinja"})
    fs::copy_file(saved / f, tied / f, fs::copy_options::overwrite_existing);
  {
    std::string config = lac::testing::readText((saved / "config.json").string());
    const std::string from = "\"tie_word_embeddings\": false";
    ASSERT_NE(config.find(from), std::string::npos);
    config.replace(config.find(from), from.size(), "\"tie_word_embeddings\": true");
    std::ofstream(tied / "config.json") << config;
  }

  // (target, kernel) -> the matrix formats seen in compiled plans.
  std::map<std::pair<plan::Target, plan::Kernel>, std::set<DType>> seen;
  for (const RegistryFormat& f : kFormats)
    for (const std::string& model : {tiny, tied.string()}) {
    const bool no_weights = model != tiny;
    const std::string fmt = lower(dtypeName(f.format));
    SCOPED_TRACE(std::string(f.target_name) + " " + fmt + (no_weights ? " tied" : " tiny"));
    const std::string out =
        (dir / (std::string(f.target_name) + "_" + fmt + (no_weights ? "_tied" : "") + ".lac")).string();
    const std::string cmd = "'" + lac_compile + "' '" + model + "' -o '" + out + "' -q --max-seq-len 64 --target " +
                            f.target_name + " --weight-format " + fmt + (no_weights ? " --no-weights" : "");
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

    artifact::OpenOptions open;
    open.check_host_cpu = false;
    auto a = artifact::Artifact::open(out, open);
    ASSERT_TRUE(a.ok()) << a.status().toString();
    ASSERT_EQ(a->plan().target()->target(), f.target);
    std::vector<uint8_t> random;
    const uint8_t* weights = a->weightBlob().data();
    if (a->randomWeights()) {
      random.resize(a->plan().weight_blob()->bytes() + 64);
      weights = reinterpret_cast<const uint8_t*>((reinterpret_cast<uintptr_t>(random.data()) + 63) & ~uintptr_t(63));
      fillRandomWeights(a->plan(), const_cast<uint8_t*>(weights), 1);
    }
    for (const plan::EntryPoint* ep : *a->plan().entry_points()) {
      for (const plan::Step* s : *ep->steps()) {
        auto& formats = seen[{f.target, s->kernel()}];
        if (!s->weights()) continue;
        for (uint32_t w : *s->weights()) {
          const DType t = artifact::toDType(a->plan().weights()->Get(w)->dtype());
          if (a->plan().weights()->Get(w)->shape()->size() == 2) formats.insert(t);
        }
      }
      // The target's binder takes every step.
      const BindTarget bt{f.target == plan::Target::cpu ? "CPU" : "CUDA", f.target};
      auto bound = bindEntryPoint(*a, *ep, weights, bt);
      EXPECT_TRUE(bound.ok()) << ep->name()->str() << ": " << bound.status().toString();
    }
    if (f.target != plan::Target::cpu) continue;
    // The CPU engine runs it.
    EngineOptions o;
    o.threads = 2;
    auto e = CpuEngine::load(out, o);
    ASSERT_TRUE(e.ok()) << e.status().toString();
    const std::vector<int32_t> prompt = {1, 42, 71};
    auto logits = (*e)->prefill(0, prompt, 0);
    ASSERT_TRUE(logits.ok()) << logits.status().toString();
    int32_t tok = 11;
    uint32_t slot = 0, pos = uint32_t(prompt.size());
    auto d = (*e)->decode({&slot, 1}, {&tok, 1}, {&pos, 1});
    ASSERT_TRUE(d.ok()) << d.status().toString();
    for (float v : *d) ASSERT_TRUE(std::isfinite(v));
    }

  for (const RegistryKernel& k : kKernels) {
    const std::string name = artifact::kernelLabel(k.kernel);
    for (plan::Target target : {plan::Target::cpu, plan::Target::cuda}) {
      SCOPED_TRACE(name + " on " + plan::EnumNameTarget(target));
      auto it = seen.find({target, k.kernel});
      if (kNotFromThePipeline.count(k.kernel)) {
        EXPECT_EQ(it, seen.end()) << "the pipeline emits it now: cover it here and drop it from kNotFromThePipeline";
        continue;
      }
      ASSERT_NE(it, seen.end()) << "no compiled plan has this kernel";
      if (!k.reads_matrix) continue;
      for (const RegistryFormat& f : kFormats)
        if (f.target == target)
          EXPECT_TRUE(it->second.count(f.format)) << "never seen with " << dtypeName(f.format);
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace lac::engine
