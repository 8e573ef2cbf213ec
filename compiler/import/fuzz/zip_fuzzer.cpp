// libFuzzer entry point: the ZIP reader (and, when the archive has a
// data.pkl, the torch unpickler on it) over arbitrary bytes.
// Not built by CMake; see the build line below.
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address -I. \
//     compiler/import/fuzz/zip_fuzzer.cpp compiler/import/zip_archive.cpp compiler/import/torch_pickle.cpp \
//     runtime/core/{dtype,error,mapped_file}.cpp -o zip_fuzzer && ./zip_fuzzer -max_total_time=20
#include <cstddef>
#include <cstdint>

#include "compiler/import/torch_pickle.h"
#include "compiler/import/zip_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto zip = lac::import::ZipArchive::parse({data, size}, "fuzz.zip");
  if (!zip.ok()) return 0;
  uint64_t sum = 0;
  for (const auto& e : zip->entries()) {
    auto bytes = zip->data(e);  // every entry's range is in bounds: touch its ends
    if (!bytes.empty()) sum += bytes.front() + bytes.back();
    if (e.name.size() >= 8 && e.name.compare(e.name.size() - 8, 8, "data.pkl") == 0)
      (void)lac::import::readTorchStateDict(bytes, e.name).ok();
  }
  return static_cast<int>(sum & 0);
}
