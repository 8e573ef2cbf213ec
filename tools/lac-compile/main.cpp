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
#include <sstream>
#include <string>

#include "compiler/build/llama_builder.h"
#include "compiler/emit/emit.h"
#include "compiler/emit/progress_bar.h"
#include "compiler/import/reader.h"
#include "compiler/pipeline/pipeline.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"
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

// --chat-format: the recognized format, an explicit choice, or an error for a
// template LAC does not know (never a silent fallback).
lac::VoidResult applyChatFormat(lac::import::ModelSpec& spec, const std::string& choice) {
  using lac::import::ChatFormatKind;
  if (choice == "auto") {
    LAC_CHECK_OR_RETURN(spec.chat.kind != ChatFormatKind::Unknown, lac::Error::Unsupported,
                        "%s: the chat template is neither Llama 3's nor ChatML; pass --chat-format llama3, chatml "
                        "or none",
                        spec.chat.source.empty() ? spec.path.c_str() : spec.chat.source.c_str());
    return {};
  }
  if (choice == "llama3") {
    spec.chat.kind = ChatFormatKind::Llama3;
  } else if (choice == "chatml") {
    spec.chat.kind = ChatFormatKind::ChatML;
  } else if (choice == "none") {
    spec.chat.kind = ChatFormatKind::None;
  } else {
    LAC_FAIL(lac::Error::InvalidArgument, "--chat-format=%s: expected auto, llama3, chatml or none", choice.c_str());
  }
  return {};
}

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

std::string printModule(mlir::ModuleOp m) {
  std::string text;
  llvm::raw_string_ostream os(text);
  m.print(os);
  os << "\n";
  os.flush();
  return text;
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  lac::pipeline::CompileOptions copts;
  std::string emit = "artifact", output, weights_out, chat_format = "auto";
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
      ("kv-dtype", po::value<std::string>(&copts.kv_dtype)->default_value("auto"),
       "KV cache element type: auto (f16 on cpu; f32 on cuda, whose f16 path has not run on a GPU yet), f16 (half "
       "the memory and attention reads, "
       "as llama.cpp's default) or f32 (exact comparisons)")
      ("emit", po::value<std::string>(&emit)->default_value("artifact"), "llama-mlir|exec-mlir|plan-json|artifact")
      ("print-ir-after-all", "print the IR after every pass (stderr)")
      ("no-weights", "compile from the config alone; lac-run fills random weights (benchmarking big shapes)")
      ("weights-out", po::value<std::string>(&weights_out), "write the weights to this file beside the .lac")
      ("chat-format", po::value<std::string>(&chat_format)->default_value("auto"),
       "auto|llama3|chatml|none: the chat format lac-run uses; auto recognizes the model's template and "
       "refuses one it does not know")
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

  if (emit != "llama-mlir" && emit != "exec-mlir" && emit != "plan-json" && emit != "artifact")
    return fail(lac::Error::InvalidArgument,
                "--emit=" + emit + ": expected llama-mlir, exec-mlir, plan-json or artifact");
  const bool print_model = vm.count("print-model") > 0;
  if (!print_model && emit == "artifact" && output.empty())
    return fail(lac::Error::InvalidArgument, "no output file: add -o OUT.lac (or --emit=STAGE to print a stage)");
  if (vm.count("max-seq-len")) copts.max_seq_len = lac::cli::get<uint32_t>(vm, "max-seq-len");
  copts.max_batch = lac::cli::get<uint32_t>(vm, "max-batch");
  if (no_weights && !weights_out.empty())
    return fail(lac::Error::InvalidArgument, "--no-weights and --weights-out exclude each other");

  // Read.
  const auto t0 = std::chrono::steady_clock::now();
  lac::import::ReadOptions ro;
  ro.config_only = vm.count("config-only") > 0 || no_weights;
  auto spec = lac::import::readModel(model, ro);
  if (!spec.ok()) return fail(spec.status());
  if (!print_model)
    for (const std::string& w : spec->warnings) std::cerr << "lac-compile: warning: " << w << "\n";
  if (print_model) {
    lac::tools::printModel(*spec, std::cout);
    return 0;
  }
  if (auto r = applyChatFormat(*spec, chat_format); !r.ok()) return fail(r.status());
  if (no_weights) lac::import::declareTensorsFromConfig(*spec, lac::DType::BF16);
  if (auto r = lac::pipeline::resolveOptions(*spec, copts); !r.ok()) return fail(r.status());

  // Build and optimize.
  // MLIR runs nested passes on a thread pool of --threads threads (none for 1).
  const int threads = lac::cli::get<int>(vm, "threads");
  std::unique_ptr<llvm::ThreadPoolInterface> pool;
  mlir::MLIRContext ctx(mlir::MLIRContext::Threading::DISABLED);
  if (threads != 1) {
    pool = std::make_unique<llvm::DefaultThreadPool>(threads == 0 ? llvm::hardware_concurrency()
                                                                  : llvm::hardware_concurrency(threads));
    ctx.setThreadPool(*pool);
  }
  lac::pipeline::loadDialects(ctx);
  auto module = lac::build::buildLlamaModuleOrError(*spec, ctx);
  if (!module.ok()) return fail(module.status());
  mlir::ModuleOp m = module->get();
  if (auto r = lac::pipeline::fuse(m, copts); !r.ok()) return fail(r.status());
  if (emit == "llama-mlir") {
    if (auto r = writeStage(output, printModule(m)); !r.ok()) return fail(r.status());
    return 0;
  }
  if (auto r = lac::pipeline::lowerToPlannedExec(m, copts); !r.ok()) return fail(r.status());
  if (emit == "exec-mlir") {
    if (auto r = writeStage(output, printModule(m)); !r.ok()) return fail(r.status());
    return 0;
  }

  lac::emit::EmitOptions eo;
  eo.path = output;
  if (no_weights) {
    eo.weights = lac::emit::WeightMode::Random;
  } else if (!weights_out.empty()) {
    eo.weights = lac::emit::WeightMode::External;
    eo.weights_out = weights_out;
  }
  if (emit == "plan-json") {
    std::ostringstream json;
    if (auto r = lac::emit::emitPlanJson(m, *spec, json, {}, eo); !r.ok()) return fail(r.status());
    if (auto r = writeStage(output, json.str()); !r.ok()) return fail(r.status());
    return 0;
  }

  // Write the artifact, with a progress bar while weights are packed.
  lac::emit::ProgressBar bar("packing weights", stderr);
  if (!quiet) eo.progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
  auto provider = no_weights ? lac::emit::WeightProvider{} : lac::emit::checkpointWeights(*spec);
  if (auto r = lac::emit::emitArtifact(m, *spec, provider, eo); !r.ok()) return fail(r.status());
  if (!quiet) {
    bar.finish();
    std::fprintf(stderr, "lac-compile: wrote %s in %.2f s\n", output.c_str(), secondsSince(t0));
  }
  return 0;
}
