// GGUF parser and reader: the real SmolLM2 file (skipped when absent), small
// GGUF files written here byte by byte (v2 and v3), and corrupt inputs.
#include <gtest/gtest.h>

#include "runtime/core/test_temp.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "compiler/import/dequantize.h"
#include "compiler/import/gguf_file.h"
#include "compiler/import/gguf_reader.h"
#include "compiler/import/gpt2_bytes.h"
#include "compiler/import/reader.h"

namespace lac::import {
namespace {

// ---------------------------------------------------------------------------
// A tiny GGUF writer: key/values and tensors kept by name so tests can drop or
// replace them, then serialized in file order.

class GgufBuilder {
 public:
  uint32_t magic = 0x46554747;
  uint32_t version = 3;
  uint32_t alignment = 32;

  // Values: the type id followed by the payload.
  static void put(std::vector<uint8_t>& out, const void* p, size_t n) {
    auto b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  }
  template <typename T>
  static void pod(std::vector<uint8_t>& out, T v) { put(out, &v, sizeof v); }
  static void str(std::vector<uint8_t>& out, const std::string& s) {
    pod<uint64_t>(out, s.size());
    put(out, s.data(), s.size());
  }

  void setRaw(const std::string& key, std::vector<uint8_t> type_and_value) {
    erase(key);
    kvs_.emplace_back(key, std::move(type_and_value));
  }
  void setU32(const std::string& key, uint32_t v) {
    std::vector<uint8_t> b;
    pod<uint32_t>(b, 4);
    pod(b, v);
    setRaw(key, b);
  }
  void setF32(const std::string& key, float v) {
    std::vector<uint8_t> b;
    pod<uint32_t>(b, 6);
    pod(b, v);
    setRaw(key, b);
  }
  void setBool(const std::string& key, bool v) {
    std::vector<uint8_t> b;
    pod<uint32_t>(b, 7);
    pod<uint8_t>(b, v);
    setRaw(key, b);
  }
  void setString(const std::string& key, const std::string& v) {
    std::vector<uint8_t> b;
    pod<uint32_t>(b, 8);
    str(b, v);
    setRaw(key, b);
  }
  void setStrings(const std::string& key, const std::vector<std::string>& v) {
    std::vector<uint8_t> b;
    pod<uint32_t>(b, 9);
    pod<uint32_t>(b, 8);
    pod<uint64_t>(b, v.size());
    for (const auto& s : v) str(b, s);
    setRaw(key, b);
  }
  void setI32s(const std::string& key, const std::vector<int32_t>& v) {
    std::vector<uint8_t> b;
    pod<uint32_t>(b, 9);
    pod<uint32_t>(b, 5);
    pod<uint64_t>(b, v.size());
    for (int32_t x : v) pod(b, x);
    setRaw(key, b);
  }
  void erase(const std::string& key) {
    std::erase_if(kvs_, [&](const auto& kv) { return kv.first == key; });
  }

  struct Tensor {
    std::string name;
    std::vector<uint64_t> ne;  // GGML order
    uint32_t type = 0;
    std::vector<uint8_t> data;
    uint32_t n_dims_override = 0;  // 0: ne.size()
  };
  void addTensor(Tensor t) { tensors_.push_back(std::move(t)); }
  void addF32(const std::string& name, std::vector<uint64_t> ne, float seed) {
    uint64_t n = 1;
    for (uint64_t d : ne) n *= d;
    Tensor t{name, std::move(ne), 0, {}, 0};
    for (uint64_t i = 0; i < n; ++i) pod(t.data, seed + 0.001f * float(i % 1000));
    addTensor(std::move(t));
  }
  Tensor* tensor(const std::string& name) {
    for (auto& t : tensors_)
      if (t.name == name) return &t;
    return nullptr;
  }
  void eraseTensor(const std::string& name) {
    std::erase_if(tensors_, [&](const Tensor& t) { return t.name == name; });
  }

