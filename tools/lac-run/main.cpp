// lac-run: runs a compiled .lac model — text and chat completion, tokenizer
// tools, inspection and benchmarks. No MLIR, no LLVM: it builds with
// -DLAC_BUILD_COMPILER=OFF. docs/CLI.md documents every subcommand.
#include <cstring>
#include <iostream>
#include <string_view>

#include "tools/common/ranks.h"
#include "tools/lac-run/common.h"

namespace {

constexpr const char* kUsage = R"(lac-run — run a compiled .lac model

Usage:
  lac-run complete MODEL.lac "prompt" [more prompts] [options]   text completion (streams one prompt)
  lac-run chat MODEL.lac [--system TEXT]                           interactive chat on stdin
  lac-run chat MODEL.lac --dialogs FILE.json [--json]              chat completion of Meta-style dialogs
  lac-run inspect MODEL.lac                                        config, target, weights, memory, tokenizer
  lac-run tokenize MODEL.lac "text" [--bos] [--eos] [--special] [--pieces]
  lac-run detokenize MODEL.lac ID...
  lac-run bench MODEL.lac [--prompt-len 128] [--gen-len 64] [--batch 1] [--repetitions 3] [--json]

Run `lac-run SUBCOMMAND --help` for a subcommand's options and examples.

Exit codes: 0 ok, 2 bad option or input, 3 file not found or unreadable, 5 unsupported,
            6 invalid .lac artifact, 70 internal error.)";

}  // namespace

int main(int argc, char** argv) {
  using namespace lac::run;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::cout << kUsage << "\n";
    return argc < 2 ? 2 : 0;
  }
  if (int code = lac::tools::joinRanks("lac-run"); code >= 0) return code;
  const std::string_view cmd = argv[1];
  // Each subcommand sees argv[0] = its own name.
  int sub_argc = argc - 1;
  char** sub_argv = argv + 1;
  if (cmd == "complete") return cmdComplete(sub_argc, sub_argv);
  if (cmd == "chat") return cmdChat(sub_argc, sub_argv);
  if (cmd == "inspect") return cmdInspect(sub_argc, sub_argv);
  if (cmd == "tokenize") return cmdTokenize(sub_argc, sub_argv);
  if (cmd == "detokenize") return cmdDetokenize(sub_argc, sub_argv);
  if (cmd == "bench") return cmdBench(sub_argc, sub_argv);
  return fail(lac::Error::InvalidArgument,
              "unknown subcommand '" + std::string(cmd) +
                  "' (known: complete, chat, inspect, tokenize, detokenize, bench; see lac-run --help)");
}
