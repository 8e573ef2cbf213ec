// libFuzzer entry point: the safetensors header parser over arbitrary bytes
// (from memory, no file I/O). Seeds: test/fuzz-corpus/safetensors/.
// Built with -DLAC_BUILD_FUZZERS=ON (fuzz/CMakeLists.txt globs), or by hand:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address -I. \
//     compiler/import/fuzz/safetensors_fuzzer.cpp compiler/import/safetensors_file.cpp \
//     runtime/core/error.cpp runtime/core/dtype.cpp runtime/core/mapped_file.cpp -o safetensors_fuzzer
//   ./safetensors_fuzzer -max_total_time=20
#include <cstddef>
#include <cstdint>
#include <span>

#include "compiler/import/safetensors_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = lac::import::parseSafetensors(std::span<const uint8_t>(data, size), "fuzz.safetensors");
  if (r.ok()) {
    // Every accepted entry must lie inside the input.
    for (const auto& e : r->tensors)
      if (e.offset > size || e.bytes > size - e.offset) __builtin_trap();
  }
  return 0;
}
