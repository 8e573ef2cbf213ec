// Tests of the Hugging Face reader: safetensors parsing, tokenizer.json,
// config.json, shards, q/k un-permutation and bad input.
//
// Fixtures come from testdata/make_hf_fixture.py (which uses
// scripts/tiny_models/hf_writer.py); the tests skip when python3/numpy are absent.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/import/hf_config.h"
#include "compiler/import/hf_tensors.h"
#include "compiler/import/hf_tokenizer.h"
#include "compiler/import/reader.h"
#include "compiler/import/safetensors_file.h"

namespace lac::import {
namespace {

namespace fs = std::filesystem;

// ---- helpers ---------------------------------------------------------------------

std::string sourceDir() {
  if (const char* e = std::getenv("LAC_SOURCE_DIR")) return e;
  return LAC_SOURCE_DIR;
}

std::string readFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void writeFile(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << text;
}

// Replaces the first `from` in file `p` by `to`.
void editFile(const fs::path& p, const std::string& from, const std::string& to) {
  std::string s = readFile(p);
  size_t at = s.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << p;
  s.replace(at, from.size(), to);
  writeFile(p, s);
}

// A .safetensors image: u64 header length + header + `data_bytes` zero bytes.
std::vector<uint8_t> safetensorsBytes(const std::string& header, size_t data_bytes, uint64_t claimed_len = ~0ull) {
  const uint64_t n = claimed_len == ~0ull ? header.size() : claimed_len;
  std::vector<uint8_t> out(8 + header.size() + data_bytes, 0);
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  return out;
}

#define EXPECT_ERROR(result, error_kind, phrase)                                        \
  do {                                                                                 \
    const auto& r_ = (result);                                                         \
    ASSERT_FALSE(r_.ok()) << "expected an error containing: " << (phrase);             \
    EXPECT_EQ(r_.error(), (error_kind)) << r_.message();                               \
    EXPECT_NE(r_.message().find(phrase), std::string::npos) << r_.message();           \
  } while (0)

// ---- the fixture: tiny HF folders written by the Python writer ---------------------

class HfReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::path(::testing::TempDir()) / ("lac_hf_reader_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    const std::string cmd = "python3 '" + sourceDir() + "/compiler/import/testdata/make_hf_fixture.py' '" +
                            root_.string() + "' > '" + (root_ / "log.txt").string() + "' 2>&1";
    ok_ = std::system(cmd.c_str()) == 0;
    if (!ok_) log_ = readFile(root_ / "log.txt");
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  void SetUp() override {
    if (!ok_) GTEST_SKIP() << "fixture writer failed (python3 with numpy needed): " << log_;
  }

  // A private copy of a fixture folder to break.
  fs::path copyOf(const std::string& which) {
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::path dst = root_ / ("copy_" + which + "_" + test);
    fs::remove_all(dst);
    fs::copy(root_ / which, dst, fs::copy_options::recursive);
    return dst;
  }

  static fs::path root_;
  static bool ok_;
  static std::string log_;
};

fs::path HfReaderTest::root_;
bool HfReaderTest::ok_ = false;
std::string HfReaderTest::log_;

// ---- config, tokenizer and stop tokens from the fixture ------------------------------

TEST_F(HfReaderTest, ReadsConfig) {
  auto spec = readModel((root_ / "single").string());
  ASSERT_TRUE(spec.ok()) << spec.message();
  const ModelConfig& c = spec->config;
  EXPECT_EQ(spec->format, SourceFormat::HuggingFace);
  EXPECT_EQ(spec->name, "single");
  EXPECT_EQ(c.dim, 64u);
  EXPECT_EQ(c.n_layers, 2u);
  EXPECT_EQ(c.n_heads, 4u);
  EXPECT_EQ(c.n_kv_heads, 2u);
  EXPECT_EQ(c.head_dim, 16u);
  EXPECT_EQ(c.ffn_dim, 96u);
  EXPECT_EQ(c.vocab_size, 518u);
  EXPECT_FLOAT_EQ(c.norm_eps, 1e-5f);
  EXPECT_FLOAT_EQ(c.rope_theta, 500000.0f);
  EXPECT_EQ(c.max_seq_len, 128u);
  EXPECT_FALSE(c.tied_embeddings);
  ASSERT_TRUE(c.rope_scaling.has_value());
  EXPECT_FLOAT_EQ(c.rope_scaling->factor, 8.0f);
  EXPECT_FLOAT_EQ(c.rope_scaling->low_freq_factor, 1.0f);
  EXPECT_FLOAT_EQ(c.rope_scaling->high_freq_factor, 4.0f);
  EXPECT_EQ(c.rope_scaling->original_max_position, 8192u);
  EXPECT_EQ(spec->metadata.at("torch_dtype"), "bfloat16");
  EXPECT_EQ(spec->tensors.size(), 3u + 2u * 9u);
}

TEST_F(HfReaderTest, ReadsTokenizerAndStopTokens) {
  // tiny vocabulary: 256 bytes, "he" "ll" "hell" "hello" " w" " wo", then 256 specials from id 262.
  auto spec = readModel((root_ / "single").string(), ReadOptions{.config_only = true});
  ASSERT_TRUE(spec.ok()) << spec.message();
  EXPECT_TRUE(spec->tensors.empty());
  const TokenizerData& t = spec->tokenizer;
  EXPECT_EQ(t.kind, TokenizerKind::Gpt2Bpe);
  ASSERT_EQ(t.tokens.size(), 518u);
  EXPECT_EQ(t.tokens[' '], " ");
  EXPECT_EQ(t.tokens[0xff], "\xff");
  EXPECT_EQ(t.tokens[259], "hello");
  EXPECT_EQ(t.tokens[260], " w");
  EXPECT_EQ(t.tokens[262], "<|begin_of_text|>");
  EXPECT_EQ(t.tokens[271], "<|eot_id|>");
  ASSERT_EQ(t.merges.size(), 6u);
  EXPECT_EQ(t.merges[0], std::make_pair(std::string("h"), std::string("e")));
  EXPECT_EQ(t.merges[2], std::make_pair(std::string("he"), std::string("ll")));
  EXPECT_EQ(t.merges[4], std::make_pair(std::string(" "), std::string("w")));
  EXPECT_EQ(t.special_tokens.size(), 256u);
  EXPECT_EQ(t.bos_id, 262u);
  EXPECT_EQ(t.eos_id, 271u);  // tokenizer_config eos_token <|eot_id|>
  EXPECT_TRUE(t.add_bos);     // from the TemplateProcessing post-processor
  EXPECT_EQ(t.pre_tokenizer, "llama3");
  EXPECT_NE(t.pre_tokenizer_regex.find("\\p{N}{1,3}"), std::string::npos);
  EXPECT_EQ(spec->chat.kind, ChatFormatKind::Llama3);
  // config.json eos 263, generation_config.json [263, 271], tokenizer eos 271.
  EXPECT_EQ(spec->stop_token_ids, (std::vector<uint32_t>{263, 271}));
}

// ---- tensors -------------------------------------------------------------------------

std::vector<float> floats(const TensorView& t) {
  std::vector<float> v(t.numElements());
  auto r = t.toFloat(v);
  EXPECT_TRUE(r.ok()) << r.message();
  return v;
}

TEST_F(HfReaderTest, SingleAndShardedGiveIdenticalTensors) {
  auto single = readModel((root_ / "single").string());
  auto sharded = readModel((root_ / "sharded").string());
  ASSERT_TRUE(single.ok()) << single.message();
  ASSERT_TRUE(sharded.ok()) << sharded.message();
  ASSERT_EQ(single->tensors.size(), sharded->tensors.size());
  for (const TensorView& a : single->tensors) {
    const TensorView* b = sharded->findTensor(a.name);
    ASSERT_NE(b, nullptr) << a.name;
    EXPECT_EQ(a.dtype, DType::BF16);
    EXPECT_EQ(a.shape, b->shape) << a.name;
    EXPECT_EQ(floats(a), floats(*b)) << a.name;
  }
  // The sharded folder spells merges as "a b" strings, the single one as pairs.
  EXPECT_EQ(single->tokenizer.merges, sharded->tokenizer.merges);
}

// reference.safetensors holds the tensors numpy generated, in Meta's names and
// layout (f32); the HF files hold them bf16, renamed, q/k permuted by HF's rule.
TEST_F(HfReaderTest, UnpermutedTensorsMatchMetaReference) {
  auto spec = readModel((root_ / "sharded").string());
  ASSERT_TRUE(spec.ok()) << spec.message();
  auto ref = openSafetensors((root_ / "reference.safetensors").string());
  ASSERT_TRUE(ref.ok()) << ref.message();
  ASSERT_EQ(ref->header.tensors.size(), spec->tensors.size());
  int permuted = 0;
  for (const SafetensorsEntry& e : ref->header.tensors) {
    const TensorView* t = spec->findTensor(e.name);
    ASSERT_NE(t, nullptr) << e.name;
    EXPECT_EQ(t->shape, e.shape) << e.name;
    std::vector<float> want(e.bytes / 4);
    std::memcpy(want.data(), ref->file->data() + e.offset, e.bytes);
    EXPECT_EQ(floats(*t), want) << e.name;
    permuted += !t->row_permutation.empty();
  }
  EXPECT_EQ(permuted, 4);  // wq and wk of 2 layers
}

TEST(HfTensors, RowPermutationMatchesNumpy) {
  // numpy: hf = arange(16).reshape(2, 4, 2).transpose(0, 2, 1).reshape(16)  (HF row k holds Meta row hf[k]);
  // argsort(hf) = the HF row that holds each Meta row.
  const std::vector<uint32_t> want = {0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15};
  EXPECT_EQ(hfRotaryRowPermutation(2, 8), want);
}

TEST(HfTensors, NameMapping) {
  EXPECT_EQ(hfToMetaName("model.embed_tokens.weight"), "tok_embeddings.weight");
  EXPECT_EQ(hfToMetaName("lm_head.weight"), "output.weight");
  EXPECT_EQ(hfToMetaName("model.layers.12.mlp.gate_proj.weight"), "layers.12.feed_forward.w1.weight");
  EXPECT_EQ(hfToMetaName("model.layers.0.post_attention_layernorm.weight"), "layers.0.ffn_norm.weight");
  EXPECT_FALSE(hfToMetaName("model.layers.x.mlp.up_proj.weight").has_value());
  EXPECT_FALSE(hfToMetaName("model.layers.01.mlp.up_proj.weight").has_value());
  EXPECT_FALSE(hfToMetaName("model.layers.0.self_attn.q_proj.bias").has_value());
}

// ---- tokenizer.json by hand ----------------------------------------------------------

// "Ġ" is U+0120 (space).
const char* kTokJson = R"({
  "added_tokens": [{"id": 5, "content": "<s>", "special": true}, {"id": 6, "content": "</s>", "special": true}],
  "normalizer": null,
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
  "decoder": {"type": "ByteLevel"},
  "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "\u0120": 2, "ab": 3, "\u0120a": 4},
            "merges": MERGES}
})";

