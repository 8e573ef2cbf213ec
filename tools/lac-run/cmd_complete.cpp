// lac-run complete: text completion (Meta's text_completion).
#include <fstream>
#include <iostream>
#include <sstream>

#include "tools/lac-run/common.h"
#include "tools/lac-run/json_out.h"

namespace lac::run {

namespace {

constexpr const char* kUsage = R"(lac-run complete — continue text prompts

Usage:
  lac-run complete MODEL.lac "prompt" [more prompts...] [options]
  lac-run complete MODEL.lac --prompts-file FILE [options]

One prompt streams its continuation to stdout as it is generated. Several
prompts run as one batch (at most the model's max batch) and print as
  PROMPT
  > GENERATION
  ==================================
Prompts begin with BOS when the tokenizer adds one; text like <|eot_id|> in a
prompt is plain text. Generation stops at the model's stop tokens.

Examples:
  lac-run complete smollm2.lac "The capital of France is" --max-gen-len 32
  lac-run complete smollm2.lac "1, 2, 3," --temperature 0 --logprobs --json
  lac-run complete llama3.lac "Hi" "Hello" --seed 1 --top-p 0.95 --echo --json

Options)";

// Prompts from positional arguments and --prompts-file (one per line).
Result<std::vector<std::string>> readPrompts(const po::variables_map& vm) {
  std::vector<std::string> prompts;
  if (vm.count("prompt")) prompts = vm["prompt"].as<std::vector<std::string>>();
  if (vm.count("prompts-file")) {
    const std::string path = vm["prompts-file"].as<std::string>();
    std::ifstream f(path);
    LAC_CHECK_OR_RETURN(f.good(), Error::NotFound, "%s: cannot open the prompts file", path.c_str());
    std::string line;
    while (std::getline(f, line))
      if (!line.empty()) prompts.push_back(line);
  }
  LAC_CHECK_OR_RETURN(!prompts.empty(), Error::InvalidArgument, "no prompt given (see lac-run complete --help)");
  for (size_t i = 0; i < prompts.size(); ++i)
    LAC_RETURN_IF_ERROR(checkUtf8(prompts[i], "prompt " + std::to_string(i)));
  return prompts;
}

}  // namespace

int cmdComplete(int argc, char** argv) {
  po::options_description visible(kUsage);
  visible.add_options()
      ("help,h", "show this help")
      ("prompts-file", po::value<std::string>(), "read prompts from FILE, one per line")
      ("json", "print the results as JSON")
      ("threads", cli::number<int>(0, 4096)->default_value(0), "CPU threads; 0 = all cores");
  visible.add(samplingOptions(true));
  po::options_description hidden;
  hidden.add_options()("model", po::value<std::string>())("prompt", po::value<std::vector<std::string>>());
  po::positional_options_description pos;
  pos.add("model", 1).add("prompt", -1);
  po::variables_map vm;
  int code = 0;
  if (!parseArgs(argc, argv, kUsage, visible, hidden, pos, vm, &code)) return code;
  if (!vm.count("model")) return fail(Error::InvalidArgument, "no MODEL.lac given (see lac-run complete --help)");

  auto early = generateOptions(vm, {});
  if (!early.ok()) return fail(early.status());
  auto prompts = readPrompts(vm);
  if (!prompts.ok()) return fail(prompts.status());

  auto loaded = loadModel(vm["model"].as<std::string>(), {cli::get<int>(vm, "threads"), 0});
  if (!loaded.ok()) return fail(loaded.status());
  generate::LoadedModel& m = (*loaded)->model;
  auto opts = generateOptions(vm, m.defaults);
  if (!opts.ok()) return fail(opts.status());

  const bool json = vm.count("json") > 0;
  const bool stream = !json && prompts->size() == 1;
  if (stream && opts->echo) std::cout << (*prompts)[0] << std::flush;
  generate::TextCallback on_text;
  if (stream) on_text = [](size_t, std::string_view t) { std::cout << t << std::flush; };
  auto outs = generate::textCompletion(m, *prompts, *opts, on_text);
  if (!outs.ok()) {
    if (stream) std::cout << "\n";
    return fail(outs.status());
  }

  if (json) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (size_t i = 0; i < outs->size(); ++i) {
      auto j = completionJson((*outs)[i], opts->logprobs);
      j["prompt"] = (*prompts)[i];
      arr.push_back(std::move(j));
    }
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  if (stream) {
    std::cout << "\n";
  } else {
    for (size_t i = 0; i < outs->size(); ++i)
      std::cout << (*prompts)[i] << "\n> " << (*outs)[i].generation << "\n\n==================================\n\n";
  }
  if (opts->logprobs)
    for (size_t i = 0; i < outs->size(); ++i) {
      std::cout << "logprobs" << (outs->size() > 1 ? " of prompt " + std::to_string(i) : "") << ":\n";
      const auto& o = (*outs)[i];
      for (size_t k = 0; k < o.pieces.size(); ++k)
        std::cout << "  " << o.token_ids[k] << "\t" << nlohmann::json(o.pieces[k]).dump() << "\t" << o.logprobs[k]
                  << "\n";
    }
  return 0;
}

}  // namespace lac::run
