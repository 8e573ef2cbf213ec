// Checking a Tokenizer against test/goldens/tokenizer/<name>.json (made by
// scripts/goldens/make-tokenizer-goldens.py from the reference tokenizers).
#pragma once

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "runtime/tokenizer/tokenizer.h"

namespace lac::testing {

struct Golden {
  std::string text;
  std::vector<uint32_t> ids, ids_special;
};

inline std::vector<Golden> loadGoldens(const std::string& name) {
  const char* env = std::getenv("LAC_SOURCE_DIR");
  const std::filesystem::path path =
      std::filesystem::path(env ? env : LAC_SOURCE_DIR) / "test" / "goldens" / "tokenizer" / (name + ".json");
  std::ifstream f(path);
  EXPECT_TRUE(f.good()) << path;
  std::vector<Golden> out;
  const nlohmann::json j = nlohmann::json::parse(f);
  for (const auto& c : j.at("cases"))
    out.push_back({c.at("text").get<std::string>(), c.at("ids").get<std::vector<uint32_t>>(),
                   c.at("ids_special").get<std::vector<uint32_t>>()});
  EXPECT_GE(out.size(), 60u);
  return out;
}

inline std::string shortened(const std::string& s) { return s.size() > 60 ? s.substr(0, 60) + "..." : s; }

// The text without the bytes that have no token (SmolLM2's vocabulary lacks
// a few control bytes; the reference drops them).
inline std::string withoutUntokenizableBytes(const Tokenizer& tok, const std::string& text) {
  std::string out;
  for (char c : text) {
    if (static_cast<uint8_t>(c) < 0x80) {
      auto ids = tok.encode(std::string(1, c), false, false, SpecialMode::Plain);
      if (ids.ok() && ids->empty()) continue;
    }
    out.push_back(c);
  }
  return out;
}

// Whether `s` has a run of more than 25000 whitespace or non-whitespace
// bytes (ASCII corpus cases only), where Meta's chunking changes the ids.
inline bool hasLongRun(const std::string& s) {
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    run = (i > 0 && !!std::isspace(static_cast<uint8_t>(s[i])) == !!std::isspace(static_cast<uint8_t>(s[i - 1])))
              ? run + 1
              : 1;
    if (run > 25000) return true;
  }
  return false;
}

inline void checkGoldens(const Tokenizer& tok, const std::string& name, bool skip_long_runs = false) {
  const std::vector<Golden> goldens = loadGoldens(name);
  for (const Golden& g : goldens) {
    if (skip_long_runs && hasLongRun(g.text)) continue;
    SCOPED_TRACE(name + ": \"" + shortened(g.text) + "\"");
    auto plain = tok.encode(g.text, false, false, SpecialMode::Plain);
    ASSERT_TRUE(plain.ok()) << plain.message();
    EXPECT_EQ(*plain, g.ids);
    auto special = tok.encode(g.text, false, false, SpecialMode::Recognize);
    ASSERT_TRUE(special.ok()) << special.message();
    EXPECT_EQ(*special, g.ids_special);
    auto text = tok.decode(g.ids);
    ASSERT_TRUE(text.ok()) << text.message();
    EXPECT_EQ(*text, withoutUntokenizableBytes(tok, g.text));
    auto text2 = tok.decode(g.ids_special);
    ASSERT_TRUE(text2.ok()) << text2.message();
    EXPECT_EQ(*text2, *text);
  }
}

}  // namespace lac::testing