std::string tokJson(const std::string& merges) {
  std::string s = kTokJson;
  s.replace(s.find("MERGES"), 6, merges);
  return s;
}

TEST(HfTokenizer, MergesInBothSyntaxesAddedTokensAndBosEos) {
  const std::string cfg = R"({"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
    "add_bos_token": false, "chat_template": [{"name": "tool_use", "template": "x"},
    {"name": "default", "template": "<|im_start|>{{ m }}<|im_end|>"}]})";
  auto strings = parseHfTokenizer(tokJson(R"(["a b", "\u0120 a"])"), "t.json", cfg, "c.json");
  auto pairs = parseHfTokenizer(tokJson(R"([["a", "b"], ["\u0120", "a"]])"), "t.json", cfg, "c.json");
  ASSERT_TRUE(strings.ok()) << strings.message();
  ASSERT_TRUE(pairs.ok()) << pairs.message();
  const TokenizerData& t = strings->tokenizer;
  EXPECT_EQ(t.tokens, (std::vector<std::string>{"a", "b", " ", "ab", " a", "<s>", "</s>"}));
  const std::vector<std::pair<std::string, std::string>> merges = {{"a", "b"}, {" ", "a"}};
  EXPECT_EQ(t.merges, merges);
  EXPECT_EQ(pairs->tokenizer.merges, merges);
  ASSERT_EQ(t.special_tokens.size(), 2u);
  EXPECT_EQ(t.special_tokens[1].text, "</s>");
  EXPECT_EQ(t.bos_id, 5u);
  EXPECT_EQ(t.eos_id, 6u);
  EXPECT_FALSE(t.add_bos);
  EXPECT_EQ(t.pre_tokenizer, "gpt2");
  EXPECT_EQ(strings->chat.kind, ChatFormatKind::ChatML);
}

