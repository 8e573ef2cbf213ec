// The import readers' TokenizerData, carried over field by field into the
// runtime's, tokenizes like the reference (the goldens). Built only with the
// compiler (it links lac_import); the runtime's own tests read the files
// themselves (testdata.h).
#include "compiler/import/reader.h"
#include "compiler/import/tiktoken_file.h"
#include "runtime/tokenizer/golden_check.h"
#include "runtime/tokenizer/testdata.h"

namespace lac {
namespace {

Result<TokenizerData> toRuntime(const import::TokenizerData& in) {
  TokenizerData out;
  switch (in.kind) {
    case import::TokenizerKind::Tiktoken: out.kind = TokenizerKind::Tiktoken; break;
    case import::TokenizerKind::Gpt2Bpe: out.kind = TokenizerKind::Gpt2Bpe; break;
    default: LAC_FAIL(Error::Unsupported, "%s: no tokenizer", in.source.c_str());
  }
  out.tokens = in.tokens;
  out.merges = in.merges;
  for (const import::SpecialToken& s : in.special_tokens) out.special_tokens.push_back({s.text, s.id});
  out.pre_tokenizer = in.pre_tokenizer;
  out.pre_tokenizer_regex = in.pre_tokenizer_regex;
  out.bos_id = in.bos_id;
  out.eos_id = in.eos_id;
  out.add_bos = in.add_bos;
  return out;
}

TEST(TokenizerFromImport, MetaTiktokenFileMatchesGoldens) {
  const std::string path = testdata::llama3TokenizerPath();
  if (path.empty()) GTEST_SKIP() << "Llama 3 tokenizer.model not available";
  auto spec = import::readLlama3Tokenizer(path);
  ASSERT_TRUE(spec.ok()) << spec.message();
  auto data = toRuntime(*spec);
  ASSERT_TRUE(data.ok()) << data.message();
  auto tok = Tokenizer::create(*data);
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
  auto data = toRuntime(spec->tokenizer);
  ASSERT_TRUE(data.ok()) << data.message();
  auto tok = Tokenizer::create(*data);
  ASSERT_TRUE(tok.ok()) << tok.message();
  testing::checkGoldens(*tok, "smollm2");
  for (uint32_t id : spec->stop_token_ids) EXPECT_TRUE(tok->isSpecial(id)) << id;
}

}  // namespace
}  // namespace lac
