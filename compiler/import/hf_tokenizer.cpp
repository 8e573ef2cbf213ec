#include "compiler/import/hf_tokenizer.h"

#include <filesystem>
#include <unordered_map>

#include "compiler/import/chat_format.h"
#include "compiler/import/gpt2_bytes.h"
#include "compiler/import/hf_json.h"

namespace lac::import {

using hf::Json;

namespace {

constexpr uint64_t kMaxTokens = 1u << 24;  // the same bound validateSpec puts on vocab_size

// Llama 3's pre-tokenizer regex, as its tokenizer.json spells it.
constexpr const char* kLlama3Regex =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
    "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

struct Ctx {
  std::string file;  // tokenizer.json path, for messages
  const char* f() const { return file.c_str(); }
};

std::string typeOf(const Json& node) {
  if (!node.is_object()) return "";
  auto t = node.find("type");
  return t != node.end() && t->is_string() ? t->get<std::string>() : "";
}

// ---- vocabulary ---------------------------------------------------------------

// model.vocab (GPT-2 characters) and added_tokens (literal) -> dense id table.
// Also fills special_tokens and `by_text` (token text as written -> id).
VoidResult readVocab(const Ctx& c, const Json& model, const Json& root, TokenizerData& out,
                     std::unordered_map<std::string, uint32_t>& by_text) {
  auto vocab = model.find("vocab");
  LAC_CHECK_OR_RETURN(vocab != model.end() && vocab->is_object(), Error::InvalidCheckpoint,
                      "%s: model.vocab is missing or not an object", c.f());
  auto added = root.find("added_tokens");
  const bool has_added = added != root.end() && !added->is_null();
  LAC_CHECK_OR_RETURN(!has_added || added->is_array(), Error::InvalidCheckpoint, "%s: added_tokens is not a list",
                      c.f());
  // Dense ids are all below the number of entries given; this also bounds the table.
  const uint64_t listed = vocab->size() + (has_added ? added->size() : 0);
  std::vector<std::optional<std::string>> table;
  auto place = [&](uint64_t id, std::string bytes) -> VoidResult {
    LAC_CHECK_OR_RETURN(id < listed, Error::InvalidCheckpoint,
                        "%s: token ids are not dense: id %llu is beyond the %llu tokens listed", c.f(),
                        static_cast<unsigned long long>(id), static_cast<unsigned long long>(listed));
    if (id >= table.size()) table.resize(id + 1);
    table[id] = std::move(bytes);
    return {};
  };
  for (const auto& [text, idv] : vocab->items()) {
    LAC_CHECK_OR_RETURN(idv.is_number_unsigned() && idv.get<uint64_t>() < kMaxTokens, Error::InvalidCheckpoint,
                        "%s: model.vocab: token '%s' has id %s, expected an integer below %llu", c.f(), text.c_str(),
                        hf::brief(idv).c_str(), static_cast<unsigned long long>(kMaxTokens));
    const uint64_t id = idv.get<uint64_t>();
    LAC_CHECK_OR_RETURN(id >= table.size() || !table[id], Error::InvalidCheckpoint,
                        "%s: model.vocab: id %llu is given to two tokens", c.f(), static_cast<unsigned long long>(id));
    auto bytes = gpt2CharsToBytes(text);
    LAC_CHECK_OR_RETURN(bytes.has_value(), Error::InvalidCheckpoint,
                        "%s: model.vocab: token '%s' (id %llu) is not made of GPT-2 byte characters", c.f(),
                        text.c_str(), static_cast<unsigned long long>(id));
    LAC_RETURN_IF_ERROR(place(id, std::move(*bytes)));
    by_text.emplace(text, static_cast<uint32_t>(id));
  }

  // Added tokens are matched literally; they may also sit in model.vocab.
  if (has_added) {
    for (const Json& a : *added) {
      auto idv = a.is_object() ? a.find("id") : a.end();
      auto content = a.is_object() ? a.find("content") : a.end();
      LAC_CHECK_OR_RETURN(idv != a.end() && idv->is_number_unsigned() && idv->get<uint64_t>() < kMaxTokens &&
                              content != a.end() && content->is_string(),
                          Error::InvalidCheckpoint, "%s: added_tokens: entry %s lacks an integer id or a content",
                          c.f(), hf::brief(a).c_str());
      const uint32_t id = static_cast<uint32_t>(idv->get<uint64_t>());
      const std::string text = content->get<std::string>();
      LAC_RETURN_IF_ERROR(place(id, text));
      by_text[text] = id;
      auto special = a.find("special");
      if (special != a.end() && special->is_boolean() && special->get<bool>())
        out.special_tokens.push_back({text, id});
    }
  }

  // Ids must be dense 0..N-1.
  LAC_CHECK_OR_RETURN(!table.empty(), Error::InvalidCheckpoint, "%s: the vocabulary is empty", c.f());
  out.tokens.reserve(table.size());
  for (size_t id = 0; id < table.size(); ++id) {
    LAC_CHECK_OR_RETURN(table[id].has_value(), Error::InvalidCheckpoint,
                        "%s: token ids are not dense: id %zu is missing (largest id is %zu)", c.f(), id,
                        table.size() - 1);
    out.tokens.push_back(std::move(*table[id]));
  }
  return {};
}

// ---- merges -----------------------------------------------------------------------

// "a b" (tokenizers < 0.20) or ["a", "b"] (newer); GPT-2 characters -> raw bytes.
VoidResult readMerges(const Ctx& c, const Json& model, TokenizerData& out) {
  auto merges = model.find("merges");
  if (merges == model.end() || merges->is_null()) return {};
  LAC_CHECK_OR_RETURN(merges->is_array(), Error::InvalidCheckpoint, "%s: model.merges is not a list", c.f());
  out.merges.reserve(merges->size());
  size_t index = 0;
  for (const Json& m : *merges) {
    std::string a, b;
    if (m.is_string()) {
      const std::string s = m.get<std::string>();
      const size_t sp = s.find(' ');
      LAC_CHECK_OR_RETURN(sp != std::string::npos && sp > 0 && sp + 1 < s.size() &&
                              s.find(' ', sp + 1) == std::string::npos,
                          Error::InvalidCheckpoint, "%s: model.merges[%zu] '%s' is not two tokens separated by a space",
                          c.f(), index, s.c_str());
      a = s.substr(0, sp);
      b = s.substr(sp + 1);
    } else {
      LAC_CHECK_OR_RETURN(m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string(),
                          Error::InvalidCheckpoint, "%s: model.merges[%zu] is %s, expected \"a b\" or [\"a\", \"b\"]",
                          c.f(), index, hf::brief(m).c_str());
      a = m[0].get<std::string>();
      b = m[1].get<std::string>();
    }
    auto ab = gpt2CharsToBytes(a), bb = gpt2CharsToBytes(b);
    LAC_CHECK_OR_RETURN(ab && bb, Error::InvalidCheckpoint,
                        "%s: model.merges[%zu] ('%s', '%s') is not made of GPT-2 byte characters", c.f(), index,
                        a.c_str(), b.c_str());
    out.merges.emplace_back(std::move(*ab), std::move(*bb));
    ++index;
  }
  return {};
}

// ---- pre-tokenizer, normalizer, decoder -------------------------------------

// Flattens Sequence nodes into their steps.
void flatten(const Json& node, const char* list_key, std::vector<const Json*>& out) {
  if (typeOf(node) == "Sequence") {
    auto steps = node.find(list_key);
    if (steps != node.end() && steps->is_array())
      for (const Json& s : *steps) flatten(s, list_key, out);
  } else if (node.is_object()) {
    out.push_back(&node);
  }
}

VoidResult readPreTokenizer(const Ctx& c, const Json& root, TokenizerData& out) {
  auto norm = root.find("normalizer");
  LAC_CHECK_OR_RETURN(norm == root.end() || norm->is_null(), Error::Unsupported,
                      "%s: normalizer %s is not supported (byte-level BPE without a normalizer only)", c.f(),
                      hf::brief(*norm).c_str());

  std::vector<const Json*> steps;
  auto pre = root.find("pre_tokenizer");
  if (pre != root.end()) flatten(*pre, "pretokenizers", steps);
  bool byte_level = false, byte_level_regex = false, digits = false;
  for (const Json* s : steps) {
    const std::string type = typeOf(*s);
    if (type == "Split") {
      auto pattern = s->find("pattern");
      if (pattern != s->end() && pattern->is_object() && pattern->contains("Regex") && (*pattern)["Regex"].is_string())
        out.pre_tokenizer_regex = (*pattern)["Regex"].get<std::string>();
      else
        LAC_FAIL(Error::Unsupported, "%s: pre_tokenizer Split with pattern %s is not supported (Regex only)", c.f(),
                 pattern != s->end() ? hf::brief(*pattern).c_str() : "(none)");
    } else if (type == "ByteLevel") {
      byte_level = true;
      auto prefix = s->find("add_prefix_space");
      LAC_CHECK_OR_RETURN(prefix == s->end() || !prefix->is_boolean() || !prefix->get<bool>(), Error::Unsupported,
                          "%s: pre_tokenizer ByteLevel with add_prefix_space=true is not supported", c.f());
      auto use_regex = s->find("use_regex");
      byte_level_regex = use_regex == s->end() || !use_regex->is_boolean() || use_regex->get<bool>();
    } else if (type == "Digits") {
      digits = true;
    } else {
      LAC_FAIL(Error::Unsupported, "%s: pre_tokenizer step '%s' is not supported", c.f(), type.c_str());
    }
  }
  const bool byte_decoder = typeOf(root.value("decoder", Json())) == "ByteLevel";
  LAC_CHECK_OR_RETURN(byte_level || byte_decoder, Error::Unsupported,
                      "%s: only byte-level BPE tokenizers are supported (no ByteLevel pre-tokenizer or decoder)",
                      c.f());

  if (!out.pre_tokenizer_regex.empty())
    out.pre_tokenizer = out.pre_tokenizer_regex == kLlama3Regex ? "llama3" : "regex";
  else if (byte_level_regex)
    out.pre_tokenizer = digits ? "smollm" : "gpt2";
  else
    out.pre_tokenizer = "none";
  return {};
}

// ---- tokenizer_config.json: bos/eos/pad, add_bos, chat template ---------------

// "bos_token": "<s>" or {"content": "<s>", ...}.
std::optional<std::string> tokenText(const Json& cfg, const char* key) {
  auto v = cfg.is_object() ? cfg.find(key) : cfg.end();
  if (v == cfg.end()) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_object() && v->contains("content") && (*v)["content"].is_string())
    return (*v)["content"].get<std::string>();
  return std::nullopt;
}

Result<std::optional<uint32_t>> resolveToken(const Json& cfg, const char* key, const std::string& cfg_name,
                                             const std::unordered_map<std::string, uint32_t>& by_text) {
  auto text = tokenText(cfg, key);
  if (!text) return std::optional<uint32_t>();
  auto it = by_text.find(*text);
  LAC_CHECK_OR_RETURN(it != by_text.end(), Error::InvalidCheckpoint, "%s: %s '%s' is not in the vocabulary",
                      cfg_name.c_str(), key, text->c_str());
  return std::optional<uint32_t>(it->second);
}

// The first special token a TemplateProcessing post-processor puts before a
// single sequence ("<|begin_of_text|>" for Llama 3), if any.
std::optional<std::string> templatePrefix(const Json& root) {
  std::vector<const Json*> steps;
  auto post = root.find("post_processor");
  if (post != root.end()) flatten(*post, "processors", steps);
  for (const Json* s : steps) {
    if (typeOf(*s) != "TemplateProcessing") continue;
    auto single = s->find("single");
    if (single == s->end() || !single->is_array() || single->empty()) continue;
    const Json& first = (*single)[0];
    if (first.is_object() && first.contains("SpecialToken") && first["SpecialToken"].is_object() &&
        first["SpecialToken"].contains("id") && first["SpecialToken"]["id"].is_string())
      return first["SpecialToken"]["id"].get<std::string>();
  }
  return std::nullopt;
}

VoidResult readTokenizerConfig(const Json& root, const Json& cfg, const std::string& cfg_name,
                               const std::unordered_map<std::string, uint32_t>& by_text, HfTokenizer& out) {
  TokenizerData& t = out.tokenizer;
  LAC_ASSIGN_OR_RETURN(t.bos_id, resolveToken(cfg, "bos_token", cfg_name, by_text));
  LAC_ASSIGN_OR_RETURN(t.eos_id, resolveToken(cfg, "eos_token", cfg_name, by_text));
  LAC_ASSIGN_OR_RETURN(t.pad_id, resolveToken(cfg, "pad_token", cfg_name, by_text));
  LAC_ASSIGN_OR_RETURN(t.unk_id, resolveToken(cfg, "unk_token", cfg_name, by_text));

  // add_bos: the config's flag wins; else a template that prefixes the bos token.
  LAC_ASSIGN_OR_RETURN(auto add_bos, hf::getBool(cfg, "add_bos_token", cfg_name));
  if (add_bos) {
    t.add_bos = *add_bos;
  } else if (auto prefix = templatePrefix(root)) {
    auto it = by_text.find(*prefix);
    if (it != by_text.end() && (!t.bos_id || *t.bos_id == it->second)) {
      t.bos_id = it->second;
      t.add_bos = true;
    }
  }

  // chat_template: a string, or a list of {name, template} (take "default").
  std::string chat;
  auto ct = cfg.is_object() ? cfg.find("chat_template") : cfg.end();
  if (ct != cfg.end() && ct->is_string()) {
    chat = ct->get<std::string>();
  } else if (ct != cfg.end() && ct->is_array()) {
    for (const Json& e : *ct)
      if (e.is_object() && e.value("name", Json()) == "default" && e.contains("template") && e["template"].is_string())
        chat = e["template"].get<std::string>();
  } else if (ct != cfg.end() && !ct->is_null()) {
    LAC_FAIL(Error::InvalidCheckpoint, "%s: chat_template is neither a string nor a list of {name, template}",
             cfg_name.c_str());
  }
  if (!chat.empty()) out.chat = detectChatFormat(chat, cfg_name);
  return {};
}

Result<HfTokenizer> parseChecked(const std::string& json_text, const std::string& json_name,
                                 const std::string& config_text, const std::string& config_name) {
  const Ctx c{json_name};
  LAC_ASSIGN_OR_RETURN(Json root, hf::parseJson(json_text, json_name));
  LAC_CHECK_OR_RETURN(root.is_object(), Error::InvalidCheckpoint, "%s: not a JSON object", c.f());
  auto model = root.find("model");
  LAC_CHECK_OR_RETURN(model != root.end() && model->is_object(), Error::InvalidCheckpoint,
                      "%s: \"model\" is missing or not an object", c.f());
  const std::string type = typeOf(*model);
  LAC_CHECK_OR_RETURN(type == "BPE" || (type.empty() && model->contains("merges")), Error::Unsupported,
                      "%s: tokenizer model type '%s' is not supported (BPE only)", c.f(), type.c_str());

  HfTokenizer out;
  TokenizerData& t = out.tokenizer;
  t.kind = TokenizerKind::Gpt2Bpe;
  t.source = json_name;
  std::unordered_map<std::string, uint32_t> by_text;
  LAC_RETURN_IF_ERROR(readVocab(c, *model, root, t, by_text));
  LAC_RETURN_IF_ERROR(readMerges(c, *model, t));
  LAC_RETURN_IF_ERROR(readPreTokenizer(c, root, t));
  auto ignore = model->find("ignore_merges");
  if (ignore != model->end() && ignore->is_boolean())
    out.metadata["tokenizer.ignore_merges"] = ignore->get<bool>() ? "true" : "false";

  Json cfg = Json::object();
  if (!config_text.empty()) {
    LAC_ASSIGN_OR_RETURN(cfg, hf::parseJson(config_text, config_name));
    LAC_CHECK_OR_RETURN(cfg.is_object(), Error::InvalidCheckpoint, "%s: not a JSON object", config_name.c_str());
  }
  LAC_RETURN_IF_ERROR(readTokenizerConfig(root, cfg, config_name, by_text, out));
  return out;
}

}  // namespace