TEST(HfTokenizer, RejectsBadInput) {
  const std::string good = tokJson(R"(["a b"])");
  std::string gap = good;
  gap.replace(gap.find("\"\\u0120a\": 4"), 12, "\"\\u0120a\": 9");
  EXPECT_ERROR(parseHfTokenizer(gap, "t.json", "", ""), Error::InvalidCheckpoint,
               "token ids are not dense: id 9 is beyond the 7 tokens listed");
  std::string hole = good;  // an added token reusing a vocab id leaves id 5 unused
  hole.replace(hole.find("\"id\": 5"), 7, "\"id\": 1");
  EXPECT_ERROR(parseHfTokenizer(hole, "t.json", "", ""), Error::InvalidCheckpoint,
               "token ids are not dense: id 5 is missing");
  EXPECT_ERROR(parseHfTokenizer(tokJson(R"(["ab"])"), "t.json", "", ""), Error::InvalidCheckpoint,
               "model.merges[0] 'ab' is not two tokens");
  std::string wordpiece = good;
  wordpiece.replace(wordpiece.find("\"BPE\""), 5, "\"WordPiece\"");
  EXPECT_ERROR(parseHfTokenizer(wordpiece, "t.json", "", ""), Error::Unsupported, "'WordPiece' is not supported");
  EXPECT_ERROR(parseHfTokenizer(good, "t.json", R"({"eos_token": "<nope>"})", "c.json"), Error::InvalidCheckpoint,
               "eos_token '<nope>' is not in the vocabulary");
  EXPECT_ERROR(parseHfTokenizer("{\"model\": ", "t.json", "", ""), Error::InvalidCheckpoint, "not valid JSON");
}

