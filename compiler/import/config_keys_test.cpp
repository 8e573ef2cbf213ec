// config.json and params.json keys: both of transformers' RoPE spellings read
// alike, and every key that changes the math and that LAC does not implement
// is an Unsupported error naming it (never ignored).
//
// The config.json texts start from the ones transformers' save_pretrained
// wrote (test/data/hf-saved/, scripts/goldens/make-hf-saved-models.py) and
// change one key at a time.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "compiler/import/hf_config.h"
#include "compiler/import/meta_params.h"

namespace lac::import {
namespace {

using json = nlohmann::json;

json savedConfig(const std::string& style) {
  const std::string path = std::string(std::getenv("LAC_SOURCE_DIR")) + "/test/data/hf-saved/" + style + "/config.json";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

// One key set to one value, and the phrase its refusal must contain.
struct KeyCase {
  const char* key;
  json value;
  const char* phrase;
};

Result<HfConfig> parse(const json& j) { return parseHfConfig(j.dump(), "config.json"); }

#define EXPECT_UNSUPPORTED(result, phrase)                                              \
  do {                                                                                  \
    const auto& r_ = (result);                                                          \
    ASSERT_FALSE(r_.ok()) << "expected an error containing: " << (phrase);              \
    EXPECT_EQ(r_.status().kind, Error::Unsupported) << r_.status().message;             \
    EXPECT_NE(r_.status().message.find(phrase), std::string::npos) << r_.status().message; \
    EXPECT_EQ(r_.status().message.find('\n'), std::string::npos);                       \
  } while (0)

// transformers 5 ("rope_parameters") and 4 ("rope_theta" + "rope_scaling")
// spellings of one model give one config: theta 500000, llama3 scaling.
TEST(HfConfigKeys, BothRopeStylesReadAlike) {
  for (const char* style : {"rope-parameters", "rope-scaling"}) {
    SCOPED_TRACE(style);
    json j = savedConfig(style);
    EXPECT_EQ(j.contains("rope_parameters"), std::string(style) == "rope-parameters");
    auto r = parse(j);
    ASSERT_TRUE(r.ok()) << r.status().message;
    const ModelConfig& c = r->config;
    EXPECT_FLOAT_EQ(c.rope_theta, 500000.0f);
    ASSERT_TRUE(c.rope_scaling.has_value());
    EXPECT_FLOAT_EQ(c.rope_scaling->factor, 8.0f);
    EXPECT_FLOAT_EQ(c.rope_scaling->low_freq_factor, 1.0f);
    EXPECT_FLOAT_EQ(c.rope_scaling->high_freq_factor, 4.0f);
    EXPECT_EQ(c.rope_scaling->original_max_position, 64u);
    EXPECT_EQ(c.n_kv_heads, 2u);
    EXPECT_FALSE(c.tied_embeddings);
    EXPECT_TRUE(r->warnings.empty()) << r->warnings.front();
  }
}

// The issue's misread: rope_parameters alone used to give theta 10000 and no
// scaling. Default-type rope_parameters carry theta too.
TEST(HfConfigKeys, RopeParametersAloneAndDefaultType) {
  json j = savedConfig("rope-parameters");
  j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 250000.0}};
  auto r = parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message;
  EXPECT_FLOAT_EQ(r->config.rope_theta, 250000.0f);
  EXPECT_FALSE(r->config.rope_scaling.has_value());
}

TEST(HfConfigKeys, DisagreeingSpellingsAreRefused) {
  json j = savedConfig("rope-parameters");
  j["rope_theta"] = 10000.0;
  auto r = parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message.find("rope_theta 10000 and rope_parameters.rope_theta 500000 disagree"),
            std::string::npos)
      << r.status().message;
  j = savedConfig("rope-parameters");
  j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 32.0}, {"low_freq_factor", 1.0},
                       {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 64}};
  r = parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message.find("describe different scalings"), std::string::npos) << r.status().message;
}