  std::vector<uint8_t> build() const {
    std::vector<uint8_t> out;
    pod(out, magic);
    pod(out, version);
    pod<uint64_t>(out, tensors_.size());
    pod<uint64_t>(out, kvs_.size());
    for (const auto& [key, value] : kvs_) {
      str(out, key);
      put(out, value.data(), value.size());
    }
    uint64_t offset = 0;
    for (const Tensor& t : tensors_) {
      str(out, t.name);
      pod<uint32_t>(out, t.n_dims_override ? t.n_dims_override : uint32_t(t.ne.size()));
      for (uint64_t d : t.ne) pod(out, d);
      pod(out, t.type);
      pod(out, offset);
      offset += (t.data.size() + alignment - 1) / alignment * alignment;
    }
    out.resize((out.size() + alignment - 1) / alignment * alignment, 0);
    for (const Tensor& t : tensors_) {
      put(out, t.data.data(), t.data.size());
      out.resize((out.size() + alignment - 1) / alignment * alignment, 0);
    }
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::vector<uint8_t>>> kvs_;
  std::vector<Tensor> tensors_;
};

// A tiny valid llama: dim 64, 2 layers, 4 heads (head_dim 16), 2 kv heads,
// ffn 96, 258 tokens (256 byte tokens + 2 ChatML control tokens), tied
// embeddings, one Q8_0 tensor.
constexpr uint32_t kDim = 64, kLayers = 2, kHeads = 4, kKvHeads = 2, kFfn = 96, kVocab = 258;

GgufBuilder tinyLlama(uint32_t version = 3) {
  GgufBuilder b;
  b.version = version;
  b.setString("general.architecture", "llama");
  b.setString("general.name", "Tiny Test");
  b.setU32("llama.embedding_length", kDim);
  b.setU32("llama.block_count", kLayers);
  b.setU32("llama.attention.head_count", kHeads);
  b.setU32("llama.attention.head_count_kv", kKvHeads);
  b.setU32("llama.feed_forward_length", kFfn);
  b.setU32("llama.context_length", 512);
  b.setF32("llama.rope.freq_base", 500000.0f);
  b.setF32("llama.attention.layer_norm_rms_epsilon", 1e-6f);

  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  for (int c = 0; c < 256; ++c) {
    tokens.push_back(bytesToGpt2Chars(std::string(1, char(c))));
    types.push_back(1);
  }
  tokens.push_back("<|im_start|>");
  tokens.push_back("<|im_end|>");
  types.push_back(3);
  types.push_back(3);
  b.setString("tokenizer.ggml.model", "gpt2");
  b.setString("tokenizer.ggml.pre", "smollm");
  b.setStrings("tokenizer.ggml.tokens", tokens);
  b.setI32s("tokenizer.ggml.token_type", types);
  b.setStrings("tokenizer.ggml.merges", {"Ġ t", "h e"});
  b.setU32("tokenizer.ggml.bos_token_id", 256);
  b.setU32("tokenizer.ggml.eos_token_id", 257);
  b.setBool("tokenizer.ggml.add_bos_token", false);
  b.setString("tokenizer.chat_template",
              "{% for m in messages %}{{'<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n'}}{% endfor %}");

  const uint64_t q = kHeads * 16, kv = kKvHeads * 16;
  b.addF32("token_embd.weight", {kDim, kVocab}, 0.1f);
  for (uint32_t i = 0; i < kLayers; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    b.addF32(p + "attn_norm.weight", {kDim}, 1.0f);
    b.addF32(p + "attn_q.weight", {kDim, q}, 0.2f);
    b.addF32(p + "attn_k.weight", {kDim, kv}, 0.3f);
    b.addF32(p + "attn_v.weight", {kDim, kv}, 0.4f);
    b.addF32(p + "attn_output.weight", {q, kDim}, 0.5f);
    b.addF32(p + "ffn_norm.weight", {kDim}, 1.0f);
    b.addF32(p + "ffn_gate.weight", {kDim, kFfn}, 0.6f);
    b.addF32(p + "ffn_up.weight", {kDim, kFfn}, 0.7f);
  }
  // ffn_down of layer 0 as Q8_0: [kDim rows of kFfn] = 64 rows x 3 blocks of 34 bytes.
  for (uint32_t i = 0; i < kLayers; ++i) {
    GgufBuilder::Tensor t{"blk." + std::to_string(i) + ".ffn_down.weight", {kFfn, kDim}, 8, {}, 0};
    for (uint32_t blk = 0; blk < kDim * kFfn / 32; ++blk) {
      GgufBuilder::pod<uint16_t>(t.data, 0x3800);  // d = 0.5
      for (int j = 0; j < 32; ++j) GgufBuilder::pod<int8_t>(t.data, int8_t(j - 16));
    }
    b.addTensor(std::move(t));
  }
  b.addF32("output_norm.weight", {kDim}, 1.0f);
  return b;
}

std::string writeTemp(const std::vector<uint8_t>& bytes, const std::string& name) {
  const std::string path = lac::testing::tempPath(name);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return path;
}

Result<ModelSpec> readBytes(const std::vector<uint8_t>& bytes, const ReadOptions& options = {}) {
  return readGguf(writeTemp(bytes, "test.gguf"), options);
}

#define EXPECT_ERROR(result, kind, phrase)                                                \
  do {                                                                                    \
    const auto& r_ = (result);                                                            \
    ASSERT_FALSE(r_.ok()) << "expected an error containing: " << (phrase);                \
    EXPECT_EQ(r_.error(), (kind)) << r_.message();                                        \
    EXPECT_NE(r_.message().find(phrase), std::string::npos) << r_.message();              \
    EXPECT_EQ(r_.message().find('\n'), std::string::npos) << "multi-line: " << r_.message(); \
  } while (0)

// ---------------------------------------------------------------------------
// Synthetic files

class GgufVersions : public ::testing::TestWithParam<uint32_t> {};

TEST_P(GgufVersions, ReadsTinyLlama) {
  auto spec = readBytes(tinyLlama(GetParam()).build());
  ASSERT_TRUE(spec.ok()) << spec.message();
  const ModelConfig& c = spec->config;
  EXPECT_EQ(c.dim, kDim);
  EXPECT_EQ(c.n_layers, kLayers);
  EXPECT_EQ(c.n_heads, kHeads);
  EXPECT_EQ(c.n_kv_heads, kKvHeads);
  EXPECT_EQ(c.head_dim, 16u);
  EXPECT_EQ(c.ffn_dim, kFfn);
  EXPECT_EQ(c.vocab_size, kVocab);  // from the token count: no llama.vocab_size key
  EXPECT_EQ(c.max_seq_len, 512u);
  EXPECT_EQ(c.rope_theta, 500000.0f);
  EXPECT_EQ(c.norm_eps, 1e-6f);
  EXPECT_TRUE(c.tied_embeddings);
  EXPECT_FALSE(c.rope_scaling.has_value());
  EXPECT_EQ(spec->name, "Tiny Test");
  EXPECT_EQ(spec->metadata.at("gguf.version"), std::to_string(GetParam()));

  // Tensors: Meta names, outermost-first shapes, checkpoint order.
  ASSERT_EQ(spec->tensors.size(), 2u + 9u * kLayers);
  EXPECT_EQ(spec->tensors[0].name, "tok_embeddings.weight");
  EXPECT_EQ(spec->tensors[0].shape, (std::vector<uint64_t>{kVocab, kDim}));
  const TensorView* wq = spec->findTensor("layers.1.attention.wq.weight");
  ASSERT_NE(wq, nullptr);
  EXPECT_EQ(wq->shape, (std::vector<uint64_t>{kHeads * 16, kDim}));
  std::vector<float> wq_f(wq->numElements());
  ASSERT_TRUE(wq->toFloat(wq_f).ok());
  EXPECT_FLOAT_EQ(wq_f[3], 0.203f);
  const TensorView* w2 = spec->findTensor("layers.0.feed_forward.w2.weight");
  ASSERT_NE(w2, nullptr);
  EXPECT_EQ(w2->dtype, DType::Q8_0);
  EXPECT_EQ(w2->shape, (std::vector<uint64_t>{kDim, kFfn}));
  std::vector<float> w2_f(w2->numElements());
  ASSERT_TRUE(w2->toFloat(w2_f).ok());
  EXPECT_EQ(w2_f[0], -8.0f);
  EXPECT_EQ(w2_f[33], -7.5f);
  EXPECT_NE(spec->findTensor("norm.weight"), nullptr);

  // Tokenizer.
  const TokenizerData& t = spec->tokenizer;
  EXPECT_EQ(t.kind, TokenizerKind::Gpt2Bpe);
  ASSERT_EQ(t.tokens.size(), kVocab);
  EXPECT_EQ(t.tokens[' '], " ");
  EXPECT_EQ(t.tokens[0], std::string(1, '\0'));
  EXPECT_EQ(t.tokens[257], "<|im_end|>");
  ASSERT_EQ(t.merges.size(), 2u);
  EXPECT_EQ(t.merges[0], (std::pair<std::string, std::string>{" ", "t"}));
  ASSERT_EQ(t.special_tokens.size(), 2u);
  EXPECT_EQ(t.special_tokens[1].text, "<|im_end|>");
  EXPECT_EQ(t.special_tokens[1].id, 257u);
  EXPECT_EQ(t.pre_tokenizer, "smollm");
  EXPECT_EQ(t.bos_id, 256u);
  EXPECT_EQ(t.eos_id, 257u);
  EXPECT_FALSE(t.add_bos);
  EXPECT_EQ(spec->chat.kind, ChatFormatKind::ChatML);
  EXPECT_EQ(spec->stop_token_ids, (std::vector<uint32_t>{257}));
}

INSTANTIATE_TEST_SUITE_P(V2andV3, GgufVersions, ::testing::Values(2u, 3u));

TEST(GgufReader, ConfigOnlySkipsTensors) {
  ReadOptions o;
  o.config_only = true;
  auto spec = readBytes(tinyLlama().build(), o);
  ASSERT_TRUE(spec.ok()) << spec.message();
  EXPECT_TRUE(spec->tensors.empty());
  EXPECT_EQ(spec->config.dim, kDim);
  EXPECT_TRUE(spec->config.tied_embeddings);
}

TEST(GgufReader, UntiedOutputAndHeadDimKeys) {
  GgufBuilder b = tinyLlama();
  b.addF32("output.weight", {kDim, kVocab}, 0.9f);
  b.setU32("llama.vocab_size", kVocab);
  b.setU32("llama.rope.dimension_count", 16);
  auto spec = readBytes(b.build());
  ASSERT_TRUE(spec.ok()) << spec.message();
  EXPECT_FALSE(spec->config.tied_embeddings);
  EXPECT_EQ(spec->config.head_dim, 16u);
  EXPECT_NE(spec->findTensor("output.weight"), nullptr);
}

TEST(GgufReader, Llama31RopeFactors) {
  // What llama.cpp's converter stores for factor 8, low 1, high 4, original 8192.
  GgufBuilder b = tinyLlama();
  ModelConfig c;
  c.rope_theta = 500000.0f;
  c.head_dim = 16;
  GgufBuilder::Tensor t{"rope_freqs.weight", {8}, 0, {}, 0};
  for (uint32_t i = 0; i < 8; ++i) {
    const double wavelen = 2 * M_PI * std::pow(500000.0, 2.0 * i / 16);
    const double smooth = (8192 / wavelen - 1) / 3;
    const double v = wavelen < 2048 ? 1.0 : wavelen > 8192 ? 8.0 : 1 / ((1 - smooth) / 8 + smooth);
    GgufBuilder::pod(t.data, float(v));
  }
  b.addTensor(t);
  auto spec = readBytes(b.build());
  ASSERT_TRUE(spec.ok()) << spec.message();
  ASSERT_TRUE(spec->config.rope_scaling.has_value());
  EXPECT_EQ(spec->config.rope_scaling->factor, 8.0f);
  EXPECT_EQ(spec->findTensor("rope_freqs.weight"), nullptr);

  // Arbitrary factors are refused, not ignored.
  b.tensor("rope_freqs.weight")->data.assign(8 * 4, 0);
  std::memcpy(b.tensor("rope_freqs.weight")->data.data(), "\x00\x00\x00\x41", 4);  // 8.0, then zeros
  EXPECT_ERROR(readBytes(b.build()), Error::Unsupported, "not Llama 3.1-style");
}

TEST(GgufReader, ParsesAllValueTypesAndNestedArrays) {
  GgufBuilder b = tinyLlama();
  std::vector<uint8_t> v;
  GgufBuilder::pod<uint32_t>(v, 9);  // array of arrays of u16
  GgufBuilder::pod<uint32_t>(v, 9);
  GgufBuilder::pod<uint64_t>(v, 2);
  for (int i = 0; i < 2; ++i) {
    GgufBuilder::pod<uint32_t>(v, 2);
    GgufBuilder::pod<uint64_t>(v, 3);
    for (uint16_t x = 0; x < 3; ++x) GgufBuilder::pod<uint16_t>(v, uint16_t(10 * i + x));
  }
  b.setRaw("test.nested", v);
  auto scalar = [&](const std::string& key, uint32_t type, const auto& value) {
    std::vector<uint8_t> s;
    GgufBuilder::pod(s, type);
    GgufBuilder::pod(s, value);
    b.setRaw(key, s);
  };
  scalar("test.u8", 0, uint8_t(200));
  scalar("test.i8", 1, int8_t(-5));
  scalar("test.u16", 2, uint16_t(60000));
  scalar("test.i16", 3, int16_t(-300));
  scalar("test.i32", 5, int32_t(-70000));
  scalar("test.u64", 10, uint64_t(1) << 40);
  scalar("test.i64", 11, int64_t(-1) << 40);
  scalar("test.f64", 12, 2.5);
  const auto bytes = b.build();
  auto f = parseGguf(bytes, "mem.gguf");
  ASSERT_TRUE(f.ok()) << f.message();
  EXPECT_EQ(f->find("test.u8")->asUint(), 200u);
  EXPECT_EQ(f->find("test.i8")->asInt(), -5);
  EXPECT_EQ(f->find("test.u16")->asUint(), 60000u);
  EXPECT_EQ(f->find("test.i16")->asInt(), -300);
  EXPECT_EQ(f->find("test.i32")->asInt(), -70000);
  EXPECT_FALSE(f->find("test.i32")->asUint().has_value());
  EXPECT_EQ(f->find("test.u64")->asUint(), uint64_t(1) << 40);
  EXPECT_EQ(f->find("test.i64")->asInt(), int64_t(-1) << 40);
  EXPECT_EQ(f->find("test.f64")->asFloat(), 2.5);
  EXPECT_EQ(f->find("llama.rope.freq_base")->type, GgufType::F32);
  EXPECT_EQ(f->find("tokenizer.ggml.add_bos_token")->asBool(), false);
  const GgufArray* outer = f->find("test.nested")->asArray();
  ASSERT_NE(outer, nullptr);
  ASSERT_EQ(outer->size(), 2u);
  EXPECT_EQ((*outer)[1].asArray()->at(2).asUint(), 12u);
  EXPECT_EQ(f->alignment, 32u);
  EXPECT_EQ(f->data_offset % 32, 0u);
  EXPECT_TRUE(readBytes(bytes).ok());  // unknown keys are fine
}

TEST(GgufReader, NameMapping) {
  EXPECT_EQ(ggufToMetaName("blk.12.attn_output.weight"), "layers.12.attention.wo.weight");
  EXPECT_EQ(ggufToMetaName("blk.0.ffn_gate.weight"), "layers.0.feed_forward.w1.weight");
  EXPECT_EQ(ggufToMetaName("output_norm.weight"), "norm.weight");
  EXPECT_FALSE(ggufToMetaName("blk.0.attn_q.bias").has_value());
  EXPECT_FALSE(ggufToMetaName("blk.x.attn_q.weight").has_value());
}

// ---------------------------------------------------------------------------
// Bad input: each must give a one-line error of the right kind, never a crash.

TEST(GgufBadInput, TruncatedHeader) {
  auto bytes = tinyLlama().build();
  EXPECT_ERROR(readBytes({bytes.begin(), bytes.begin() + 3}), Error::InvalidCheckpoint, "too short for a GGUF header");
  EXPECT_ERROR(readBytes({bytes.begin(), bytes.begin() + 12}), Error::InvalidCheckpoint,
               "file ends at byte 12 while reading the tensor count");
  EXPECT_ERROR(readBytes({bytes.begin(), bytes.begin() + 200}), Error::InvalidCheckpoint,
               "header claims 20 tensors and 19 keys, more than the 176 bytes left can hold");
  EXPECT_ERROR(readBytes({bytes.begin(), bytes.begin() + 3000}), Error::InvalidCheckpoint,
               "file ends at byte 3000 while reading a string value");
}

TEST(GgufBadInput, WrongMagic) {
  GgufBuilder b = tinyLlama();
  b.magic = 0x46554746;
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "not a GGUF file");
}

TEST(GgufBadInput, Versions1And99) {
  for (uint32_t v : {0u, 1u, 99u}) {
    GgufBuilder b = tinyLlama(v);
    EXPECT_ERROR(readBytes(b.build()), Error::Unsupported,
                 "GGUF version " + std::to_string(v) + " is not supported");
  }
}

TEST(GgufBadInput, TensorDataPastEndOfFile) {
  auto bytes = tinyLlama().build();
  bytes.resize(bytes.size() - 100);
  EXPECT_ERROR(readBytes(bytes), Error::InvalidCheckpoint, "run past the end of the file");
  EXPECT_ERROR(readBytes(bytes), Error::InvalidCheckpoint, "'output_norm.weight'");
}

TEST(GgufBadInput, UnknownGgmlType) {
  GgufBuilder b = tinyLlama();
  b.tensor("blk.0.attn_q.weight")->type = 99;
  EXPECT_ERROR(readBytes(b.build()), Error::Unsupported, "ggml type 99 is not supported");
  b.tensor("blk.0.attn_q.weight")->type = 10;  // Q2_K: real GGML, not supported here
  EXPECT_ERROR(readBytes(b.build()), Error::Unsupported, "ggml type 10 is not supported");
}

TEST(GgufBadInput, HugeStringLength) {
  GgufBuilder b = tinyLlama();
  std::vector<uint8_t> v;
  GgufBuilder::pod<uint32_t>(v, 8);
  GgufBuilder::pod<uint64_t>(v, uint64_t(1) << 60);
  b.setRaw("general.name", v);
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "more than the");
}

TEST(GgufBadInput, HugeArrayCountAndDeepNesting) {
  GgufBuilder b = tinyLlama();
  std::vector<uint8_t> v;
  GgufBuilder::pod<uint32_t>(v, 9);
  GgufBuilder::pod<uint32_t>(v, 10);
  GgufBuilder::pod<uint64_t>(v, uint64_t(1) << 50);
  b.setRaw("test.huge", v);
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "claims 1125899906842624 u64 elements");