TEST(HfTokenizer, RealLlama3Tokenizer) {
  const fs::path model = fs::path(sourceDir()) / ".." / "shared" / "data" / "llama3" / "tokenizer.model";
  if (!fs::exists(model)) GTEST_SKIP() << model << " is absent";
  const fs::path dir = fs::path(::testing::TempDir()) / ("lac_hf_llama3_tok_" + std::to_string(::getpid()));
  const std::string cmd = "python3 '" + sourceDir() + "/compiler/import/testdata/make_hf_fixture.py' '" +
                          dir.string() + "' --llama3-tokenizer '" + model.string() + "' > /dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "python3 with numpy needed";
  auto tok = readHfTokenizer(dir.string());
  fs::remove_all(dir);
  ASSERT_TRUE(tok.ok()) << tok.message();
  const TokenizerData& t = tok->tokenizer;
  ASSERT_EQ(t.tokens.size(), 128256u);
  EXPECT_EQ(t.tokens[128000], "<|begin_of_text|>");
  EXPECT_EQ(t.tokens[220], " ");  // tiktoken rank 220 is a space
  EXPECT_EQ(t.special_tokens.size(), 256u);
  EXPECT_GT(t.merges.size(), 128000u);
  EXPECT_EQ(t.bos_id, 128000u);
  EXPECT_EQ(t.eos_id, 128009u);
  EXPECT_TRUE(t.add_bos);
  EXPECT_EQ(t.pre_tokenizer, "llama3");
  EXPECT_EQ(tok->chat.kind, ChatFormatKind::Llama3);
}

