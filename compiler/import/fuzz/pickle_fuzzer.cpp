// libFuzzer entry point: the restricted torch unpickler over arbitrary bytes.
// Not built by CMake; see the build line below.
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address -I. \
//     compiler/import/fuzz/pickle_fuzzer.cpp compiler/import/torch_pickle.cpp \
//     runtime/core/{dtype,error}.cpp -o pickle_fuzzer && ./pickle_fuzzer -max_total_time=20
#include <cstddef>
#include <cstdint>

#include "compiler/import/torch_pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = lac::import::readTorchStateDict({data, size}, "fuzz.pkl");
  if (r.ok()) {
    for (const auto& t : *r) (void)t.shape.size();
  } else {
    (void)r.message().size();
  }
  return 0;
}
