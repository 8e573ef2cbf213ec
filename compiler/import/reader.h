// Reading a checkpoint, whatever its format.
//
//   auto spec = lac::import::readModel("SmolLM2-135M-Instruct.Q4_1.gguf");
//   auto spec = lac::import::readModel("Meta-Llama-3-8B/");      // params.json + consolidated.*.pth
//   auto spec = lac::import::readModel("Llama-3.2-1B-hf/");      // config.json + *.safetensors
#pragma once

#include <string>

#include "compiler/import/model_spec.h"

namespace lac::import {

// Options shared by the readers.
struct ReadOptions {
  // Read config and tokenizer only; `tensors` stays empty (lac-compile --no-weights).
  bool config_only = false;
};

// Detects the format from the path and calls the matching reader.
Result<ModelSpec> readModel(const std::string& path, const ReadOptions& options = {});

// The individual readers (each in its own file).
Result<ModelSpec> readGguf(const std::string& path, const ReadOptions& options);
Result<ModelSpec> readMeta(const std::string& folder, const ReadOptions& options);
Result<ModelSpec> readHuggingFace(const std::string& folder, const ReadOptions& options);

// For a config-only spec (lac-compile --no-weights): declares every tensor
// the Llama graph needs, with the shape the config implies, `dtype`, and no
// data (no pieces). The compiler plans with these; the runtime fills random
// values.
void declareTensorsFromConfig(ModelSpec& spec, DType dtype);

// Checks what every reader promises: all expected tensors present with shapes
// that agree with the config, no tensor past its file's end, tokenizer size
// matching vocab_size. Readers call it last.
VoidResult validateSpec(const ModelSpec& spec);

}  // namespace lac::import
