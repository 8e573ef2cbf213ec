// lac-compile: turns a Llama checkpoint into a .lac artifact.
//
//   read (compiler/import) -> build llama IR (compiler/build) -> fuse ->
//   lower to exec, choose weight formats, plan memory (compiler/pipeline) ->
//   write the artifact or print a stage (compiler/emit)
#include <boost/program_options.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "compiler/emit/progress_bar.h"
#include "compiler/import/reader.h"
#include "compiler/pipeline/compile_checkpoint.h"
#include "tools/common/cli_args.h"
#include "tools/common/cli_number.h"
#include "tools/lac-compile/print_model.h"

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage = R"(lac-compile — compile a Llama-family checkpoint into a .lac artifact

Usage:
  lac-compile MODEL -o OUT.lac [options]   compile (the artifact is all lac-run needs)
  lac-compile MODEL --print-model          describe what was read from MODEL
  lac-compile MODEL --emit=STAGE           print a compiler stage instead of writing

MODEL is one of:
  a .gguf file                          (llama.cpp; f32/f16/bf16 and q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k)
  a Meta folder                         (params.json, consolidated.NN.pth, tokenizer.model)
  a Hugging Face folder                 (config.json, *.safetensors, tokenizer.json)

Stages (--emit): llama-mlir (the model as `llama` ops, fused), exec-mlir (one op per
kernel launch, memory planned), plan-json (the plan the artifact would hold), artifact.

Examples:
  lac-compile ~/.cache/lac/SmolLM2-135M-Instruct.Q4_1.gguf -o smollm2.lac
  lac-compile Meta-Llama-3-8B/ -o llama3-8b.lac --weight-format q8_0 --max-seq-len 8192
  lac-compile Llama-3-8B-hf/ --no-weights -o shape-only.lac   # plan only; lac-run bench --random-weights
  lac-compile model.Q4_0.gguf --target cuda -o model-cuda.lac  # q4_0 repacked into q4_g32
  lac-compile model.gguf --print-model

Exit codes: 0 ok, 2 bad option, 3 file not found or unreadable, 4 invalid checkpoint,
            5 unsupported input, 70 internal error.

Options)";

int fail(lac::Error kind, const std::string& message) {
  std::cerr << "lac-compile: error: " << message << "\n";
  return lac::exitCodeFor(kind);
}
int fail(const lac::Status& s) { return fail(s.kind, s.message); }

