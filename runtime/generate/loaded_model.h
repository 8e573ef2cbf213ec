// A model ready to serve: the engine plus what the artifact says about text
// (tokenizer, chat format, stop tokens, generation defaults).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/chat/chat_prompt.h"
#include "runtime/core/result.h"
#include "runtime/engine/model.h"
#include "runtime/tokenizer/tokenizer.h"

namespace lac::generate {

struct GenerationDefaults {
  float temperature = 0.6f;
  float top_p = 0.9f;
  uint32_t max_gen_len = 0;  // 0: up to max_seq_len
};

struct LoadedModel {
  std::string name;
  Tokenizer tokenizer;
  std::optional<chat::ChatTemplate> chat;
  std::vector<int32_t> stop_ids;
  GenerationDefaults defaults;
  std::unique_ptr<engine::Model> model;
};

// Builds the bundle from an opened artifact and an engine running it.
// Errors: the artifact's tokenizer does not load (tokenizerDataFromPlan,
// Tokenizer::create), or the engine's vocabulary differs from the tokenizer's.
Result<LoadedModel> bundleModel(const artifact::Artifact& a, std::unique_ptr<engine::Model> model);

}  // namespace lac::generate
