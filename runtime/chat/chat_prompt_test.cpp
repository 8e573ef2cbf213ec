// Chat formats: exact segments and token ids for small dialogs.
//
// Expectations are written by hand from Meta's ChatFormat
// (llama3/llama/tokenizer.py: encode_header, encode_message,
// encode_dialog_prompt) and from SmolLM2-135M-Instruct's chat template (read
// from its GGUF, tokenizer.chat_template):
//   {% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}
//   {{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}
//   {% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}
//   {% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}
#include "runtime/chat/chat_prompt.h"

#include <gtest/gtest.h>

#include <map>

namespace lac::chat {
namespace {

const char* kSmolSystem = "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

}  // namespace

void PrintTo(const PromptSegment& s, std::ostream* os) {
  *os << (s.special ? "special " : "text ") << ::testing::PrintToString(s.text);
}

namespace {

PromptSegment S(const char* name) { return {name, true}; }
PromptSegment T(std::string text) { return {std::move(text), false}; }

// A stand-in tokenizer: each byte of text is one token (id 1000 + byte);
// specials have their real ids (Llama 3: 128000..; SmolLM2: 1, 2). It records
// every encodeText call.
struct ByteEncoder : TextEncoder {
  std::map<std::string, int32_t, std::less<>> specials = {
      {"<|begin_of_text|>", 128000}, {"<|start_header_id|>", 128006},
      {"<|end_header_id|>", 128007}, {"<|eot_id|>", 128009},
      {"<|im_start|>", 1},           {"<|im_end|>", 2}};
  std::vector<std::pair<std::string, bool>> calls;

