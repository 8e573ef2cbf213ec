// One call from a checkpoint on disk to a .lac artifact (or a printed stage):
// what lac-compile does, as a library function, so every front end (the CLI,
// the Python package's Llama.build) compiles through the same code.
//
//   read (compiler/import) -> chat format choice -> build llama IR -> fuse ->
//   lower, select weight formats, plan memory (pipeline.h) -> emit
//
//   CheckpointCompileOptions o;
//   o.output = "smollm2.lac";
//   o.compile.max_batch = 4;
//   LAC_ASSIGN_OR_RETURN(std::string unused, compileCheckpoint("SmolLM2.Q4_1.gguf", o));
//
// No MLIR type appears here: callers that are not compiler stages (the
// Python binding) include this header without MLIR's include paths or flags.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "compiler/import/model_spec.h"
#include "compiler/pipeline/chat_choice.h"
#include "compiler/pipeline/pipeline.h"
#include "runtime/core/result.h"

namespace lac::pipeline {

enum class EmitStage { LlamaMlir, ExecMlir, PlanJson, Artifact };

// "llama-mlir" | "exec-mlir" | "plan-json" | "artifact"; InvalidArgument otherwise.
Result<EmitStage> parseEmitStage(const std::string& name);

struct CheckpointCompileOptions {
  CompileOptions compile;
  // auto | jinja | llama3 | chatml | none, and a Jinja template file that
  // replaces the checkpoint's (chat_choice.h).
  std::string chat_format = "auto";
  std::string chat_template_file;
  bool no_weights = false;        // plan only; the runtime fills random weights
  std::string weights_out;        // write the weights to this file beside the .lac
  int threads = 0;                // the passes' thread pool: 0 all cores, 1 none
  EmitStage emit = EmitStage::Artifact;
  std::string output;             // the .lac (Artifact); unused for printed stages
  // Called as weight bytes are packed: (bytes done, bytes total).
  std::function<void(uint64_t, uint64_t)> progress;
  // Called once per reader warning (what was read but not understood).
  std::function<void(const std::string&)> on_warning;
};


// Compiles the checkpoint at `model` (a .gguf file, a Meta or a Hugging Face
// folder). For EmitStage::Artifact, writes opts.output (temporary files
// renamed into place) and returns ""; for the other stages, returns the
// printed stage. Errors are the readers' and the passes' (NotFound,
// InvalidCheckpoint, Unsupported, InvalidArgument naming the option).
Result<std::string> compileCheckpoint(const std::string& model, const CheckpointCompileOptions& opts);

}  // namespace lac::pipeline
