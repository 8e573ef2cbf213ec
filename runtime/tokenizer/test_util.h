// Shared by the tokenizer tests: the real tokenizers, built once per process.
#pragma once

#include <gtest/gtest.h>

#include "runtime/tokenizer/testdata.h"
#include "runtime/tokenizer/tokenizer.h"

namespace lac::testing {

// nullptr (and a GTEST_SKIP from the caller) when the file is absent.
inline const Tokenizer* llama3() {
  static const std::optional<Tokenizer> tok = []() -> std::optional<Tokenizer> {
    const std::string path = testdata::llama3TokenizerPath();
    if (path.empty()) return std::nullopt;
    auto data = testdata::loadLlama3(path);
    EXPECT_TRUE(data.ok()) << data.message();
    if (!data.ok()) return std::nullopt;
    auto t = Tokenizer::create(*data);
    EXPECT_TRUE(t.ok()) << t.message();
    if (!t.ok()) return std::nullopt;
    return *t;
  }();
  return tok ? &*tok : nullptr;
}

inline const Tokenizer* smollm2() {
  static const std::optional<Tokenizer> tok = []() -> std::optional<Tokenizer> {
    const std::string path = testdata::smollm2GgufPath();
    if (path.empty()) return std::nullopt;
    auto data = testdata::loadGgufGpt2(path);
    EXPECT_TRUE(data.ok()) << data.message();
    if (!data.ok()) return std::nullopt;
    EXPECT_EQ(data->pre_tokenizer, "smollm");
    auto t = Tokenizer::create(*data);
    EXPECT_TRUE(t.ok()) << t.message();
    if (!t.ok()) return std::nullopt;
    return *t;
  }();
  return tok ? &*tok : nullptr;
}

#define LAC_REQUIRE_TOKENIZER(var, getter)                                   \
  const ::lac::Tokenizer* var = ::lac::testing::getter();                    \
  if (!var) GTEST_SKIP() << #getter " tokenizer file not available"

}  // namespace lac::testing