Result<HfTokenizer> parseHfTokenizer(const std::string& tokenizer_json, const std::string& tokenizer_json_name,
                                     const std::string& config_json, const std::string& config_json_name) {
  try {
    return parseChecked(tokenizer_json, tokenizer_json_name, config_json, config_json_name);
  } catch (const Json::exception& e) {  // a type mismatch the checks above did not foresee
    LAC_FAIL(Error::InvalidCheckpoint, "%s: unexpected JSON structure (%s)", tokenizer_json_name.c_str(), e.what());
  }
}

Result<HfTokenizer> readHfTokenizer(const std::string& folder) {
  namespace fs = std::filesystem;
  const fs::path dir(folder);
  const std::string json_path = (dir / "tokenizer.json").string();
  const std::string config_path = (dir / "tokenizer_config.json").string();
  std::error_code ec;
  LAC_CHECK_OR_RETURN(fs::exists(json_path, ec), Error::NotFound,
                      "%s: no tokenizer.json (only Hugging Face fast tokenizers are supported)", folder.c_str());
  LAC_ASSIGN_OR_RETURN(std::string json_text, hf::readTextFile(json_path));
  std::string config_text;
  if (fs::exists(config_path, ec)) {
    LAC_ASSIGN_OR_RETURN(config_text, hf::readTextFile(config_path));
  }
  LAC_ASSIGN_OR_RETURN(HfTokenizer out, parseHfTokenizer(json_text, json_path, config_text, config_path));

  // Newer checkpoints keep the template in its own file.
  const std::string jinja_path = (dir / "chat_template.jinja").string();
  if (out.chat.kind == ChatFormatKind::None && fs::exists(jinja_path, ec)) {
    LAC_ASSIGN_OR_RETURN(std::string chat, hf::readTextFile(jinja_path));
    out.chat = detectChatFormat(chat, jinja_path);
  }
  return out;
}

}  // namespace lac::import
