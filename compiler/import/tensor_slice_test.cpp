// sliceTensor (tensor_slice.h) on the tiny model's checkpoints: every rank's
// slices put back together are the tensor; the 2-shard Meta checkpoint's
// slices are its own shards, still in the mapped files (never merged); the
// HF copy (q/k rows permuted on disk) slices to the same values.
#include "compiler/import/tensor_slice.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "compiler/import/reader.h"

namespace lac::import {
namespace {

namespace fs = std::filesystem;

std::vector<float> floats(const TensorView& t) {
  std::vector<float> v(t.numElements());
  EXPECT_TRUE(t.toFloat(v).ok()) << t.name;
  return v;
}

class TensorSlice : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* d = std::getenv("LAC_TINY_MODELS");
    if (!d || !fs::exists(fs::path(d) / "meta2")) return;
    for (const char* sub : {"meta2", "hf"}) {
      auto r = readModel((fs::path(d) / sub).string());
      ASSERT_TRUE(r.ok()) << r.status().toString();
      specs_.push_back(std::move(r).value());
    }
  }
  void SetUp() override {
    if (specs_.empty()) GTEST_SKIP() << "tiny models not generated (ctest's make_tiny_models does)";
  }
  static inline std::vector<ModelSpec> specs_;
};

struct Split {
  const char* name;
  int axis;
};
const Split kSplits[] = {{"layers.0.attention.wq.weight", 0}, {"layers.1.attention.wk.weight", 0},
                         {"layers.0.attention.wo.weight", 1}, {"layers.1.feed_forward.w1.weight", 0},
                         {"layers.0.feed_forward.w2.weight", 1}, {"output.weight", 0}};

TEST_F(TensorSlice, RanksPutBackTogetherAreTheTensor) {
  for (const ModelSpec& spec : specs_)
    for (const Split& s : kSplits)
      for (uint32_t count : {1u, 2u}) {
        SCOPED_TRACE(spec.path + " " + s.name + " / " + std::to_string(count));
        const TensorView* t = spec.findTensor(s.name);
        ASSERT_NE(t, nullptr);
        const std::vector<float> whole = floats(*t);
        const uint64_t rows = t->shape[0], cols = t->shape[1];
        for (uint32_t r = 0; r < count; ++r) {
          auto slice = sliceTensor(*t, s.axis, r, count);
          ASSERT_TRUE(slice.ok()) << slice.message();
          const std::vector<float> part = floats(*slice);
          const uint64_t sr = s.axis == 0 ? rows / count : rows, sc = s.axis == 1 ? cols / count : cols;
          ASSERT_EQ(slice->shape, (std::vector<uint64_t>{sr, sc}));
          for (uint64_t i = 0; i < sr; ++i)
            for (uint64_t j = 0; j < sc; ++j) {
              const uint64_t gi = s.axis == 0 ? r * sr + i : i, gj = s.axis == 1 ? r * sc + j : j;
              ASSERT_EQ(part[i * sc + j], whole[gi * cols + gj]) << "row " << gi << " column " << gj;
            }
        }
      }
}

TEST_F(TensorSlice, MetaShardsAreTheRanksSlicesInPlace) {
  const ModelSpec& meta2 = specs_[0];
  for (const Split& s : kSplits) {
    const TensorView* t = meta2.findTensor(s.name);
    ASSERT_NE(t, nullptr);
    if (t->pieces.size() != 2) continue;  // output.weight: one shard in this checkpoint's layout
    SCOPED_TRACE(s.name);
    for (uint32_t r = 0; r < 2; ++r) {
      auto slice = sliceTensor(*t, s.axis, r, 2);
      ASSERT_TRUE(slice.ok()) << slice.message();
      ASSERT_EQ(slice->pieces.size(), 1u);
      EXPECT_EQ(slice->pieces[0].file.get(), t->pieces[r].file.get()) << "copied out of consolidated.0" << r;
      EXPECT_EQ(slice->pieces[0].offset, t->pieces[r].offset);
    }
  }
}

TEST_F(TensorSlice, RefusesWhatDoesNotSplit) {
  const TensorView* wq = specs_[0].findTensor("layers.0.attention.wq.weight");
  ASSERT_NE(wq, nullptr);
  auto r = sliceTensor(*wq, 0, 0, 3);  // 64 rows
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("do not split into 3 equal"), std::string::npos) << r.message();
  const TensorView* norm = specs_[0].findTensor("norm.weight");
  ASSERT_NE(norm, nullptr);
  EXPECT_FALSE(sliceTensor(*norm, 0, 0, 2).ok());
  EXPECT_FALSE(sliceTensor(*wq, 2, 0, 2).ok());
}

}  // namespace
}  // namespace lac::import