// Writes a printed stage to `output`: stdout when it is empty or "-", else
// the file (replaced whole: a temporary file renamed into place, as the
// artifact is).
lac::VoidResult writeStage(const std::string& output, const std::string& text) {
  if (output.empty() || output == "-") {
    std::cout << text;
    std::cout.flush();
    LAC_CHECK_OR_RETURN(std::cout.good(), lac::Error::IoError, "cannot write to standard output");
    return {};
  }
  const std::string tmp = output + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    LAC_CHECK_OR_RETURN(out.good(), lac::Error::IoError, "%s: cannot open for writing", output.c_str());
    out << text;
    out.flush();
    LAC_CHECK_OR_RETURN(out.good(), lac::Error::IoError, "%s: write failed", output.c_str());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, output, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    LAC_FAIL(lac::Error::IoError, "%s: cannot write (%s)", output.c_str(), ec.message().c_str());
  }
  return {};
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  lac::pipeline::CompileOptions copts;
  std::string emit = "artifact", output, weights_out, chat_format = "auto", chat_template;
  po::options_description opts(kUsage);
  opts.add_options()
      ("help,h", "show this help")
      ("output,o", po::value<std::string>(&output),
       "the .lac file to write; with --emit=STAGE, the file the stage is printed to (- or none: stdout)")
      ("target", po::value<std::string>(&copts.target)->default_value("cpu"), "cpu|cuda (cuda: NVIDIA sm_80+, run by a lac-run built with CUDA)")
      ("weight-format", po::value<std::string>(&copts.weight_format)->default_value("auto"),
       "auto|f32|f16|bf16|q8_0, and q4_0|q4_1 (cpu) or q4_g32 (cuda); auto keeps a stored format the target "
       "runs, repacks q4_0/q4_1 into q4_g32 on cuda, converts others to q8_0")
      ("weight-layout", po::value<std::string>(&copts.weight_layout)->default_value("auto"),
       "auto|row_major; auto interleaves q8_0/q4_0/q4_1 matrices by 8 rows for the CPU matmul (q4_1x8, ...)")
      ("max-seq-len", lac::cli::number<uint32_t>(1u),
       "positions per sequence in the KV cache (default: the model's context, at most 4096)")
      ("max-batch", lac::cli::number<uint32_t>(1, 4096)->default_value(1), "sequences decoded together")
      ("tensor-parallel", lac::cli::number<uint32_t>(1, 64)->default_value(1),
       "N: split the model over N ranks (Meta's model_parallel_size: whole heads and ffn columns per rank, "
       "all-reduce after wo and w2); run it with `mpirun -np N lac-run ...` (docs/CLI.md)")
      ("kv-dtype", po::value<std::string>(&copts.kv_dtype)->default_value("auto"),
       "KV cache element type: auto (f16 on cpu; f32 on cuda, whose f16 path has not run on a GPU yet), f16 (half "
       "the memory and attention reads, "
       "as llama.cpp's default) or f32 (exact comparisons)")
      ("emit", po::value<std::string>(&emit)->default_value("artifact"), "llama-mlir|exec-mlir|plan-json|artifact")
      ("print-ir-after-all", "print the IR after every pass (stderr)")
      ("no-weights", "compile from the config alone; lac-run fills random weights (benchmarking big shapes)")
      ("weights-out", po::value<std::string>(&weights_out), "write the weights to this file beside the .lac")
      ("chat-format", po::value<std::string>(&chat_format)->default_value("auto"),
       "auto|jinja|llama3|chatml|none: the chat format lac-run uses. auto: the checkpoint's own Jinja chat "
       "template (GGUF tokenizer.chat_template, HF tokenizer_config.json), rendered as transformers renders it; "
       "Meta's Llama 3 format for Meta checkpoints")
      ("chat-template", po::value<std::string>(&chat_template),
       "FILE: a Jinja chat template to use instead of the checkpoint's (checked at compile time by rendering a "
       "sample dialog; see lac-run chat --print-prompt)")
      ("print-model", "print what was read: hyper-parameters, tensors by dtype, tokenizer, chat format, stop tokens")
      ("config-only", "with --print-model: read config and tokenizer only, not the tensors")
      ("threads", lac::cli::number<int>(0, 1024)->default_value(0),
       "threads for the compiler's passes; 0 = all cores, 1 = single-threaded (the artifact is the same "
       "whatever the number)")
      ("quiet,q", "no progress or memory-plan summary on stderr");
  po::variables_map vm;
  if (std::string error; !lac::cli::parseWithModel(argc, argv, opts, vm, &error))
    return fail(lac::Error::InvalidArgument, error + " (see lac-compile --help)");
  if (vm.count("help") || argc == 1) {
    std::cout << opts << "\n";
    return 0;
  }
  if (!vm.count("model")) return fail(lac::Error::InvalidArgument, "no MODEL given (see lac-compile --help)");
  const std::string model = vm["model"].as<std::string>();
  const bool quiet = vm.count("quiet") > 0;
  const bool no_weights = vm.count("no-weights") > 0;
  copts.print_ir_after_all = vm.count("print-ir-after-all") > 0;
  copts.print_memory_plan = !quiet;

  auto stage = lac::pipeline::parseEmitStage(emit);
  if (!stage.ok()) return fail(stage.status());
  const bool print_model = vm.count("print-model") > 0;
  if (!print_model && emit == "artifact" && output.empty())
    return fail(lac::Error::InvalidArgument, "no output file: add -o OUT.lac (or --emit=STAGE to print a stage)");
  if (vm.count("max-seq-len")) copts.max_seq_len = lac::cli::get<uint32_t>(vm, "max-seq-len");
  copts.max_batch = lac::cli::get<uint32_t>(vm, "max-batch");
  copts.tensor_parallel = lac::cli::get<uint32_t>(vm, "tensor-parallel");

  const auto t0 = std::chrono::steady_clock::now();
  if (print_model) {
    lac::import::ReadOptions ro;
    ro.config_only = vm.count("config-only") > 0 || no_weights;
    auto spec = lac::import::readModel(model, ro);
    if (!spec.ok()) return fail(spec.status());
    // The chat format the artifact would carry; a template that does not
    // render is reported, and the rest still printed.
    if (auto c = lac::pipeline::applyChatFormat(*spec, chat_format, chat_template); !c.ok())
      std::cerr << "lac-compile: warning: " << c.message() << "\n";
    lac::tools::printModel(*spec, std::cout);
    return 0;
  }

  // Read, build, optimize, then print the stage or write the artifact
  // (compiler/pipeline/compile_checkpoint.h), with a progress bar while
  // weights are packed.
  lac::pipeline::CheckpointCompileOptions o;
  o.compile = copts;
  o.chat_format = chat_format;
  o.chat_template_file = chat_template;
  o.no_weights = no_weights;
  o.weights_out = weights_out;
  o.threads = lac::cli::get<int>(vm, "threads");
  o.emit = *stage;
  o.output = output;
  o.on_warning = [](const std::string& w) { std::cerr << "lac-compile: warning: " << w << "\n"; };
  lac::emit::ProgressBar bar("packing weights", stderr);
  if (!quiet) o.progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
  auto printed = lac::pipeline::compileCheckpoint(model, o);
  if (!printed.ok()) return fail(printed.status());
  if (*stage != lac::pipeline::EmitStage::Artifact) {
    if (auto r = writeStage(output, *printed); !r.ok()) return fail(r.status());
    return 0;
  }
  if (!quiet) {
    bar.finish();
    std::fprintf(stderr, "lac-compile: wrote %s in %.2f s\n", output.c_str(), secondsSince(t0));
  }
  return 0;
}
