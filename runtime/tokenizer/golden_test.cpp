// Every string of test/goldens/tokenizer/corpus.json encodes to the ids the
// reference tokenizers produced (scripts/goldens/make-tokenizer-goldens.py)
// and decodes back to itself.
#include "runtime/tokenizer/golden_check.h"
#include "runtime/tokenizer/test_util.h"

namespace lac {
namespace {

using testing::checkGoldens;

TEST(TokenizerGolden, Llama3MatchesTiktoken) {
  LAC_REQUIRE_TOKENIZER(tok, llama3);
  checkGoldens(*tok, "llama3");
}

// Llama 3 as HF/GGUF describe it (merge list, "llama-bpe", ignore_merges)
// gives tiktoken's ids too, except where Meta's chunking of long runs applies.
TEST(TokenizerGolden, Llama3AsGpt2BpeMatchesTiktoken) {
  const std::string path = testdata::llama3TokenizerPath();
  if (path.empty()) GTEST_SKIP() << "Llama 3 tokenizer.model not available";
  auto data = testdata::loadLlama3(path);
  ASSERT_TRUE(data.ok()) << data.message();
  auto tok = Tokenizer::create(testdata::llama3AsGpt2Bpe(*data));
  ASSERT_TRUE(tok.ok()) << tok.message();
  checkGoldens(*tok, "llama3", /*skip_long_runs=*/true);
}

TEST(TokenizerGolden, SmolLM2MatchesReference) {
  LAC_REQUIRE_TOKENIZER(tok, smollm2);
  checkGoldens(*tok, "smollm2");
}

}  // namespace
}  // namespace lac
