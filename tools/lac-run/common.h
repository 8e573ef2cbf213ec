// lac-run's shared pieces: errors and exit codes, the sampling options every
// generating subcommand takes, and loading a model (the one place that
// constructs an engine).
#pragma once

#include <boost/program_options.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/core/result.h"
#include "runtime/generate/generate.h"
#include "runtime/generate/loaded_model.h"
#include "tools/common/cli_number.h"

namespace lac::run {

namespace po = boost::program_options;

// --- Errors ------------------------------------------------------------------------
// Prints "lac-run: error: MESSAGE" and returns the exit code of `kind` (docs/CLI.md).
int fail(Error kind, const std::string& message);
int fail(const Status& s);

// Parses argv for one subcommand. Returns false and sets *exit_code on a bad
// option (2) or --help (0, after printing `usage` and the options).
bool parseArgs(int argc, char** argv, const char* usage, const po::options_description& visible,
               const po::options_description& hidden, const po::positional_options_description& pos,
               po::variables_map& vm, int* exit_code);

// The same for subcommands whose only positional argument is MODEL.lac:
// also fails (2) when it is missing. The path is vm["model"].
bool parseModelArgs(int argc, char** argv, const char* usage, const po::options_description& visible,
                    po::variables_map& vm, int* exit_code);

// --- Generation options --------------------------------------------------------------
// --max-gen-len --temperature --top-p --top-k --min-p --repeat-penalty --seed
// --logprobs --echo (the last only where `echo`).
po::options_description samplingOptions(bool echo);
// The options from `vm`, defaults from the artifact where the user gave none.
// InvalidArgument (named option and value) for top-p outside (0, 1], a
// negative temperature, etc. Call before loading with defaults = {} to fail
// early, then again with the model's defaults.
Result<generate::GenerateOptions> generateOptions(const po::variables_map& vm,
                                                  const generate::GenerationDefaults& defaults);

// InvalidArgument "WHAT: not valid UTF-8 at byte N" unless `text` is UTF-8.
VoidResult checkUtf8(std::string_view text, std::string_view what);

// --- Loading ----------------------------------------------------------------------------
struct LoadOptions {
  int threads = 0;          // 0: all cores
  uint32_t max_batch = 0;   // 0: the compiled one
  bool random_weights = false;  // ignore the artifact's weights (bench)
  bool int8_prefill = false;  // CPU: prefill without the second activation pass (engine::EngineOptions)
};

struct Loaded {
  artifact::Artifact artifact;
  generate::LoadedModel model;
  double load_seconds = 0;
};

// Opens the artifact (NotFound, InvalidArtifact, ...) without an engine.
Result<artifact::Artifact> openArtifact(const std::string& path, bool check_cpu = true);
// Opens the artifact and starts the engine on it.
Result<std::unique_ptr<Loaded>> loadModel(const std::string& path, const LoadOptions& opts);
// The artifact's tokenizer alone.
Result<Tokenizer> loadTokenizer(const artifact::Artifact& a);

// --- Subcommands --------------------------------------------------------------------------
int cmdComplete(int argc, char** argv);
int cmdChat(int argc, char** argv);
int cmdInspect(int argc, char** argv);
int cmdTokenize(int argc, char** argv);
int cmdDetokenize(int argc, char** argv);
int cmdBench(int argc, char** argv);

}  // namespace lac::run
