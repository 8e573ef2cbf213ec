// lac-compile: turns a Llama checkpoint into a .lac artifact.
//
// Today it reads and describes checkpoints (--print-model); building the IR,
// the passes and the artifact arrive with the compiler (see docs/ARCHITECTURE.md).
#include <boost/program_options.hpp>

#include <iostream>
#include <string>

#include "compiler/import/reader.h"
#include "tools/lac-compile/print_model.h"

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage = R"(lac-compile — compile a Llama-family checkpoint into a .lac artifact

Usage:
  lac-compile MODEL --print-model        describe what was read from MODEL
  lac-compile MODEL -o OUT.lac [options] compile (not available yet: the compiler is being built)

MODEL is one of:
  a .gguf file                          (llama.cpp; f32/f16/bf16 and q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k)
  a Meta folder                         (params.json, consolidated.NN.pth, tokenizer.model)
  a Hugging Face folder                 (config.json, *.safetensors, tokenizer.json)

Examples:
  lac-compile ~/.cache/lac/SmolLM2-135M-Instruct.Q4_1.gguf --print-model
  lac-compile Meta-Llama-3-8B-Instruct/ --print-model --config-only

Exit codes: 0 ok, 2 bad option, 3 file not found or unreadable, 4 invalid checkpoint,
            5 unsupported input, 70 internal error.

Options)";

int fail(lac::Error kind, const std::string& message) {
  std::cerr << "lac-compile: error: " << message << "\n";
  return lac::exitCodeFor(kind);
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts(kUsage);
  opts.add_options()
      ("help,h", "show this help")
      ("print-model", "print what was read: hyper-parameters, tensors by dtype, tokenizer, chat format, stop tokens")
      ("config-only", "read config and tokenizer only, not the tensors")
      ("output,o", po::value<std::string>(), "the .lac file to write");
  po::options_description hidden;
  hidden.add_options()("model", po::value<std::string>(), "checkpoint");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("model", 1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return fail(lac::Error::InvalidArgument, std::string(e.what()) + " (see lac-compile --help)");
  }
  if (vm.count("help") || argc == 1) {
    std::cout << opts << "\n";
    return 0;
  }
  if (!vm.count("model")) return fail(lac::Error::InvalidArgument, "no MODEL given (see lac-compile --help)");
  const std::string model = vm["model"].as<std::string>();

  lac::import::ReadOptions ro;
  ro.config_only = vm.count("config-only") > 0;
  auto spec = lac::import::readModel(model, ro);
  if (!spec.ok()) return fail(spec.error(), spec.message());

  if (vm.count("print-model")) {
    lac::tools::printModel(*spec, std::cout);
    return 0;
  }
  return fail(lac::Error::Unsupported,
              "writing a .lac artifact is not implemented yet; use --print-model to inspect the checkpoint");
}