  GgufBuilder d = tinyLlama();
  std::vector<uint8_t> deep;
  GgufBuilder::pod<uint32_t>(deep, 9);  // value type: array
  for (int i = 0; i < 20; ++i) {        // each level: elem_type array, count 1
    GgufBuilder::pod<uint32_t>(deep, 9);
    GgufBuilder::pod<uint64_t>(deep, 1);
  }
  GgufBuilder::pod<uint32_t>(deep, 0);  // innermost: one u8
  GgufBuilder::pod<uint64_t>(deep, 1);
  GgufBuilder::pod<uint8_t>(deep, 7);
  d.setRaw("test.deep", deep);
  EXPECT_ERROR(readBytes(d.build()), Error::InvalidCheckpoint, "nested more than");
}

TEST(GgufBadInput, MetadataMemoryIsCapped) {
  // 12M u8 elements: 12 MB in the file, but over 512 MiB once decoded.
  GgufBuilder b = tinyLlama();
  std::vector<uint8_t> v;
  GgufBuilder::pod<uint32_t>(v, 9);
  GgufBuilder::pod<uint32_t>(v, 0);
  GgufBuilder::pod<uint64_t>(v, 12u << 20);
  v.resize(v.size() + (12u << 20));
  b.setRaw("test.big", v);
  const auto bytes = b.build();
  EXPECT_ERROR(parseGguf(bytes, "mem.gguf"), Error::InvalidCheckpoint, "would take more than 512 MiB in memory");
}

