// Dialog JSON: Meta's format parses; every malformed input gets its one-line error.
#include "runtime/chat/dialog_json.h"

#include <gtest/gtest.h>

namespace lac::chat {
namespace {

TEST(DialogJson, ParsesMetasExample) {
  const char* text = R"([
    [{"role": "user", "content": "what is the recipe of mayonnaise?"}],
    [{"role": "system", "content": "Always answer with Haiku"},
     {"role": "user", "content": "I am going to Paris, what should I see?"}],
    [{"role": "user", "content": "I am going to Paris, what should I see?"},
     {"role": "assistant", "content": "Paris, the capital of France...", "extra": 1},
     {"role": "user", "content": "What is so great about #1?"}]
  ])";
  auto dialogs = parseDialogs(text, "dialogs.json");
  ASSERT_TRUE(dialogs.ok()) << dialogs.message();
  ASSERT_EQ(dialogs->size(), 3u);
  EXPECT_EQ((*dialogs)[0].size(), 1u);
  EXPECT_EQ((*dialogs)[1][0].role, Role::System);
  EXPECT_EQ((*dialogs)[1][0].content, "Always answer with Haiku");
  EXPECT_EQ((*dialogs)[2][1].role, Role::Assistant);
  EXPECT_EQ((*dialogs)[2][2].content, "What is so great about #1?");
}

TEST(DialogJson, ParsesOneDialog) {
  auto d = parseDialog(R"([{"role": "user", "content": "h\u00e9llo \ud83d\ude00"}])", "--dialog");
  ASSERT_TRUE(d.ok()) << d.message();
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].content, "h\xC3\xA9llo \xF0\x9F\x98\x80");
}

TEST(DialogJson, Errors) {
  struct Row {
    const char* json;
    const char* message;
  };
  const std::vector<Row> table = {
      // malformed JSON, with the position
      {R"([[{"role": "user", "content": "hi"}])",
       "d.json: malformed JSON at byte 37: parse error at line 1, column 37: syntax error while "
       "parsing array - unexpected end of input; expected ']'"},
      {"[[{\"role\": \"user\",\n \"content\": hi}]]",
       "d.json: malformed JSON at byte 32: parse error at line 2, column 13: syntax error while "
       "parsing value - invalid literal; last read: '\"content\": h'"},
      {"", "d.json: malformed JSON at byte 1: parse error at line 1, column 1: syntax error while "
           "parsing value - unexpected end of input; expected '[', '{', or a literal"},
      {"[[{\"role\": \"user\", \"content\": \"\xFF\"}]]",
       "d.json: malformed JSON at byte 32: parse error at line 1, column 32: syntax error while "
       "parsing value - invalid string: ill-formed UTF-8 byte; last read: '\"\\xFF'"},
      // shapes
      {R"({"role": "user", "content": "hi"})",
       "d.json: expected a list of dialogs (an array of arrays of messages), got object"},
      {"[]", "d.json: the list of dialogs is empty"},
      {R"(["hi"])", "d.json: dialog 0: a dialog must be a list of messages, got string"},
      {R"([["hi"]])",
       "d.json: dialog 0, message 0: a message must be an object with \"role\" and \"content\", "
       "got string"},
      {"[[]]", "d.json: dialog 0: the dialog is empty"},
      // fields
      {R"([[{"content": "x"}]])", "d.json: dialog 0, message 0: missing \"role\""},
      {R"([[{"role": 1, "content": "x"}]])",
       "d.json: dialog 0, message 0: \"role\" must be a string, got number"},
      {R"([[{"role": "tool", "content": "x"}]])",
       "d.json: dialog 0, message 0: a tool message must follow an assistant message with tool calls (or another "
       "tool message)"},
      {R"([[{"role": "user", "content": "x"}, {"role": "assistant", "content": null}]])",
       "d.json: dialog 0, message 1: \"content\" must be a string, got null"},
      {R"([[{"role": "user", "content": "x", "tool_calls": []}]])",
       "d.json: dialog 0, message 0: only an assistant message may call tools"},
      {R"([[{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": 1}]])",
       "d.json: dialog 0, message 1: \"tool_calls\" must be a list, got number"},
      {R"([[{"role": "User", "content": "x"}]])",
       "d.json: dialog 0, message 0: unknown role 'User' (expected system, user, assistant or tool)"},
      {R"([[{"role": "user"}]])", "d.json: dialog 0, message 0: missing \"content\""},
      {R"([[{"role": "user", "content": ["x"]}]])",
       "d.json: dialog 0, message 0: \"content\" must be a string, got array"},
      {R"([[{"role": "user", "content": null}]])",
       "d.json: dialog 0, message 0: \"content\" must be a string, got null"},
      // the dialog rule
      {R"([[{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]])",
       "d.json: dialog 0: the last message must be from the user, got 'assistant'"},
      {R"([[{"role": "user", "content": "a"}],
           [{"role": "user", "content": "a"}, {"role": "system", "content": "s"},
            {"role": "user", "content": "b"}]])",
       "d.json: dialog 1, message 1: a system message may only come first"},
      {R"([[{"role": "system", "content": "s"}, {"role": "user", "content": "a"},
            {"role": "user", "content": "b"}]])",
       "d.json: dialog 0, message 2: role 'user' where 'assistant' was expected (after an "
       "optional system message, user and assistant alternate, starting with user)"},
      // Found by dialog_json_fuzzer (test/fuzz-corpus/dialog_json/crash-87f2f67a...):
      // a role with a newline in it made a two-line message; quoted text is escaped.
      {R"([[{"role": "user", "content": "hi"}, {"role": "assis\ntant", "content": "x"}]])",
       "d.json: dialog 0, message 1: unknown role 'assis\\ntant' (expected system, user, assistant or tool)"},
  };
  for (const Row& row : table) {
    auto r = parseDialogs(row.json, "d.json");
    ASSERT_FALSE(r.ok()) << row.json;
    EXPECT_EQ(r.error(), Error::InvalidArgument) << row.json;
    EXPECT_EQ(r.message(), row.message) << row.json;
    EXPECT_EQ(r.message().find('\n'), std::string::npos);
  }
}

TEST(DialogJson, OneDialogErrors) {
  auto r = parseDialog(R"([[{"role": "user", "content": "a"}]])", "--dialog");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(),
            "--dialog, message 0: a message must be an object with \"role\" and \"content\", got array");
  r = parseDialog(R"([{"role": "assistant", "content": "a"}])", "--dialog");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(),
            "--dialog, message 0: role 'assistant' where 'user' was expected (after an optional "
            "system message, user and assistant alternate, starting with user)");
}

}  // namespace
}  // namespace lac::chat