TEST(HfConfigKeys, UnsupportedRopeTypes) {
  for (const char* type : {"yarn", "dynamic", "linear", "longrope", "su"}) {
    SCOPED_TRACE(type);
    json j = savedConfig("rope-parameters");
    j["rope_parameters"]["rope_type"] = type;
    EXPECT_UNSUPPORTED(parse(j), std::string("rope_type '") + type + "' is not supported");
    json old = savedConfig("rope-scaling");
    old["rope_scaling"]["rope_type"] = type;
    EXPECT_UNSUPPORTED(parse(old), std::string("rope_type '") + type + "' is not supported");
  }
  json j = savedConfig("rope-parameters");
  j["rope_parameters"]["partial_rotary_factor"] = 0.5;
  EXPECT_UNSUPPORTED(parse(j), "partial_rotary_factor 0.5 is not supported");
  j = savedConfig("rope-scaling");
  j["partial_rotary_factor"] = 0.25;
  EXPECT_UNSUPPORTED(parse(j), "\"partial_rotary_factor\": 0.25 is not supported");
  j = savedConfig("rope-parameters");
  j["rope_parameters"] = {{"full_attention", {{"rope_type", "default"}, {"rope_theta", 1e6}}},
                          {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", 1e4}}}};
  EXPECT_UNSUPPORTED(parse(j), "per-layer-type parameters");
}

TEST(HfConfigKeys, MathKeysLacDoesNotImplement) {
  const KeyCase cases[] = {
      {"attention_bias", true, "\"attention_bias\": true is not supported"},
      {"mlp_bias", true, "\"mlp_bias\": true is not supported"},
      {"hidden_act", "gelu", "\"hidden_act\": \"gelu\" is not supported"},
      {"model_type", "mistral", "model_type 'mistral' is not supported"},
      {"quantization_config", {{"quant_method", "gptq"}, {"bits", 4}}, "\"quantization_config\""},
      {"sliding_window", 4096, "\"sliding_window\": 4096 is not supported"},
      {"num_local_experts", 8, "\"num_local_experts\": 8 is not supported"},
      {"logits_scaling", 8.0, "\"logits_scaling\""},
      {"embedding_multiplier", 12.0, "\"embedding_multiplier\""},
      {"use_qk_norm", true, "\"use_qk_norm\""},
      {"layer_types", json::array({"full_attention", "sliding_attention"}), "only full_attention layers"},
  };
  for (const KeyCase& c : cases) {
    SCOPED_TRACE(c.key);
    json j = savedConfig("rope-parameters");
    j[c.key] = c.value;
    EXPECT_UNSUPPORTED(parse(j), c.phrase);
  }
  // Off values are fine.
  json j = savedConfig("rope-parameters");
  j["sliding_window"] = nullptr;
  j["quantization_config"] = json::object();
  j["layer_types"] = json::array({"full_attention", "full_attention"});
  auto r = parse(j);
  EXPECT_TRUE(r.ok()) << r.status().message;
}

// A head_dim that disagrees with the tensors is caught by the shape check
// (validateSpec); one that is not a positive integer here.
TEST(HfConfigKeys, HeadDimMustBePositive) {
  json j = savedConfig("rope-parameters");
  j["head_dim"] = 0;
  auto r = parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message.find("\"head_dim\" is 0, out of range"), std::string::npos) << r.status().message;
}

TEST(HfConfigKeys, UnknownKeysAreReported) {
  json j = savedConfig("rope-scaling");
  j["my_new_scale"] = 3.0;
  auto r = parse(j);
  ASSERT_TRUE(r.ok()) << r.status().message;
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("keys LAC does not know, ignored: my_new_scale"), std::string::npos)
      << r->warnings[0];
}

// ---- params.json -----------------------------------------------------------------

constexpr const char* kLlama31Params = R"({"dim": 4096, "n_layers": 32, "n_heads": 32, "n_kv_heads": 8,
  "vocab_size": 128256, "ffn_dim_multiplier": 1.3, "multiple_of": 1024, "norm_eps": 1e-05,
  "rope_theta": 500000.0, "use_scaled_rope": true})";

TEST(MetaParamsKeys, Llama31Reads) {
  auto r = parseMetaParams(kLlama31Params, "params.json");
  ASSERT_TRUE(r.ok()) << r.status().message;
  EXPECT_EQ(r->ffn_dim, 14336u);
  EXPECT_TRUE(r->rope_scaling.has_value());
}

TEST(MetaParamsKeys, UnsupportedAndUnknownKeys) {
  const KeyCase cases[] = {
      {"moe_args", {{"num_experts", 16}}, "'moe_args': {\"num_experts\":16} is not supported"},
      {"use_qk_norm", true, "'use_qk_norm': true is not supported"},
      {"quantization_args", {{"scheme", "int4_weight_int8_dynamic_activation"}}, "'quantization_args'"},
      {"vision_chunk_size", 560, "'vision_chunk_size': 560"},
      {"attention_chunk_size", 8192, "'attention_chunk_size'"},
      {"mystery", 1, "unknown key 'mystery'"},
  };
  for (const KeyCase& c : cases) {
    SCOPED_TRACE(c.key);
    json j = json::parse(kLlama31Params);
    j[c.key] = c.value;
    EXPECT_UNSUPPORTED(parseMetaParams(j.dump(), "params.json"), c.phrase);
  }
  json off = json::parse(kLlama31Params);
  off["use_qk_norm"] = false;
  off["lora_args"] = nullptr;
  off["max_batch_size"] = 32;
  auto r = parseMetaParams(off.dump(), "params.json");
  EXPECT_TRUE(r.ok()) << r.status().message;
}

TEST(MetaParamsKeys, MalformedText) {
  auto r = parseMetaParams("{\"dim\": ", "params.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind, Error::InvalidCheckpoint);
  r = parseMetaParams(R"({"dim": 64, "n_layers": 1, "n_heads": 4, "norm_eps": 0})", "params.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message.find("must be positive"), std::string::npos) << r.status().message;
}

}  // namespace
}  // namespace lac::import