TEST(GgufBadInput, TooManyDimensions) {
  GgufBuilder b = tinyLlama();
  GgufBuilder::Tensor* t = b.tensor("blk.0.attn_norm.weight");
  t->ne = {kDim, 1, 1, 1, 1};
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "has 5 dimensions");
}

TEST(GgufBadInput, ShapeDisagreesWithConfig) {
  GgufBuilder b = tinyLlama();
  b.setU32("llama.feed_forward_length", 128);
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "the config implies");
}

TEST(GgufBadInput, MissingRequiredKey) {
  GgufBuilder b = tinyLlama();
  b.erase("llama.block_count");
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "missing required key 'llama.block_count'");
  b = tinyLlama();
  b.erase("general.architecture");
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "missing required key 'general.architecture'");
}

TEST(GgufBadInput, ArchitectureNotLlama) {
  GgufBuilder b = tinyLlama();
  b.setString("general.architecture", "qwen2");
  EXPECT_ERROR(readBytes(b.build()), Error::Unsupported, "architecture 'qwen2' is not supported");
}

TEST(GgufBadInput, KeyOfWrongType) {
  GgufBuilder b = tinyLlama();
  b.setString("llama.embedding_length", "64");
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "key 'llama.embedding_length' should be");
}

// llama.* keys that change the math and that LAC does not implement are
// refused by name unless off; unknown llama.* keys are refused too.
TEST(GgufBadInput, MathKeysLacDoesNotImplement) {
  struct Case {
    const char* key;
    float value;
  };
  for (Case c : {Case{"llama.expert_count", 8}, Case{"llama.expert_used_count", 2}, Case{"llama.logit_scale", 0.5f},
                 Case{"llama.attention.clamp_kqv", 8}, Case{"llama.attention.max_alibi_bias", 8},
                 Case{"llama.attention.sliding_window", 4096}, Case{"llama.attention.layer_norm_epsilon", 1e-5f},
                 Case{"llama.embedding_scale", 12}, Case{"llama.residual_scale", 0.2f},
                 Case{"llama.rope.scaling.attn_factor", 1.2f}}) {
    SCOPED_TRACE(c.key);
    GgufBuilder b = tinyLlama();
    b.setF32(c.key, c.value);
    EXPECT_ERROR(readBytes(b.build()), Error::Unsupported,
                 std::string("'") + c.key + "' is set; that changes the model's math");
  }
  // Off values are accepted: no experts, neutral scales.
  GgufBuilder off = tinyLlama();
  off.setU32("llama.expert_count", 0);
  off.setF32("llama.residual_scale", 1.0f);
  EXPECT_TRUE(readBytes(off.build()).ok());
  GgufBuilder unknown = tinyLlama();
  unknown.setF32("llama.attention.mystery_factor", 2.0f);
  EXPECT_ERROR(readBytes(unknown.build()), Error::Unsupported, "unknown key 'llama.attention.mystery_factor'");
  GgufBuilder yarn = tinyLlama();
  yarn.setString("llama.rope.scaling.type", "yarn");
  yarn.setF32("llama.rope.scaling.factor", 4.0f);
  EXPECT_ERROR(readBytes(yarn.build()), Error::Unsupported, "RoPE scaling type 'yarn' is not supported");
}

