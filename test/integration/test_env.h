// What the integration tests share: the ctest environment (LAC_BINARY_DIR,
// LAC_TINY_MODELS, LAC_COMPILE, LAC_MODEL_CACHE) and a 2-thread CPU engine.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "runtime/engine/cpu_engine.h"

namespace lac::integration {

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// lac-compile: $LAC_COMPILE, else $LAC_BINARY_DIR/bin/lac-compile.
inline std::string compilerPath() {
  std::string c = env("LAC_COMPILE");
  return c.empty() ? env("LAC_BINARY_DIR") + "/bin/lac-compile" : c;
}

// Where scripts/fetch-model.sh puts SmolLM2.
inline std::string modelCache() {
  std::string c = env("LAC_MODEL_CACHE");
  return c.empty() ? env("HOME") + "/.cache/lac" : c;
}

inline std::unique_ptr<engine::CpuEngine> loadCpu(const std::string& lac) {
  engine::EngineOptions o;
  o.threads = 2;
  auto e = engine::CpuEngine::load(lac, o);
  EXPECT_TRUE(e.ok()) << e.message();
  return e.ok() ? std::move(*e) : nullptr;
}

}  // namespace lac::integration
