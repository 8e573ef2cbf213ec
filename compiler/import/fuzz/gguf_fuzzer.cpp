// libFuzzer entry point for the GGUF parser and reader: parses the input from
// memory (no file I/O) and builds a ModelSpec from it, with and without
// tensors. Any input must give a value or an error, never a crash, a hang or
// a huge allocation. The tensor views have no file behind them here, so a
// spec with tensors ends in validateSpec's "runs past the end" error; every
// check before that runs on the fuzzed bytes.
//
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address -I. compiler/import/fuzz/gguf_fuzzer.cpp \
//     <compiler/import/*.cpp and runtime/core/*.cpp except *_test.cpp> -o gguf_fuzzer
#include <cstddef>
#include <cstdint>
#include <span>

#include "compiler/import/gguf_file.h"
#include "compiler/import/gguf_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto f = lac::import::parseGguf(bytes, "fuzz.gguf");
  if (!f.ok()) return 0;
  for (bool config_only : {true, false}) {
    lac::import::ReadOptions options;
    options.config_only = config_only;
    auto spec = lac::import::specFromGguf(*f, bytes, nullptr, options);
    (void)spec;
  }
  return 0;
}