TEST(GgufBadInput, UnknownTensorRefused) {
  GgufBuilder b = tinyLlama();
  b.addF32("blk.0.attn_q.bias", {64}, 0.0f);
  EXPECT_ERROR(readBytes(b.build()), Error::Unsupported, "'blk.0.attn_q.bias' has no counterpart");
  b = tinyLlama();
  b.addF32("blk.7.attn_norm.weight", {64}, 0.0f);
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "is for layer 7 but llama.block_count is 2");
}

TEST(GgufBadInput, DuplicatesAndMisalignment) {
  GgufBuilder b = tinyLlama();
  b.addF32("output_norm.weight", {kDim}, 1.0f);
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "appears twice");
  b = tinyLlama();
  b.alignment = 16;  // the writer pads to 16 while the file (default 32) promises 32
  b.addTensor({"x1", {20}, 0, std::vector<uint8_t>(80), 0});
  b.addTensor({"x2", {20}, 0, std::vector<uint8_t>(80), 0});
  auto bytes = b.build();
  auto r = parseGguf(bytes, "mem.gguf");
  EXPECT_ERROR(r, Error::InvalidCheckpoint, "is not a multiple of the alignment");
}

TEST(GgufBadInput, TokenizerProblems) {
  GgufBuilder b = tinyLlama();
  b.setString("tokenizer.ggml.model", "llama");
  EXPECT_ERROR(readBytes(b.build()), Error::Unsupported, "tokenizer model 'llama' is not supported");
  b = tinyLlama();
  b.setStrings("tokenizer.ggml.merges", {"Ġt"});
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "merge 0 ('Ġt')");
  b = tinyLlama();
  b.setU32("tokenizer.ggml.eos_token_id", 9999);
  EXPECT_ERROR(readBytes(b.build()), Error::InvalidCheckpoint, "outside the vocabulary");
}