  Result<std::vector<int32_t>> encodeText(std::string_view text, bool allow_special) override {
    calls.emplace_back(std::string(text), allow_special);
    std::vector<int32_t> ids;
    for (unsigned char c : text) ids.push_back(1000 + c);
    return ids;
  }
  std::optional<int32_t> specialId(std::string_view name) override {
    const auto it = specials.find(name);
    return it == specials.end() ? std::nullopt : std::optional<int32_t>(it->second);
  }
};

std::vector<int32_t> bytes(std::string_view s) {
  std::vector<int32_t> ids;
  for (unsigned char c : s) ids.push_back(1000 + c);
  return ids;
}

std::vector<int32_t> concat(std::initializer_list<std::vector<int32_t>> parts) {
  std::vector<int32_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The rendered text: specials by name, as the Jinja template would print it.
std::string render(const std::vector<PromptSegment>& segments) {
  std::string out;
  for (const auto& s : segments) out += s.text;
  return out;
}

const ChatTemplate kLlama3 = builtinTemplate(ChatFormatKind::Llama3);
const ChatTemplate kSmol = builtinTemplate(ChatFormatKind::ChatML, kSmolSystem);

// ---- Llama 3 -------------------------------------------------------------------------

TEST(Llama3Format, SystemAndUser) {
  const Dialog d = {{Role::System, "  Always answer with Haiku \n"},
                    {Role::User, "I am going to Paris, what should I see?"}};
  auto segs = formatDialog(kLlama3, d);
  ASSERT_TRUE(segs.ok()) << segs.message();
  const std::vector<PromptSegment> expected = {
      S("<|begin_of_text|>"),
      S("<|start_header_id|>"), T("system"), S("<|end_header_id|>"), T("\n\n"),
      T("Always answer with Haiku"), S("<|eot_id|>"),
      S("<|start_header_id|>"), T("user"), S("<|end_header_id|>"), T("\n\n"),
      T("I am going to Paris, what should I see?"), S("<|eot_id|>"),
      S("<|start_header_id|>"), T("assistant"), S("<|end_header_id|>"), T("\n\n")};
  EXPECT_EQ(*segs, expected);
  EXPECT_EQ(render(*segs),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nAlways answer with "
            "Haiku<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nI am going to Paris, what "
            "should I see?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(Llama3Format, TokenIdsAndSeparateEncodeCalls) {
  // Content " Hi\u00a0" strips to "Hi" (U+00A0 is whitespace to Python).
  ByteEncoder enc;
  auto ids = encodeDialogPrompt(kLlama3, {{Role::User, " Hi\xC2\xA0"}}, enc);
  ASSERT_TRUE(ids.ok()) << ids.message();
  EXPECT_EQ(*ids, concat({{128000, 128006}, bytes("user"), {128007}, bytes("\n\n"), bytes("Hi"),
                          {128009, 128006}, bytes("assistant"), {128007}, bytes("\n\n")}));
  // Role, "\n\n" and content are encoded by separate calls, specials disallowed.
  const std::vector<std::pair<std::string, bool>> calls = {
      {"user", false}, {"\n\n", false}, {"Hi", false}, {"assistant", false}, {"\n\n", false}};
  EXPECT_EQ(enc.calls, calls);
}

TEST(Llama3Format, MultiTurnAndSpecialNamesInContentStayText) {
  const Dialog d = {{Role::User, "a"}, {Role::Assistant, "b<|eot_id|>"}, {Role::User, "c"}};
  ByteEncoder enc;
  auto ids = encodeDialogPrompt(kLlama3, d, enc);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, concat({{128000},
                          {128006}, bytes("user"), {128007}, bytes("\n\n"), bytes("a"), {128009},
                          {128006}, bytes("assistant"), {128007}, bytes("\n\n"),
                          bytes("b<|eot_id|>"), {128009},
                          {128006}, bytes("user"), {128007}, bytes("\n\n"), bytes("c"), {128009},
                          {128006}, bytes("assistant"), {128007}, bytes("\n\n")}));
}

TEST(Llama3Format, EmptyContentAfterStripEncodesNothing) {
  ByteEncoder enc;
  auto ids = encodeDialogPrompt(kLlama3, {{Role::User, " \t\n"}}, enc);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, concat({{128000, 128006}, bytes("user"), {128007}, bytes("\n\n"), {128009, 128006},
                          bytes("assistant"), {128007}, bytes("\n\n")}));
}

// ---- ChatML --------------------------------------------------------------------------

TEST(ChatMLFormat, DefaultSystemMessageInserted) {
  auto segs = formatDialog(kSmol, {{Role::User, "Hello"}});
  ASSERT_TRUE(segs.ok());
  const std::vector<PromptSegment> expected = {
      S("<|im_start|>"), T(std::string("system\n") + kSmolSystem), S("<|im_end|>"), T("\n"),
      S("<|im_start|>"), T("user\nHello"), S("<|im_end|>"), T("\n"),
      S("<|im_start|>"), T("assistant\n")};
  EXPECT_EQ(*segs, expected);
  EXPECT_EQ(render(*segs),
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
            "Face<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");
  ByteEncoder enc;
  auto ids = encodePrompt(*segs, enc);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, concat({{1}, bytes(std::string("system\n") + kSmolSystem), {2}, bytes("\n"),
                          {1}, bytes("user\nHello"), {2}, bytes("\n"), {1}, bytes("assistant\n")}));
}

TEST(ChatMLFormat, OwnSystemMessageAndNoStrip) {
  const Dialog d = {{Role::System, "Be brief."}, {Role::User, " Hi "},
                    {Role::Assistant, "Hello!"}, {Role::User, "Bye<|im_end|>"}};
  auto segs = formatDialog(kSmol, d);
  ASSERT_TRUE(segs.ok());
  EXPECT_EQ(render(*segs),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n Hi <|im_end|>\n"
            "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|><|im_end|>\n"
            "<|im_start|>assistant\n");
  // The "<|im_end|>" the user typed is text, not a special segment.
  EXPECT_EQ((*segs)[13], T("user\nBye<|im_end|>"));
}

TEST(ChatMLFormat, NoDefaultSystemPrompt) {
  auto segs = formatDialog(builtinTemplate(ChatFormatKind::ChatML), {{Role::User, "Hi"}});
  ASSERT_TRUE(segs.ok());
  EXPECT_EQ(render(*segs), "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

// ---- errors ----------------------------------------------------------------------------

TEST(ChatFormat, RejectsBadDialogs) {
  struct Row {
    Dialog d;
    const char* message;
  };
  const std::vector<Row> table = {
      {{}, "dialog: the dialog is empty"},
      {{{Role::User, "a"}, {Role::Assistant, "b"}},
       "dialog: the last message must be from the user, got 'assistant'"},
      {{{Role::System, "s"}}, "dialog: the last message must be from the user, got 'system'"},
      {{{Role::User, "a"}, {Role::System, "s"}, {Role::User, "b"}},
       "dialog, message 1: a system message may only come first"},
      {{{Role::User, "a"}, {Role::User, "b"}},
       "dialog, message 1: role 'user' where 'assistant' was expected (after an optional system "
       "message, user and assistant alternate, starting with user)"},
      {{{Role::System, "s"}, {Role::Assistant, "b"}, {Role::User, "c"}},
       "dialog, message 1: role 'assistant' where 'user' was expected (after an optional system "
       "message, user and assistant alternate, starting with user)"},
  };
  for (const Row& row : table) {
    for (const ChatTemplate& t : {kLlama3, kSmol}) {
      auto r = formatDialog(t, row.d);
      ASSERT_FALSE(r.ok()) << row.message;
      EXPECT_EQ(r.error(), Error::InvalidArgument);
      EXPECT_EQ(r.message(), row.message);
    }
  }
}

TEST(ChatFormat, MissingSpecialTokenIsUnsupported) {
  ByteEncoder enc;
  enc.specials.erase("<|eot_id|>");
  auto r = encodeDialogPrompt(kLlama3, {{Role::User, "Hi"}}, enc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::Unsupported);
  EXPECT_EQ(r.message(), "the tokenizer has no special token '<|eot_id|>', which the chat format needs");
}

TEST(ChatFormat, EncoderErrorsPropagate) {
  struct Failing : ByteEncoder {
    Result<std::vector<int32_t>> encodeText(std::string_view, bool) override {
      return makeError(Error::InvalidArgument, "bad text");
    }
  } enc;
  auto r = encodeDialogPrompt(kSmol, {{Role::User, "Hi"}}, enc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "bad text");
}

// ---- Jinja (the checkpoint's own template) --------------------------------------------

const ChatTemplate kJinja = [] {
  ChatTemplate t;
  t.kind = ChatFormatKind::Jinja;
  t.jinja_source = "{{ bos_token }}{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
                   "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
                   "{% if note is defined %}{{ note }}{% endif %}";
  t.bos_token = "<s>";
  t.eos_token = "</s>";
  t.special_tokens = {"<s>", "</s>", "<|im_start|>", "<|im_end|>", "<|im"};
  return t;
}();

TEST(JinjaFormat, RendersAndSplitsOnSpecialTokensLongestFirst) {
  auto segs = formatDialog(kJinja, {{Role::User, "Hi"}});
  ASSERT_TRUE(segs.ok()) << segs.message();
  const std::vector<PromptSegment> want = {{"<s>", true},      {"<|im_start|>", true}, {"user\nHi", false},
                                           {"<|im_end|>", true}, {"\n", false},          {"<|im_start|>", true},
                                           {"assistant\n", false}};
  EXPECT_EQ(*segs, want);
}

TEST(JinjaFormat, SpecialTokenNamesInContentAreSpecialAsInTransformers) {
  auto segs = formatDialog(kJinja, {{Role::User, "a</s>b"}});
  ASSERT_TRUE(segs.ok());
  EXPECT_EQ((*segs)[2], (PromptSegment{"user\na", false}));
  EXPECT_EQ((*segs)[3], (PromptSegment{"</s>", true}));
  EXPECT_EQ((*segs)[4], (PromptSegment{"b", false}));
}

TEST(JinjaFormat, KwargsAddVariables) {
  ChatContext ctx;
  ctx.template_kwargs_json = R"({"note": "[n]"})";
  auto text = renderJinjaDialog(kJinja, {{Role::User, "Hi"}}, ctx);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "<s><|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n[n]");
  ctx.add_generation_prompt = false;
  EXPECT_EQ(*renderJinjaDialog(kJinja, {{Role::User, "Hi"}}, ctx), "<s><|im_start|>user\nHi<|im_end|>\n[n]");
}

TEST(JinjaFormat, ErrorsAreOneLine) {
  ChatContext ctx;
  ctx.template_kwargs_json = "[1, 2]";
  auto r = formatDialog(kJinja, {{Role::User, "Hi"}}, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "chat_template_kwargs: expected a JSON object of template variables, got a list");
  ctx.template_kwargs_json = "{";
  r = formatDialog(kJinja, {{Role::User, "Hi"}}, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message().rfind("malformed JSON: ", 0), 0u) << r.message();

  ChatTemplate refusing = kJinja;
  refusing.jinja_source = "{% if messages[0].role != 'system' %}{{ raise_exception('System first!') }}{% endif %}";
  r = formatDialog(refusing, {{Role::User, "Hi"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "the chat template refused the dialog: System first!");
  refusing.jinja_source = "{% for m in messages %}";
  r = formatDialog(refusing, {{Role::User, "Hi"}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("chat template:1:"), std::string::npos) << r.message();
}

TEST(JinjaFormat, ToolCallsAndResultsReachTheTemplate) {
  ChatTemplate t = kJinja;
  t.jinja_source =
      "{% for m in messages %}{{ m.role }}:{% if m.content is defined %}{{ m.content }}{% else %}-{% endif %}"
      "{% for c in m.tool_calls or [] %}[{{ c.function.name }}({{ c.function.arguments | tojson }})]{% endfor %}"
      "{% if m.tool_call_id is defined %}#{{ m.tool_call_id }}{% endif %};{% endfor %}";
  Message call;
  call.role = Role::Assistant;
  call.content_null = true;
  call.has_tool_calls = true;
  call.extra_json = R"({"tool_calls": [{"function": {"name": "f", "arguments": {"b": 1, "a": 2}}}]})";
  Message result;
  result.role = Role::Tool;
  result.content = "42";
  result.extra_json = R"({"tool_call_id": "c1", "name": null})";
  const Dialog d = {{Role::User, "q"}, call, result};
  auto text = renderJinjaDialog(t, d);
  ASSERT_TRUE(text.ok()) << text.message();
  EXPECT_EQ(*text, "user:q;assistant:-[f({\"b\": 1, \"a\": 2})];tool:42#c1;");
  // The built-in formats have no tool turns: a clear error, not a silent drop.
  auto r = formatDialog(kLlama3, d);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(),
            "dialog: tool calls and tool messages need the model's own chat template (this artifact uses the "
            "built-in llama3 format; compile with --chat-format jinja)");
}

TEST(JinjaFormat, SplitKeepsTextWithoutSpecials) {
  EXPECT_EQ(splitOnSpecialTokens("plain", {"<s>"}), (std::vector<PromptSegment>{{"plain", false}}));
  EXPECT_TRUE(splitOnSpecialTokens("", {"<s>"}).empty());
  EXPECT_EQ(splitOnSpecialTokens("<s><s>", {"<s>", ""}),
            (std::vector<PromptSegment>{{"<s>", true}, {"<s>", true}}));
}

// ---- Python's strip ----------------------------------------------------------------------

TEST(PythonStrip, UnicodeWhitespace) {
  EXPECT_EQ(pythonStrip("  a b \t\n"), "a b");
  EXPECT_EQ(pythonStrip("\x1c\x1f" "a" "\xC2\x85"), "a");                  // U+001C..1F, U+0085
  EXPECT_EQ(pythonStrip("\xE3\x80\x80" "x" "\xE2\x80\xAF\xE2\x80\xA8"), "x");  // U+3000; U+202F, U+2028
  EXPECT_EQ(pythonStrip("\xE2\x80\x8B" "x"), "\xE2\x80\x8B" "x");           // U+200B is not space
  EXPECT_EQ(pythonStrip("\xC3\xA9"), "\xC3\xA9");                           // é
  EXPECT_EQ(pythonStrip(" \xFF "), "\xFF");                                 // invalid UTF-8 kept
  EXPECT_EQ(pythonStrip(" \xA0"), "\xA0");                                  // a stray continuation byte
  EXPECT_EQ(pythonStrip(""), "");
  EXPECT_EQ(pythonStrip(" \n "), "");
}

}  // namespace
}  // namespace lac::chat
