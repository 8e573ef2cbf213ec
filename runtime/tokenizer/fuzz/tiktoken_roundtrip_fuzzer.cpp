// libFuzzer entry point: Llama 3's tiktoken tokenizer (the real 128k ranks
// from ../shared/data/llama3/tokenizer.model) on arbitrary bytes.
//
// Property: valid UTF-8 encodes (as user text: special-token spellings stay
// text), and decoding the ids gives the same bytes back (Llama 3 has a token
// for every byte); invalid UTF-8 is refused with InvalidArgument and nothing
// else. Any other outcome traps.
#include <cstdio>
#include <cstdlib>

#include "runtime/tokenizer/fuzz/roundtrip.h"
#include "runtime/tokenizer/testdata.h"

static lac::fuzz::RoundTripTarget g_target;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string path = lac::testdata::llama3TokenizerPath();
  auto data = path.empty() ? lac::Result<lac::TokenizerData>(lac::Status{lac::Error::NotFound, "no tokenizer"})
                           : lac::testdata::loadLlama3(path);
  if (!data.ok()) {
    std::fprintf(stderr, "tiktoken_roundtrip_fuzzer: ../shared/data/llama3/tokenizer.model not found\n");
    std::exit(1);
  }
  g_target.init(*data);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  g_target.run(data, size);
  return 0;
}