// ---------------------------------------------------------------------------
// The real SmolLM2-135M-Instruct Q4_1 file

std::string smolLmPath() {
  const char* cache = std::getenv("LAC_MODEL_CACHE");
  const char* home = std::getenv("HOME");
  std::string dir = cache ? cache : (home ? std::string(home) + "/.cache/lac" : "");
  std::string p = dir + "/SmolLM2-135M-Instruct.Q4_1.gguf";
  return std::filesystem::exists(p) ? p : "";
}

TEST(GgufSmolLM2, ConfigTokenizerAndChat) {
  const std::string path = smolLmPath();
  if (path.empty()) GTEST_SKIP() << "SmolLM2-135M-Instruct.Q4_1.gguf not in $LAC_MODEL_CACHE or ~/.cache/lac";
  auto spec = readModel(path);
  ASSERT_TRUE(spec.ok()) << spec.message();
  const ModelConfig& c = spec->config;
  EXPECT_EQ(c.dim, 576u);
  EXPECT_EQ(c.n_layers, 30u);
  EXPECT_EQ(c.n_heads, 9u);
  EXPECT_EQ(c.n_kv_heads, 3u);
  EXPECT_EQ(c.head_dim, 64u);
  EXPECT_EQ(c.ffn_dim, 1536u);
  EXPECT_EQ(c.vocab_size, 49152u);
  EXPECT_EQ(c.rope_theta, 100000.0f);
  EXPECT_EQ(c.max_seq_len, 8192u);
  EXPECT_TRUE(c.tied_embeddings);
  EXPECT_EQ(spec->tensors.size(), 272u);

  const TokenizerData& t = spec->tokenizer;
  EXPECT_EQ(t.kind, TokenizerKind::Gpt2Bpe);
  EXPECT_EQ(t.tokens.size(), 49152u);
  EXPECT_EQ(t.merges.size(), 48900u);
  EXPECT_EQ(t.pre_tokenizer, "smollm");
  EXPECT_EQ(t.special_tokens.size(), 17u);
  EXPECT_EQ(t.bos_id, 1u);
  EXPECT_EQ(t.eos_id, 2u);
  EXPECT_EQ(t.tokens[2], "<|im_end|>");
  EXPECT_EQ(spec->chat.kind, ChatFormatKind::ChatML);
  EXPECT_EQ(spec->chat.default_system_prompt, "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
  EXPECT_NE(std::find(spec->stop_token_ids.begin(), spec->stop_token_ids.end(), 2u), spec->stop_token_ids.end());
}

TEST(GgufSmolLM2, DequantizesQ4_1LikeGgufPy) {
  const std::string path = smolLmPath();
  if (path.empty()) GTEST_SKIP() << "SmolLM2-135M-Instruct.Q4_1.gguf not in $LAC_MODEL_CACHE or ~/.cache/lac";
  auto spec = readModel(path);
  ASSERT_TRUE(spec.ok()) << spec.message();
  const TensorView* wq = spec->findTensor("layers.0.attention.wq.weight");
  ASSERT_NE(wq, nullptr);
  ASSERT_EQ(wq->dtype, DType::Q4_1);
  ASSERT_EQ(wq->shape, (std::vector<uint64_t>{576, 576}));
  // Expected values from gguf-py 0.19:
  //   r = gguf.GGUFReader(path); t = <blk.0.attn_q.weight>
  //   x = gguf.quants.dequantize(np.asarray(t.data), t.tensor_type)  # shape (576, 576)
  struct Probe {
    uint64_t row, col;
    float value;
  };
  const Probe probes[] = {{0, 0, -0.0963134765625f}, {0, 1, 0.1573486328125f}, {0, 31, -0.0963134765625f},
                          {0, 32, -0.34619140625f},  {5, 100, -0.296875f},      {575, 575, -0.255859375f}};
  const uint64_t row_bytes = *rowBytes(DType::Q4_1, 576);
  const TensorPiece& piece = wq->pieces.at(0);
  for (const Probe& p : probes) {
    std::vector<float> row(576);
    ASSERT_TRUE(dequantizeRow(DType::Q4_1, piece.file->data() + piece.offset + p.row * row_bytes, row.data(), 576).ok());
    EXPECT_EQ(row[p.col], p.value) << "row " << p.row << " col " << p.col;
  }
}

}  // namespace
}  // namespace lac::import