// ---- bad checkpoints: error kind and message ------------------------------------------

TEST_F(HfReaderTest, MissingConfig) {
  fs::path d = copyOf("single");
  fs::remove(d / "config.json");
  EXPECT_ERROR(readHuggingFace(d.string(), {}), Error::NotFound, "no config.json");
}

TEST_F(HfReaderTest, MalformedConfig) {
  fs::path d = copyOf("single");
  writeFile(d / "config.json", "{\"model_type\": \"llama\", ");
  EXPECT_ERROR(readModel(d.string()), Error::InvalidCheckpoint, "config.json: not valid JSON");
  writeFile(d / "config.json", R"({"model_type": "llama", "hidden_size": "64"})");
  EXPECT_ERROR(readModel(d.string()), Error::InvalidCheckpoint, "\"hidden_size\" must be a non-negative integer");
}

TEST_F(HfReaderTest, NonLlamaModelType) {
  fs::path d = copyOf("single");
  editFile(d / "config.json", "\"llama\"", "\"mistral\"");
  EXPECT_ERROR(readModel(d.string()), Error::Unsupported, "model_type 'mistral' is not supported");
}

TEST_F(HfReaderTest, UnsupportedRopeScaling) {
  fs::path d = copyOf("single");
  editFile(d / "config.json", "\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\"");
  EXPECT_ERROR(readModel(d.string()), Error::Unsupported, "rope_scaling rope_type 'yarn' is not supported");
}

TEST_F(HfReaderTest, ShapeDisagreesWithConfig) {
  fs::path d = copyOf("single");
  editFile(d / "config.json", "\"intermediate_size\": 96", "\"intermediate_size\": 128");
  EXPECT_ERROR(readModel(d.string()), Error::InvalidCheckpoint,
               "tensor 'layers.0.feed_forward.w1.weight' has shape [96, 64], the config implies [128, 64]");
}

TEST_F(HfReaderTest, IndexNamesMissingShard) {
  fs::path d = copyOf("sharded");
  fs::remove(d / "model-00002-of-00002.safetensors");
  EXPECT_ERROR(readModel(d.string()), Error::NotFound, "shard 'model-00002-of-00002.safetensors'");
}

TEST_F(HfReaderTest, IndexDisagreesWithShard) {
  fs::path d = copyOf("sharded");
  editFile(d / "model.safetensors.index.json", "\"model.norm.weight\": \"model-00001-of-00002.safetensors\"",
           "\"model.norm.weight\": \"model-00002-of-00002.safetensors\"");
  EXPECT_ERROR(readModel(d.string()), Error::InvalidCheckpoint, "'model.norm.weight' is not listed for this file");
}

TEST_F(HfReaderTest, TruncatedSafetensors) {
  fs::path d = copyOf("single");
  std::string bytes = readFile(d / "model.safetensors");
  writeFile(d / "model.safetensors", bytes.substr(0, bytes.size() - 100));
  EXPECT_ERROR(readModel(d.string()), Error::InvalidCheckpoint, "runs past the end of the file");
}

TEST_F(HfReaderTest, TokenizerWithNonDenseIds) {
  fs::path d = copyOf("single");
  editFile(d / "tokenizer.json", "\"id\": 300,", "\"id\": 900,");
  EXPECT_ERROR(readModel(d.string()), Error::InvalidCheckpoint, "token ids are not dense: id 900 is beyond the 518 tokens listed");
}

TEST_F(HfReaderTest, MissingTokenizer) {
  fs::path d = copyOf("single");
  fs::remove(d / "tokenizer.json");
  EXPECT_ERROR(readModel(d.string()), Error::NotFound, "no tokenizer.json");
}

// ---- safetensors headers by hand ------------------------------------------------------

