#include "compiler/import/model_spec.h"

#include <gtest/gtest.h>

#include "runtime/core/test_temp.h"

#include <cstdio>
#include <fstream>

namespace lac::import {
namespace {

std::shared_ptr<const MappedFile> writeAndMap(const std::string& name, const std::vector<float>& v) {
  std::string path = lac::testing::tempPath(name);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(v.data()), v.size() * 4);
  auto f = MappedFile::open(path);
  EXPECT_TRUE(f.ok());
  return *f;
}

// Two shards of a [2, 3] f32 tensor split along axis 1 ([2,2] and [2,1])
// concatenate column-wise; a row permutation then reorders rows.
TEST(TensorView, ConcatenatesShardsAlongAxisAndPermutesRows) {
  auto a = writeAndMap("shard_a.bin", {1, 2, 4, 5});
  auto b = writeAndMap("shard_b.bin", {3, 6});
  TensorView t;
  t.name = "w";
  t.dtype = DType::F32;
  t.shape = {2, 3};
  t.pieces = {{a, 0, {2, 2}}, {b, 0, {2, 1}}};
  t.concat_axis = 1;
  std::vector<float> out(6);
  ASSERT_TRUE(t.toFloat(out).ok());
  EXPECT_EQ(out, (std::vector<float>{1, 2, 3, 4, 5, 6}));

  t.row_permutation = {1, 0};
  ASSERT_TRUE(t.toFloat(out).ok());
  EXPECT_EQ(out, (std::vector<float>{4, 5, 6, 1, 2, 3}));

  t.concat_axis = 0;  // now the pieces' shapes disagree with the axis: sizes don't add up
  t.row_permutation.clear();
  t.pieces[1].shape = {1, 2};
  auto r = t.toFloat(out);
  EXPECT_FALSE(r.ok());
}

TEST(TensorView, RefusesDataPastTheEndOfTheFile) {
  auto a = writeAndMap("short.bin", {1, 2});
  TensorView t;
  t.name = "w";
  t.shape = {4};
  t.pieces = {{a, 0, {4}}};
  std::vector<float> out(4);
  auto r = t.toFloat(out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::InvalidCheckpoint);
  EXPECT_NE(r.message().find("runs past the end"), std::string::npos) << r.message();
}

}  // namespace
}  // namespace lac::import
