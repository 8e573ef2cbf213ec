// Test-only: a temporary path unique to this process and test, so tests that
// ctest runs in parallel (one process per TEST) never share a file.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace lac::testing {

inline std::string tempPath(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test = info ? std::string(info->test_suite_name()) + "." + info->name() : "global";
  for (char& c : test)
    if (c == '/') c = '_';  // parameterized tests are named "Prefix/Suite.Test/0"
  return ::testing::TempDir() + "/lac_" + std::to_string(::getpid()) + "_" + test + "_" + name;
}

// The whole file as text ("" when it cannot be read).
inline std::string readText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace lac::testing