TEST(Safetensors, ParsesEntriesAndMetadata) {
  const std::string h =
      R"({"__metadata__": {"format": "pt"}, "b": {"dtype": "F16", "shape": [2], "data_offsets": [8, 12]},)"
      R"( "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "e": {"dtype": "BF16", "shape": [0, 3],)"
      R"( "data_offsets": [12, 12]}})";
  auto r = parseSafetensors(safetensorsBytes(h, 12), "x.safetensors");
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(r->tensors.size(), 3u);
  EXPECT_EQ(r->tensors[0].name, "a");
  EXPECT_EQ(r->tensors[0].offset, 8 + h.size());
  EXPECT_EQ(r->tensors[1].name, "b");
  EXPECT_EQ(r->tensors[1].dtype, DType::F16);
  EXPECT_EQ(r->tensors[1].bytes, 4u);
  EXPECT_EQ(r->metadata.at("format"), "pt");
}

TEST(Safetensors, RejectsBadHeaders) {
  auto entry = [](const std::string& dtype, const std::string& shape, const std::string& offsets) {
    return "\"t\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": " + offsets + "}";
  };
  const std::string ok = "{" + entry("F32", "[2]", "[0, 8]") + "}";
  EXPECT_ERROR(parseSafetensors(safetensorsBytes(ok, 8, 1000), "x"), Error::InvalidCheckpoint,
               "header length 1000 runs past the end of the file");
  EXPECT_ERROR(parseSafetensors(std::vector<uint8_t>(5), "x"), Error::InvalidCheckpoint, "too short");
  EXPECT_ERROR(parseSafetensors(safetensorsBytes(ok, 4), "x"), Error::InvalidCheckpoint,
               "tensor 't': data at byte offset");
  EXPECT_ERROR(parseSafetensors(safetensorsBytes("{" + entry("I8", "[2]", "[0, 2]") + "}", 2), "x"),
               Error::Unsupported, "tensor 't': dtype I8 is not supported");
  EXPECT_ERROR(parseSafetensors(safetensorsBytes("{" + entry("F8_E4M3", "[2]", "[0, 2]") + "}", 2), "x"),
               Error::Unsupported, "dtype F8_E4M3");
  EXPECT_ERROR(parseSafetensors(safetensorsBytes("{" + entry("F32", "[3]", "[0, 8]") + "}", 8), "x"),
               Error::InvalidCheckpoint, "hold 8 bytes, its shape and dtype F32 need 12");
  EXPECT_ERROR(parseSafetensors(safetensorsBytes("{" + entry("F32", "[2]", "[8, 0]") + "}", 8), "x"),
               Error::InvalidCheckpoint, "end before they begin");
  EXPECT_ERROR(parseSafetensors(safetensorsBytes("{" + entry("F32", "[-2]", "[0, 8]") + "}", 8), "x"),
               Error::InvalidCheckpoint, "\"shape\" is not a list of non-negative integers");
  const std::string overlap = R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                              R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})";
  EXPECT_ERROR(parseSafetensors(safetensorsBytes(overlap, 12), "x"), Error::InvalidCheckpoint, "overlaps tensor 'a'");
  EXPECT_ERROR(parseSafetensors(safetensorsBytes("{\"t\": ", 0), "x"), Error::InvalidCheckpoint,
               "header is not valid JSON");
  EXPECT_ERROR(parseSafetensors(safetensorsBytes("[1, 2]", 0), "x"), Error::InvalidCheckpoint,
               "header is not a JSON object");
  // A shape whose byte count overflows 64 bits.
  EXPECT_ERROR(parseSafetensors(safetensorsBytes("{" + entry("F32", "[4294967296, 4294967296]", "[0, 8]") + "}", 8),
                                "x"),
               Error::InvalidCheckpoint, "need more than");
}

TEST(HfConfig, EosIdsIntOrList) {
  auto one = parseEosTokenIds(R"({"eos_token_id": 7})", "g.json");
  auto many = parseEosTokenIds(R"({"eos_token_id": [1, 2]})", "g.json");
  ASSERT_TRUE(one.ok() && many.ok());
  EXPECT_EQ(*one, (std::vector<uint32_t>{7}));
  EXPECT_EQ(*many, (std::vector<uint32_t>{1, 2}));
  EXPECT_ERROR(parseEosTokenIds(R"({"eos_token_id": "x"})", "g.json"), Error::InvalidCheckpoint,
               "must be a token id");
}

}  // namespace
}  // namespace lac::import
