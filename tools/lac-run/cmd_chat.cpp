// lac-run chat: interactive chat on stdin, or Meta-style dialogs from a file
// (Meta's chat_completion).
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "runtime/chat/dialog_json.h"
#include "runtime/generate/completion.h"
#include "runtime/generate/plan_tokenizer.h"
#include "tools/lac-run/common.h"
#include "tools/lac-run/json_out.h"

namespace lac::run {

namespace {

constexpr const char* kUsage = R"(lac-run chat — chat with an instruction-tuned model

Usage:
  lac-run chat MODEL.lac [--system TEXT] [options]          interactive
  lac-run chat MODEL.lac --dialogs FILE.json [--json] [options]
  lac-run chat MODEL.lac --dialogs FILE.json --print-prompt [--json]

Interactive: each line on stdin is a user message; the answer streams back and
the conversation is kept. `/exit` or end of input ends it.

--dialogs reads Meta's format (example_chat_completion.py): a JSON list of
dialogs, each a list of {"role": "system"|"user"|"assistant", "content": ...}
messages: an optional system message, then user and assistant alternating,
ending with a user message. With the model's own (Jinja) chat template, an
assistant message may carry "tool_calls" (content null) followed by "tool"
messages with the results; other keys reach the template as they are. All
dialogs run as one batch.

--print-prompt prints each dialog's prompt as the model's chat format renders
it (special tokens as their text) and generates nothing; with --json, the
prompt text and its token ids. No engine is started.

Most artifacts carry the checkpoint's own Jinja chat template (lac-compile
--chat-format, docs/CHAT.md); it is rendered as transformers'
apply_chat_template renders it, with messages, add_generation_prompt=true,
bos_token and eos_token. --chat-template-kwargs adds variables (a JSON object,
e.g. '{"date_string": "7 Dec 2026"}' or '{"tools": [...]}').

Examples:
  lac-run chat smollm2.lac --system "Answer in one sentence."
  echo 'What is 2+2?' | lac-run chat smollm2.lac --temperature 0
  lac-run chat llama3.lac --dialogs dialogs.json --json --max-gen-len 256
  lac-run chat smollm2.lac --dialogs dialogs.json --print-prompt
  lac-run chat llama31.lac --dialogs d.json --print-prompt --chat-template-kwargs '{"date_string": "7 Dec 2026"}'

Options)";

Result<std::vector<chat::Dialog>> readDialogs(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  LAC_CHECK_OR_RETURN(f.good(), Error::NotFound, "%s: cannot open the dialogs file", path.c_str());
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  LAC_RETURN_IF_ERROR(checkUtf8(text, path));
  LAC_ASSIGN_OR_RETURN(auto dialogs, chat::parseDialogs(text, path));
  LAC_CHECK_OR_RETURN(!dialogs.empty(), Error::InvalidArgument, "%s: no dialogs", path.c_str());
  return dialogs;
}

int runDialogs(generate::LoadedModel& m, const std::vector<chat::Dialog>& dialogs,
               const generate::GenerateOptions& opts, bool json) {
  auto outs = generate::chatCompletion(m, dialogs, opts);
  if (!outs.ok()) return fail(outs.status());
  if (json) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& o : *outs) {
      nlohmann::ordered_json j;
      j["generation"] = {{"role", "assistant"}, {"content", o.message.content}};
      auto c = completionJson(o.completion, opts.logprobs);
      j["tokens"] = c["tokens"];
      if (opts.logprobs) j["logprobs"] = c["logprobs"];
      j["finish_reason"] = c["finish_reason"];
      arr.push_back(std::move(j));
    }
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  for (size_t i = 0; i < dialogs.size(); ++i) {
    for (const auto& msg : dialogs[i]) std::cout << chat::roleName(msg.role) << ": " << msg.content << "\n\n";
    std::cout << "> assistant: " << (*outs)[i].message.content << "\n\n==================================\n\n";
  }
  return 0;
}

