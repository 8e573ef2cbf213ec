// lac-run tokenize / detokenize: the artifact's tokenizer alone (no engine).
#include <iostream>

#include <nlohmann/json.hpp>

#include "tools/lac-run/common.h"

namespace lac::run {

namespace {

constexpr const char* kTokenizeUsage = R"(lac-run tokenize — text to token ids with the model's tokenizer

Usage:
  lac-run tokenize MODEL.lac "text" [--bos] [--eos] [--special] [--pieces]

Prints the ids on one line, or with --pieces one line per token: id, then the
token's bytes as a JSON string. --special turns special-token text such as
<|eot_id|> into its token (by default it is plain text, Meta's rule).

Examples:
  lac-run tokenize smollm2.lac "Hello world"
  lac-run tokenize llama3.lac "<|start_header_id|>user" --special --pieces

Options)";

constexpr const char* kDetokenizeUsage = R"(lac-run detokenize — token ids to text

Usage:
  lac-run detokenize MODEL.lac ID...

Prints the decoded text (invalid UTF-8 becomes U+FFFD).

Examples:
  lac-run detokenize smollm2.lac 19556 905

Options)";

}  // namespace

int cmdTokenize(int argc, char** argv) {
  po::options_description visible(kTokenizeUsage);
  visible.add_options()
      ("help,h", "show this help")
      ("bos", "start with the BOS token")
      ("eos", "end with the EOS token")
      ("special", "special-token text becomes the special token")
      ("pieces", "one line per token: id and its bytes");
  po::options_description hidden;
  hidden.add_options()("model", po::value<std::string>())("text", po::value<std::string>());
  po::positional_options_description pos;
  pos.add("model", 1).add("text", 1);
  po::variables_map vm;
  int code = 0;
  if (!parseArgs(argc, argv, kTokenizeUsage, visible, hidden, pos, vm, &code)) return code;
  if (!vm.count("model") || !vm.count("text"))
    return fail(Error::InvalidArgument, "usage: lac-run tokenize MODEL.lac \"text\" (see --help)");
  const std::string text = vm["text"].as<std::string>();
  if (auto u = checkUtf8(text, "text"); !u.ok()) return fail(u.status());
  auto a = openArtifact(vm["model"].as<std::string>(), false);
  if (!a.ok()) return fail(a.status());
  auto tok = loadTokenizer(*a);
  if (!tok.ok()) return fail(tok.status());
  auto ids = tok->encode(text, vm.count("bos") > 0, vm.count("eos") > 0,
                         vm.count("special") ? SpecialMode::Recognize : SpecialMode::Plain);
  if (!ids.ok()) return fail(ids.status());
  if (vm.count("pieces")) {
    for (uint32_t id : *ids) {
      auto bytes = tok->tokenToBytes(id);
      if (!bytes.ok()) return fail(bytes.status());
      std::string shown;
      for (unsigned char c : *bytes) {  // JSON string with \xNN for non-ASCII bytes of partial characters
        if (c == '"' || c == '\\') shown += std::string("\\") + char(c);
        else if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          shown += buf;
        } else shown += char(c);
      }
      std::cout << id << "\t\"" << shown << "\"\n";
    }
    return 0;
  }
  for (size_t i = 0; i < ids->size(); ++i) std::cout << (i ? " " : "") << (*ids)[i];
  std::cout << "\n";
  return 0;
}

int cmdDetokenize(int argc, char** argv) {
  po::options_description visible(kDetokenizeUsage);
  visible.add_options()("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("model", po::value<std::string>())("id", po::value<std::vector<std::string>>());
  po::positional_options_description pos;
  pos.add("model", 1).add("id", -1);
  po::variables_map vm;
  int code = 0;
  if (!parseArgs(argc, argv, kDetokenizeUsage, visible, hidden, pos, vm, &code)) return code;
  if (!vm.count("model")) return fail(Error::InvalidArgument, "usage: lac-run detokenize MODEL.lac ID... (see --help)");
  std::vector<uint32_t> ids;
  if (vm.count("id"))
    for (const std::string& s : vm["id"].as<std::vector<std::string>>()) {
      uint32_t v = 0;
      if (!cli::parseStrict(s, v))
        return fail(Error::InvalidArgument, "token id '" + s + "' is not an integer from 0 to 4294967295");
      ids.push_back(v);
    }
  auto a = openArtifact(vm["model"].as<std::string>(), false);
  if (!a.ok()) return fail(a.status());
  auto tok = loadTokenizer(*a);
  if (!tok.ok()) return fail(tok.status());
  auto text = tok->decode(ids);
  if (!text.ok()) return fail(text.status());
  std::cout << *text << "\n";
  return 0;
}

}  // namespace lac::run
