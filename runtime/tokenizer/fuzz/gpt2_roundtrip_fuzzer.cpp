// libFuzzer entry point: GPT-2 byte-level BPE (explicit merges) on arbitrary
// bytes. The vocabulary is SmolLM2's (its GGUF, when scripts/fetch-model.sh
// has fetched it), else Llama 3's ranks recast as a merge list.
//
// Property: as tiktoken_roundtrip_fuzzer (valid UTF-8 round-trips, less the
// bytes the vocabulary has no token for; invalid UTF-8 is refused with
// InvalidArgument).
#include <cstdio>
#include <cstdlib>

#include "runtime/tokenizer/fuzz/roundtrip.h"
#include "runtime/tokenizer/testdata.h"

static lac::fuzz::RoundTripTarget g_target;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const std::string smol = lac::testdata::smollm2GgufPath(); !smol.empty()) {
    if (auto d = lac::testdata::loadGgufGpt2(smol); d.ok()) {
      g_target.init(*d);
      return 0;
    }
  }
  const std::string path = lac::testdata::llama3TokenizerPath();
  auto tik = path.empty() ? lac::Result<lac::TokenizerData>(lac::Status{lac::Error::NotFound, "no tokenizer"})
                          : lac::testdata::loadLlama3(path);
  if (!tik.ok()) {
    std::fprintf(stderr, "gpt2_roundtrip_fuzzer: neither SmolLM2's GGUF nor Llama 3's tokenizer.model found\n");
    std::exit(1);
  }
  g_target.init(lac::testdata::llama3AsGpt2Bpe(*tik));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  g_target.run(data, size);
  return 0;
}