// --print-prompt: the rendered prompts, from the artifact's tokenizer and
// chat format alone.
int printPrompts(const std::string& path, const std::vector<chat::Dialog>& dialogs, const chat::ChatContext& ctx,
                 bool json) {
  auto a = openArtifact(path);
  if (!a.ok()) return fail(a.status());
  auto tok = loadTokenizer(*a);
  if (!tok.ok()) return fail(tok.status());
  generate::LoadedModel m{a->name(), std::move(tok).value(), generate::chatTemplateFromPlan(a->plan()), {}, {},
                          nullptr};
  if (!m.chat) return fail(Error::InvalidArgument, path + ": the model has no chat format (use lac-run complete)");
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (size_t i = 0; i < dialogs.size(); ++i) {
    auto segments = chat::formatDialog(*m.chat, dialogs[i], ctx);
    if (!segments.ok()) return fail(segments.error(), "dialog " + std::to_string(i) + ": " + segments.message());
    std::string text;
    for (const chat::PromptSegment& seg : *segments) text += seg.text;
    if (!json) {
      std::cout << text << "\n==================================\n";
      continue;
    }
    auto ids = generate::encodeChatPrompt(m, dialogs[i], ctx);
    if (!ids.ok()) return fail(ids.error(), "dialog " + std::to_string(i) + ": " + ids.message());
    arr.push_back({{"prompt", text}, {"token_ids", *ids}});
  }
  if (json) std::cout << arr.dump(2) << "\n";
  return 0;
}

int runInteractive(generate::LoadedModel& m, const generate::GenerateOptions& opts, const std::string& system) {
  chat::Dialog dialog;
  if (!system.empty()) dialog.push_back({chat::Role::System, system});
  const bool tty = isatty(STDIN_FILENO);
  std::string line;
  for (;;) {
    if (tty) std::cout << "> " << std::flush;
    if (!std::getline(std::cin, line) || line == "/exit") break;
    if (line.empty()) continue;
    if (auto u = checkUtf8(line, "input"); !u.ok()) {
      fail(u.status());
      continue;
    }
    dialog.push_back({chat::Role::User, line});
    auto outs = generate::chatCompletion(m, {dialog}, opts, [](size_t, std::string_view t) {
      std::cout << t << std::flush;
    });
    std::cout << "\n";
    if (!outs.ok()) {  // e.g. the conversation outgrew the context: drop this turn, go on
      fail(outs.status());
      dialog.pop_back();
      continue;
    }
    dialog.push_back((*outs)[0].message);
  }
  return 0;
}

}  // namespace

int cmdChat(int argc, char** argv) {
  po::options_description visible(kUsage);
  visible.add_options()
      ("help,h", "show this help")
      ("system", po::value<std::string>()->default_value(""), "system message (interactive)")
      ("dialogs", po::value<std::string>(), "run the dialogs in FILE.json instead of reading stdin")
      ("json", "print the results as JSON (with --dialogs)")
      ("print-prompt", "print each dialog's rendered prompt (with --dialogs) and generate nothing")
      ("chat-template-kwargs", po::value<std::string>()->default_value(""),
       "JSON object: extra variables for the model's Jinja chat template")
      ("threads", cli::number<int>(0, 4096)->default_value(0), "CPU threads; 0 = all cores");
  visible.add(samplingOptions(false));
  po::variables_map vm;
  int code = 0;
  if (!parseModelArgs(argc, argv, kUsage, visible, vm, &code)) return code;

  auto early = generateOptions(vm, {});
  if (!early.ok()) return fail(early.status());
  const std::string system = vm["system"].as<std::string>();
  if (auto s = checkUtf8(system, "--system"); !s.ok()) return fail(s.status());
  std::vector<chat::Dialog> dialogs;
  if (vm.count("dialogs")) {
    auto d = readDialogs(vm["dialogs"].as<std::string>());
    if (!d.ok()) return fail(d.status());
    dialogs = std::move(d).value();
  } else if (vm.count("json")) {
    return fail(Error::InvalidArgument, "--json needs --dialogs (see lac-run chat --help)");
  } else if (vm.count("print-prompt")) {
    return fail(Error::InvalidArgument, "--print-prompt needs --dialogs (see lac-run chat --help)");
  }
  chat::ChatContext ctx;
  ctx.template_kwargs_json = vm["chat-template-kwargs"].as<std::string>();
  if (auto k = checkUtf8(ctx.template_kwargs_json, "--chat-template-kwargs"); !k.ok()) return fail(k.status());
  if (vm.count("print-prompt"))
    return printPrompts(vm["model"].as<std::string>(), dialogs, ctx, vm.count("json") > 0);

  auto loaded = loadModel(vm["model"].as<std::string>(), {cli::get<int>(vm, "threads"), 0});
  if (!loaded.ok()) return fail(loaded.status());
  generate::LoadedModel& m = (*loaded)->model;
  if (!m.chat) return fail(Error::InvalidArgument, vm["model"].as<std::string>() +
                                                       ": the model has no chat format (use lac-run complete)");
  auto opts = generateOptions(vm, m.defaults);
  if (!opts.ok()) return fail(opts.status());
  opts->chat_template_kwargs = ctx.template_kwargs_json;
  if (!dialogs.empty()) return runDialogs(m, dialogs, *opts, vm.count("json") > 0);
  return runInteractive(m, *opts, system);
}

}  // namespace lac::run
