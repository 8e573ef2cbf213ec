// Encoding throughput on ~1 MB of mixed text (English prose, code, CJK,
// Cyrillic, emoji, numbers, whitespace runs). Not a test:
//   ninja -C build lac_tokenizer_bench && ./build/runtime/tokenizer/lac_tokenizer_bench
#include <benchmark/benchmark.h>

#include <cstdio>

#include "runtime/tokenizer/testdata.h"
#include "runtime/tokenizer/tokenizer.h"

namespace {

std::string mixedText(size_t bytes) {
  static const char* const kParts[] = {
      "The quick brown fox jumps over the lazy dog. It's what they'll say, isn't it? ",
      "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\n",
      "for (int i = 0; i < n; ++i) {\n\tsum += a[i] * b[i];\n}\n",
      "你好，世界！这是一个测试。日本語のテキストとカタカナ。",
      "Привет, мир! Как дела? Γειά σου Κόσμε! ",
      "Emoji: 😀👍🏽🎉 👨‍👩‍👧‍👦 🇺🇸 ",
      "Numbers: 3.14159 2024-11-27 1,000,000 192.168.0.1 ",
      "        \n\n    \t\t  trailing   \n",
      "https://example.com/path?query=1&b=two#frag <|eot_id|> ",
  };
  std::string s;
  size_t i = 0;
  while (s.size() < bytes) s += kParts[i++ % (sizeof(kParts) / sizeof(kParts[0]))];
  return s;
}

void encodeBench(benchmark::State& state, const lac::Tokenizer& tok) {
  const std::string text = mixedText(1 << 20);
  size_t n_ids = 0;
  for (auto _ : state) {
    auto ids = tok.encode(text, false, false, lac::SpecialMode::Plain);
    if (!ids.ok()) {
      state.SkipWithError(ids.message().c_str());
      return;
    }
    n_ids = ids->size();
    benchmark::DoNotOptimize(ids->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["tokens"] = static_cast<double>(n_ids);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::vector<lac::Tokenizer> keep;
  keep.reserve(2);
  if (const std::string p = lac::testdata::llama3TokenizerPath(); !p.empty()) {
    auto data = lac::testdata::loadLlama3(p);
    auto tok = data.ok() ? lac::Tokenizer::create(*data) : lac::Result<lac::Tokenizer>(data.status());
    if (tok.ok()) {
      keep.push_back(*tok);
      benchmark::RegisterBenchmark("create/llama3_tiktoken",
                                   [d = *data](benchmark::State& s) {
                                     for (auto _ : s) benchmark::DoNotOptimize(lac::Tokenizer::create(d).ok());
                                   })
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark("encode_1MB/llama3_tiktoken",
                                   [t = &keep.back()](benchmark::State& s) { encodeBench(s, *t); })
          ->Unit(benchmark::kMillisecond);
    } else {
      std::fprintf(stderr, "llama3: %s\n", tok.message().c_str());
    }
  }
  if (const std::string p = lac::testdata::smollm2GgufPath(); !p.empty()) {
    auto data = lac::testdata::loadGgufGpt2(p);
    auto tok = data.ok() ? lac::Tokenizer::create(*data) : lac::Result<lac::Tokenizer>(data.status());
    if (tok.ok()) {
      keep.push_back(*tok);
      benchmark::RegisterBenchmark("encode_1MB/smollm2_gpt2_bpe",
                                   [t = &keep.back()](benchmark::State& s) { encodeBench(s, *t); })
          ->Unit(benchmark::kMillisecond);
    } else {
      std::fprintf(stderr, "smollm2: %s\n", tok.message().c_str());
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
