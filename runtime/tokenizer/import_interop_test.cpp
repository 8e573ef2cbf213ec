// The TokenizerData the import readers fill (the runtime's own struct,
// tokenizer_data.h) tokenizes like the reference (the goldens). Built only with the
// compiler (it links lac_import); the runtime's own tests read the files
// themselves (testdata.h).
#include "compiler/import/reader.h"
#include "compiler/import/tiktoken_file.h"
#include "runtime/tokenizer/golden_check.h"
#include "runtime/tokenizer/testdata.h"

namespace lac {
namespace {

TEST(TokenizerFromImport, MetaTiktokenFileMatchesGoldens) {
  const std::string path = testdata::llama3TokenizerPath();
  if (path.empty()) GTEST_SKIP() << "Llama 3 tokenizer.model not available";
  auto spec = import::readLlama3Tokenizer(path);
  ASSERT_TRUE(spec.ok()) << spec.message();
  auto tok = Tokenizer::create(*spec);
  ASSERT_TRUE(tok.ok()) << tok.message();
  testing::checkGoldens(*tok, "llama3");
  EXPECT_EQ(tok->specialId("<|eot_id|>"), 128009u);
}

TEST(TokenizerFromImport, SmolLM2GgufMatchesGoldens) {
  const std::string path = testdata::smollm2GgufPath();
  if (path.empty()) GTEST_SKIP() << "SmolLM2 GGUF not available";
  import::ReadOptions options;
  options.config_only = true;
  auto spec = import::readModel(path, options);
  ASSERT_TRUE(spec.ok()) << spec.message();
  auto tok = Tokenizer::create(spec->tokenizer);
  ASSERT_TRUE(tok.ok()) << tok.message();
  testing::checkGoldens(*tok, "smollm2");
  for (uint32_t id : spec->stop_token_ids) EXPECT_TRUE(tok->isSpecial(id)) << id;
}

}  // namespace
}  // namespace lac
