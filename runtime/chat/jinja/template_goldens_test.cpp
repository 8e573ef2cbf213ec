// Differential test: our renderings of the 70 real chat templates in
// ../shared/data/chat-templates/ against Python Jinja2's, byte for byte.
//
// The goldens (test/goldens/chat-templates/goldens.json) are written by
// scripts/goldens/make-chat-template-goldens.py, which renders every template
// in transformers' sandboxed environment over ten dialogs (system or not,
// multi-turn, assistant last, empty content, unicode, tools, a tool call,
// content parts). A case where Python raised must raise here too; every other
// case must match exactly. One ctest test per template.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/chat/jinja/template.h"

namespace lac::chat::jinja {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

std::string sourceDir() {
  const char* d = std::getenv("LAC_SOURCE_DIR");
  return d ? d : LAC_SOURCE_DIR;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const json& goldens() {
  static const json g = [] {
    const std::string text = readFile(fs::path(sourceDir()) / "test/goldens/chat-templates/goldens.json");
    return text.empty() ? json::object() : json::parse(text);
  }();
  return g;
}

std::vector<std::string> templateNames() {
  std::vector<std::string> names;
  if (goldens().contains("templates"))
    for (const auto& [name, _] : goldens()["templates"].items()) names.push_back(name);
  if (names.empty()) names.push_back("missing-goldens");
  return names;
}

fs::path templatesDir() {
  if (const char* d = std::getenv("LAC_CHAT_TEMPLATES_DIR")) return d;
  return fs::path(sourceDir()) / ".." / "shared" / "data" / "chat-templates";
}

// 2026-01-15 10:30:00 local time, the goldens' "now".
std::time_t goldenNow() {
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 0;
  tm.tm_mday = 15;
  tm.tm_hour = 10;
  tm.tm_min = 30;
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

class ChatTemplateGoldens : public ::testing::TestWithParam<std::string> {};

TEST_P(ChatTemplateGoldens, RendersLikeJinja2) {
  const std::string name = GetParam();
  ASSERT_NE(name, "missing-goldens") << "test/goldens/chat-templates/goldens.json is missing or empty";
  const fs::path path = templatesDir() / name;
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path << " (the shared chat templates sit beside the repository)";
  const json& g = goldens();
  ASSERT_EQ(g["now"], "2026-01-15T10:30:00");
  auto tmpl = Template::parse(readFile(path));
  const json& results = g["templates"][name]["results"];
  RenderOptions opt;
  opt.now = goldenNow();
  int compared = 0;
  for (const auto& c : g["cases"]) {
    const std::string case_name = c["name"];
    const json& want = results[case_name];
    SCOPED_TRACE(name + " / " + case_name);
    if (!tmpl.ok()) {
      EXPECT_TRUE(want.contains("error")) << "we fail to parse what Python renders: " << tmpl.message();
      continue;
    }
    Dict vars;
    vars.set(Value::string("messages"), fromJson(c["messages"].dump()));
    vars.set(Value::string("tools"), c.contains("tools") ? fromJson(c["tools"].dump()) : Value::none());
    vars.set(Value::string("documents"), Value::none());
    vars.set(Value::string("add_generation_prompt"), Value::boolean(c["add_generation_prompt"].get<bool>()));
    vars.set(Value::string("bos_token"), Value::string(g["bos_token"].get<std::string>()));
    vars.set(Value::string("eos_token"), Value::string(g["eos_token"].get<std::string>()));
    auto got = tmpl->render(vars, opt);
    if (want.contains("error")) {
      EXPECT_FALSE(got.ok()) << "Python raised " << want["error"].get<std::string>() << " but we rendered:\n" << *got;
    } else {
      ASSERT_TRUE(got.ok()) << got.message();
      EXPECT_EQ(*got, want["output"].get<std::string>());
      ++compared;
    }
  }
  RecordProperty("compared", compared);
}

INSTANTIATE_TEST_SUITE_P(Real, ChatTemplateGoldens, ::testing::ValuesIn(templateNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           if (n.size() > 6 && n.substr(n.size() - 6) == ".jinja") n.resize(n.size() - 6);
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace lac::chat::jinja
