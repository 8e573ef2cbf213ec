// textCompletion / chatCompletion / the plan's tokenizer, on FakeModel and a
// byte-level tokenizer (256 byte tokens + Llama 3's chat specials).
#include "runtime/generate/completion.h"

#include <gtest/gtest.h>

#include "runtime/artifact/test_plan.h"
#include "runtime/generate/fake_model.h"
#include "runtime/generate/plan_tokenizer.h"

namespace lac::generate {
namespace {

constexpr uint32_t kBos = 256, kEos = 257, kStart = 258, kEnd = 259, kEot = 260, kVocab = 261;

TokenizerData byteTokenizer() {
  TokenizerData d;
  d.kind = TokenizerKind::Tiktoken;
  for (int b = 0; b < 256; ++b) d.tokens.emplace_back(1, char(b));
  const char* names[] = {"<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                         "<|eot_id|>"};
  for (uint32_t i = 0; i < 5; ++i) {
    d.tokens.emplace_back(names[i]);
    d.special_tokens.push_back({names[i], 256 + i});
  }
  d.pre_tokenizer = "none";
  d.bos_id = kBos;
  d.eos_id = kEos;
  d.add_bos = true;
  return d;
}

LoadedModel makeModel(testing::FakeModel*& fake, uint32_t max_batch = 2) {
  auto tok = Tokenizer::create(byteTokenizer());
  EXPECT_TRUE(tok.ok()) << tok.message();
  auto model = std::make_unique<testing::FakeModel>(kVocab, max_batch, 128);
  fake = model.get();
  return LoadedModel{"fake", std::move(tok).value(), chat::builtinTemplate(chat::ChatFormatKind::Llama3),
                     {int32_t(kEot), int32_t(kEos)}, {}, std::move(model)};
}

GenerateOptions greedy(uint32_t n) {
  GenerateOptions o;
  o.temperature = 0;
  o.max_gen_len = n;
  return o;
}

TEST(TextCompletion, DecodesPiecesAndStreams) {
  testing::FakeModel* fake = nullptr;
  LoadedModel m = makeModel(fake);
  std::string streamed;
  GenerateOptions o = greedy(4);
  o.logprobs = true;
  auto r = textCompletion(m, {"ab"}, o, [&](size_t, std::string_view t) { streamed += t; });
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(fake->calls[0].tokens, (std::vector<int32_t>{int32_t(kBos), 'a', 'b'}));  // BOS first
  EXPECT_EQ((*r)[0].generation, "cdef");
  EXPECT_EQ((*r)[0].pieces, (std::vector<std::string>{"c", "d", "e", "f"}));
  EXPECT_EQ((*r)[0].logprobs.size(), 4u);
  EXPECT_EQ(streamed, "cdef");
}

TEST(TextCompletion, StopsAtTheModelsStopTokens) {
  testing::FakeModel* fake = nullptr;
  LoadedModel m = makeModel(fake);
  // greedy counts up: ... 255, then 256 = BOS (not a stop), 257 = EOS stops
  auto r = textCompletion(m, {"\xfe"}, greedy(10));  // not UTF-8 -> error
  EXPECT_EQ(r.error(), Error::InvalidArgument);
  EXPECT_NE(r.message().find("prompt 0"), std::string::npos) << r.message();
  fake->calls.clear();
  auto r2 = generate(*m.model, {{250}}, [] {
    GenerateOptions o;
    o.temperature = 0;
    o.max_gen_len = 20;
    o.stop_ids = {int32_t(kEos)};
    return o;
  }());
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->sequences[0].tokens.back(), int32_t(kBos));
  EXPECT_EQ(r2->sequences[0].finish, FinishReason::Stop);
}

TEST(ChatCompletion, FormatsLlama3AndAnswersAsAssistant) {
  testing::FakeModel* fake = nullptr;
  LoadedModel m = makeModel(fake);
  chat::Dialog d = {{chat::Role::User, "hi"}};
  auto r = chatCompletion(m, {d}, greedy(3));
  ASSERT_TRUE(r.ok()) << r.message();
  // <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant...
  const auto& p = fake->calls[0].tokens;
  ASSERT_GE(p.size(), 4u);
  EXPECT_EQ(p[0], int32_t(kBos));
  EXPECT_EQ(p[1], int32_t(kStart));
  EXPECT_EQ(p.back(), '\n');
  EXPECT_EQ((*r)[0].message.role, chat::Role::Assistant);
  EXPECT_EQ((*r)[0].message.content, "\x0b\x0c\x0d");
}

TEST(ChatCompletion, RejectsADialogNotEndingWithAUserMessage) {
  testing::FakeModel* fake = nullptr;
  LoadedModel m = makeModel(fake);
  chat::Dialog d = {{chat::Role::User, "hi"}, {chat::Role::Assistant, "hello"}};
  auto r = chatCompletion(m, {d}, greedy(3));
  EXPECT_EQ(r.error(), Error::InvalidArgument);
  EXPECT_NE(r.message().find("dialog 0"), std::string::npos) << r.message();
  EXPECT_TRUE(fake->calls.empty());
  m.chat.reset();
  EXPECT_EQ(chatCompletion(m, {{{chat::Role::User, "hi"}}}, greedy(3)).error(), Error::InvalidArgument);
}

TEST(PlanTokenizer, ConvertsThePlansTable) {
  auto plan = artifact::testing::makeTestPlan();
  auto bytes = artifact::testing::pack(*plan);
  const plan::Plan* p = artifact::planOf(bytes.data());
  auto d = tokenizerDataFromPlan(*p);
  ASSERT_TRUE(d.ok()) << d.message();
  EXPECT_EQ(d->kind, TokenizerKind::Gpt2Bpe);
  EXPECT_EQ(d->tokens.size(), plan->tokenizer->tokens.size());
  EXPECT_EQ(d->merges.size(), plan->tokenizer->merges.size());
  EXPECT_EQ(d->pre_tokenizer, "gpt2");
  auto tok = Tokenizer::create(*d);
  EXPECT_TRUE(tok.ok()) << tok.message();
  auto chat = chatTemplateFromPlan(*p);
  ASSERT_TRUE(chat.has_value());
  EXPECT_EQ(chat->kind, chat::ChatFormatKind::ChatML);
  EXPECT_FALSE(stopIdsFromPlan(*p).empty());

  // the HF reader's "regex" and "none" names load
  plan->tokenizer->pre_tokenizer = "regex";
  bytes = artifact::testing::pack(*plan);
  auto d2 = tokenizerDataFromPlan(*artifact::planOf(bytes.data()));
  ASSERT_TRUE(d2.ok());
  EXPECT_TRUE(Tokenizer::create(*d2).ok());
  plan->tokenizer->pre_tokenizer = "none";
  bytes = artifact::testing::pack(*plan);
  auto d3 = tokenizerDataFromPlan(*artifact::planOf(bytes.data()));
  ASSERT_TRUE(d3.ok());
  auto t3 = Tokenizer::create(*d3);
  ASSERT_TRUE(t3.ok()) << t3.message();

  // a merge out of range is an invalid artifact
  plan->tokenizer->merges.push_back(plan::Merge(9999, 0));
  bytes = artifact::testing::pack(*plan);
  EXPECT_EQ(tokenizerDataFromPlan(*artifact::planOf(bytes.data())).error(), Error::InvalidArtifact);
}

}  // namespace
}  // namespace lac::generate
