// lac-run: errors, option parsing, sampling options, UTF-8 checks.
#include "tools/lac-run/common.h"

#include <iostream>
#include <random>

#include "runtime/sampling/sampler.h"
#include "runtime/tokenizer/utf8.h"

namespace lac::run {

// --- Errors --------------------------------------------------------------------------------

int fail(Error kind, const std::string& message) {
  std::cerr << "lac-run: error: " << message << "\n";
  return exitCodeFor(kind);
}

int fail(const Status& s) { return fail(s.kind, s.message); }

bool parseArgs(int argc, char** argv, const char* usage, const po::options_description& visible,
               const po::options_description& hidden, const po::positional_options_description& pos,
               po::variables_map& vm, int* exit_code) {
  po::options_description all;
  all.add(visible).add(hidden);
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    *exit_code = fail(Error::InvalidArgument, std::string(e.what()) + " (see lac-run " + argv[0] + " --help)");
    return false;
  }
  if (vm.count("help")) {
    std::cout << visible << "\n";
    *exit_code = 0;
    return false;
  }
  return true;
}

bool parseModelArgs(int argc, char** argv, const char* usage, const po::options_description& visible,
                    po::variables_map& vm, int* exit_code) {
  po::options_description hidden;
  hidden.add_options()("model", po::value<std::string>());
  po::positional_options_description pos;
  pos.add("model", 1);
  if (!parseArgs(argc, argv, usage, visible, hidden, pos, vm, exit_code)) return false;
  if (!vm.count("model")) {
    *exit_code = fail(Error::InvalidArgument, std::string("no MODEL.lac given (see lac-run ") + argv[0] + " --help)");
    return false;
  }
  return true;
}

// --- Generation options ----------------------------------------------------------------------

po::options_description samplingOptions(bool echo) {
  po::options_description o("Generation");
  o.add_options()
      ("max-gen-len", cli::number<uint32_t>(), "most tokens to generate (default: the artifact's, else up to max_seq_len)")
      ("temperature", cli::number<float>(), "softmax temperature, >= 0; 0 = greedy (default: the artifact's, 0.6)")
      ("top-p", cli::number<float>(), "nucleus sampling, in (0, 1]; 1 = off (default: the artifact's, 0.9)")
      ("top-k", cli::number<int32_t>(0, INT32_MAX)->default_value(0), "keep the k most likely tokens; 0 = off")
      ("min-p", cli::number<float>()->default_value(0.0f), "drop tokens below min-p x the top probability; 0 = off")
      ("repeat-penalty", cli::number<float>()->default_value(1.0f), "penalty on the last 64 tokens; 1 = off")
      ("seed", cli::number<uint64_t>(), "random seed (default: a random one)")
      ("logprobs", "report each token's log-probability")
      ("top-logprobs", cli::number<uint32_t>(0, 20)->default_value(0),
       "and the N most likely tokens at each generated step (--json; N <= 20)");
  if (echo) o.add_options()("echo", "include the prompt (and its logprobs) in the output");
  return o;
}

Result<generate::GenerateOptions> generateOptions(const po::variables_map& vm,
                                                  const generate::GenerationDefaults& d) {
  generate::GenerateOptions o;
  o.max_gen_len = vm.count("max-gen-len") ? cli::get<uint32_t>(vm, "max-gen-len") : d.max_gen_len;
  o.temperature = vm.count("temperature") ? cli::get<float>(vm, "temperature") : d.temperature;
  o.top_p = vm.count("top-p") ? cli::get<float>(vm, "top-p") : d.top_p;
  o.top_k = cli::get<int32_t>(vm, "top-k");
  o.min_p = cli::get<float>(vm, "min-p");
  o.repetition_penalty = cli::get<float>(vm, "repeat-penalty");
  o.seed = vm.count("seed") ? cli::get<uint64_t>(vm, "seed") : (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  o.logprobs = vm.count("logprobs") > 0;
  o.top_logprobs = cli::get<uint32_t>(vm, "top-logprobs");
  o.echo = vm.count("echo") > 0;
  LAC_RETURN_IF_ERROR(sampling::validateSamplerOptions(generate::samplerOptions(o)));
  return o;
}

VoidResult checkUtf8(std::string_view text, std::string_view what) {
  const size_t bad = utf8::firstInvalid(text);
  LAC_CHECK_OR_RETURN(bad == std::string_view::npos, Error::InvalidArgument, "%.*s: not valid UTF-8 at byte %zu",
                      int(what.size()), what.data(), bad);
  return {};
}

}  // namespace lac::run
