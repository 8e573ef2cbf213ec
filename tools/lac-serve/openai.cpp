#include "tools/lac-serve/openai.h"

#include <cmath>

#include "runtime/chat/dialog.h"
#include "runtime/generate/completion.h"
#include "runtime/tokenizer/utf8.h"

namespace lac::server {

namespace {

constexpr uint32_t kMaxN = 16;
constexpr size_t kMaxStops = 4;

ApiError bad(std::string param, std::string message) {
  ApiError e;
  e.param = std::move(param);
  e.message = std::move(message);
  return e;
}

bool validUtf8(const std::string& s) { return utf8::firstInvalid(s) == std::string::npos; }

// Typed optional fields: absent (or null) leaves `out` as it is.
std::optional<ApiError> getNumber(const Json& j, const char* key, double lo, double hi, double& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) return bad(key, std::string("'") + key + "' must be a number");
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < lo || v > hi)
    return bad(key, std::string("'") + key + "' is " + it->dump() + "; expected a number in [" + Json(lo).dump() +
                        ", " + Json(hi).dump() + "]");
  out = v;
  return std::nullopt;
}

std::optional<ApiError> getInt(const Json& j, const char* key, int64_t lo, int64_t hi, int64_t& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) return bad(key, std::string("'") + key + "' must be an integer");
  const int64_t v = it->get<int64_t>();
  if (v < lo || v > hi)
    return bad(key, std::string("'") + key + "' is " + std::to_string(v) + "; expected " + std::to_string(lo) +
                        " to " + std::to_string(hi));
  out = v;
  return std::nullopt;
}

std::optional<ApiError> getBool(const Json& j, const char* key, bool& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) return bad(key, std::string("'") + key + "' must be true or false");
  out = it->get<bool>();
  return std::nullopt;
}

#define API_TRY(expr)                          \
  do {                                         \
    if (auto e_ = (expr)) return e_;           \
  } while (0)

// The sampling fields both endpoints take.
std::optional<ApiError> parseSampling(const Json& j, const generate::LoadedModel& m, ApiRequest& r) {
  serve::RequestOptions& o = r.options;
  double temperature = m.defaults.temperature, top_p = m.defaults.top_p, min_p = 0, rep = 1;
  API_TRY(getNumber(j, "temperature", 0.0, 2.0, temperature));
  API_TRY(getNumber(j, "top_p", 0.0, 1.0, top_p));
  if (!(top_p > 0)) return bad("top_p", "'top_p' must be in (0, 1]");
  API_TRY(getNumber(j, "min_p", 0.0, 1.0, min_p));
  API_TRY(getNumber(j, "repetition_penalty", 0.01, 100.0, rep));
  int64_t top_k = 0, seed = 0, n = 1;
  API_TRY(getInt(j, "top_k", 0, 1 << 20, top_k));
  API_TRY(getInt(j, "seed", INT64_MIN, INT64_MAX, seed));
  API_TRY(getInt(j, "n", 1, kMaxN, n));
  o.temperature = float(temperature);
  o.top_p = float(top_p);
  o.min_p = float(min_p);
  o.repetition_penalty = float(rep);
  o.top_k = int32_t(top_k);
  o.seed = uint64_t(seed);
  r.n = uint32_t(n);
  API_TRY(getBool(j, "stream", r.stream));
  if (auto it = j.find("stream_options"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return bad("stream_options", "'stream_options' must be an object");
    API_TRY(getBool(*it, "include_usage", r.include_usage));
  }
  if (auto it = j.find("model"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return bad("model", "'model' must be a string");
    r.model = it->get<std::string>();
  }
  if (r.model.empty()) r.model = m.name;
  if (auto it = j.find("stop"); it != j.end() && !it->is_null()) {
    std::vector<std::string> stops;
    if (it->is_string()) {
      stops.push_back(it->get<std::string>());
    } else if (it->is_array() && it->size() <= kMaxStops) {
      for (const Json& s : *it) {
        if (!s.is_string()) return bad("stop", "'stop' must be a string or a list of strings");
        stops.push_back(s.get<std::string>());
      }
    } else {
      return bad("stop", "'stop' must be a string or a list of at most 4 strings");
    }
    for (const std::string& s : stops) {
      if (s.empty() || !validUtf8(s)) return bad("stop", "each stop string must be non-empty valid UTF-8");
      o.stop_strings.push_back(s);
    }
  }
  o.stop_ids = m.stop_ids;
  return std::nullopt;
}

// content: a string, or a list of {"type": "text", "text": ...} parts.
std::optional<ApiError> messageContent(const Json& c, size_t i, std::string& out) {
  const std::string param = "messages[" + std::to_string(i) + "].content";
  if (c.is_string()) {
    out = c.get<std::string>();
  } else if (c.is_array()) {
    for (const Json& part : c) {
      if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
          !part["text"].is_string())
        return bad(param, param + ": only text parts ({\"type\": \"text\", \"text\": ...}) are supported");
      out += part["text"].get<std::string>();
    }
  } else {
    return bad(param, param + " must be a string or a list of text parts");
  }
  if (!validUtf8(out)) return bad(param, param + " is not valid UTF-8");
  return std::nullopt;
}

std::optional<ApiError> checkLength(size_t prompt, ApiRequest& r, uint32_t ctx, const char* max_field) {
  if (prompt == 0) return bad("prompt", "the prompt is empty");
  if (prompt >= ctx)
    return bad("messages", "the prompt has " + std::to_string(prompt) + " tokens; the context is " +
                               std::to_string(ctx) + " tokens, which leaves no room for an answer");
  const uint64_t room = ctx - prompt;
  if (r.options.max_tokens == 0) r.options.max_tokens = uint32_t(room);
  if (r.options.max_tokens > room)
    return bad(max_field, "the prompt (" + std::to_string(prompt) + " tokens) plus " + max_field + " (" +
                              std::to_string(r.options.max_tokens) + ") is more than the context (" +
                              std::to_string(ctx) + " tokens)");
  return std::nullopt;
}

}  // namespace

Json ApiError::body() const {
  Json e = {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}};
  if (!param.empty()) e["param"] = param;
  if (status == 401) e["code"] = "invalid_api_key";
  return Json{{"error", e}};
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

const char* finishName(serve::FinishReason f) { return f == serve::FinishReason::Length ? "length" : "stop"; }

std::optional<ApiError> parseRequest(Endpoint endpoint, const std::string& body, const generate::LoadedModel& model,
                                     uint32_t ctx, ApiRequest& r) {
  r = ApiRequest{};
  r.endpoint = endpoint;
  if (!validUtf8(body)) return bad("", "the request body is not valid UTF-8");
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad("", "the request body is not valid JSON");
  if (!j.is_object()) return bad("", "the request body must be a JSON object");
  API_TRY(parseSampling(j, model, r));
  const char* max_field = j.contains("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
  int64_t max_tokens = 0;
  API_TRY(getInt(j, max_field, 1, INT32_MAX, max_tokens));
  r.options.max_tokens = uint32_t(max_tokens);

  if (endpoint == Endpoint::Chat) {
    bool logprobs = false;
    int64_t top = 0;
    API_TRY(getBool(j, "logprobs", logprobs));
    API_TRY(getInt(j, "top_logprobs", 0, 20, top));
    if (top > 0 && !logprobs) return bad("top_logprobs", "'top_logprobs' needs 'logprobs': true");
    r.options.logprobs = logprobs;
    r.options.top_logprobs = uint32_t(top);
    auto it = j.find("messages");
    if (it == j.end() || !it->is_array() || it->empty())
      return bad("messages", "'messages' must be a non-empty list of {role, content}");
    if (!model.chat) return bad("messages", "this model has no chat format; use /v1/completions");
    chat::Dialog dialog;
    // Messages' other keys (tool_calls, tool_call_id, name) in the client's order.
    std::optional<nlohmann::ordered_json> ordered_messages;
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& msg = (*it)[i];
      const std::string param = "messages[" + std::to_string(i) + "]";
      if (!msg.is_object() || !msg.contains("role") || !msg["role"].is_string())
        return bad(param, param + " must be an object with a string 'role'");
      std::optional<chat::Role> role = chat::parseRole(msg["role"].get<std::string>());
      if (!role)
        return bad(param + ".role", param + ".role '" + msg["role"].get<std::string>() +
                                        "' is not system, user, assistant or tool");
      chat::Message m{*role, {}};
      if (msg.size() > 2 || !msg.contains("content")) {
        if (!ordered_messages)
          ordered_messages = nlohmann::ordered_json::parse(body, nullptr, false)["messages"];
        nlohmann::ordered_json extra = nlohmann::ordered_json::object();
        for (const auto& [k, v] : (*ordered_messages)[i].items())
          if (k != "role" && k != "content") extra[k] = v;
        if (extra.contains("tool_calls") && !extra["tool_calls"].is_null()) {
          if (!extra["tool_calls"].is_array())
            return bad(param + ".tool_calls", param + ".tool_calls must be a list");
          m.has_tool_calls = true;
        }
        if (!extra.empty()) m.extra_json = extra.dump();
      }
      if (!msg.contains("content") || msg["content"].is_null()) {
        if (!m.has_tool_calls) return bad(param + ".content", param + " has no content");
        m.content_null = true;
      } else {
        API_TRY(messageContent(msg["content"], i, m.content));
      }
      dialog.push_back(std::move(m));
    }
    if (VoidResult v = chat::validateDialog(dialog, "messages"); !v.ok()) return bad("messages", v.message());
    // Template variables: OpenAI's `tools` (the template's `tools`, as
    // transformers passes them), then vLLM's and llama-server's
    // chat_template_kwargs, which may override it. Re-read in document order:
    // a template's tojson prints keys in the order the client sent them.
    chat::ChatContext chat_ctx;
    const bool has_tools = j.contains("tools") && !j["tools"].is_null();
    const bool has_kwargs = j.contains("chat_template_kwargs") && !j["chat_template_kwargs"].is_null();
    if (has_tools || has_kwargs) {
      const auto ordered = nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
      nlohmann::ordered_json vars = nlohmann::ordered_json::object();
      if (has_tools) {
        if (!ordered["tools"].is_array()) return bad("tools", "'tools' must be a list of tool definitions");
        if (model.chat->kind != chat::ChatFormatKind::Jinja)
          return bad("tools", "this model's chat format has no tool definitions; compile it with its own chat "
                              "template (lac-compile --chat-format jinja)");
        vars["tools"] = ordered["tools"];
      }
      if (has_kwargs) {
        if (!ordered["chat_template_kwargs"].is_object())
          return bad("chat_template_kwargs", "'chat_template_kwargs' must be an object");
        for (const auto& [k, v] : ordered["chat_template_kwargs"].items()) vars[k] = v;
      }
      chat_ctx.template_kwargs_json = vars.dump();
    }
    auto ids = generate::encodeChatPrompt(model, dialog, chat_ctx);
    if (!ids.ok()) return bad("messages", ids.message());
    API_TRY(checkLength(ids->size(), r, ctx, max_field));
    r.prompts.push_back(std::move(*ids));
    return std::nullopt;
  }

  // Completions: prompt as a string, strings, token ids or lists of ids.
  API_TRY(getBool(j, "echo", r.echo));
  int64_t legacy = 0;
  auto lp = j.find("logprobs");
  if (lp != j.end() && lp->is_boolean()) legacy = lp->get<bool>() ? 1 : 0;
  else API_TRY(getInt(j, "logprobs", 0, 20, legacy));
  r.legacy_logprobs = uint32_t(legacy);
  r.options.logprobs = legacy > 0;
  r.options.top_logprobs = uint32_t(legacy);
  auto it = j.find("prompt");
  if (it == j.end()) return bad("prompt", "'prompt' is required");
  const uint32_t vocab = model.model->limits().vocab_size;
  auto addIds = [&](const Json& a) -> std::optional<ApiError> {
    std::vector<int32_t> ids;
    for (const Json& x : a) {
      if (!x.is_number_integer() || x.get<int64_t>() < 0 || x.get<int64_t>() >= int64_t(vocab))
        return bad("prompt", "token ids must be integers in [0, " + std::to_string(vocab) + ")");
      ids.push_back(int32_t(x.get<int64_t>()));
    }
    auto text = model.tokenizer.decode(std::vector<uint32_t>(ids.begin(), ids.end()));
    r.prompt_texts.push_back(text.ok() ? *text : std::string());
    r.prompts.push_back(std::move(ids));
    return std::nullopt;
  };
  auto addText = [&](const Json& s) -> std::optional<ApiError> {
    const std::string text = s.get<std::string>();
    if (!validUtf8(text)) return bad("prompt", "the prompt is not valid UTF-8");
    auto ids = generate::encodeTextPrompt(model, text);
    if (!ids.ok()) return bad("prompt", ids.message());
    r.prompt_texts.push_back(text);
    r.prompts.push_back(std::move(*ids));
    return std::nullopt;
  };
  if (it->is_string()) {
    API_TRY(addText(*it));
  } else if (it->is_array() && !it->empty()) {
    if ((*it)[0].is_number_integer()) {
      API_TRY(addIds(*it));
    } else {
      for (const Json& p : *it) {
        if (p.is_string()) API_TRY(addText(p));
        else if (p.is_array()) API_TRY(addIds(p));
        else return bad("prompt", "'prompt' must be a string, a list of strings, or token ids");
      }
    }
  } else {
    return bad("prompt", "'prompt' must be a string, a list of strings, or token ids");
  }
  if (r.prompts.size() * r.n > kMaxN)
    return bad("n", "prompts x n is " + std::to_string(r.prompts.size() * r.n) + "; at most " + std::to_string(kMaxN));
  const uint32_t asked = r.options.max_tokens;
  for (const auto& p : r.prompts) {
    r.options.max_tokens = asked;
    API_TRY(checkLength(p.size(), r, ctx, max_field));
  }
  // Several prompts share one max_tokens: the smallest room bounds it.
  if (asked == 0) {
    uint32_t room = UINT32_MAX;
    for (const auto& p : r.prompts) room = std::min<uint32_t>(room, ctx - uint32_t(p.size()));
    r.options.max_tokens = room;
  }
  return std::nullopt;
}

Json Usage::json() const {
  return {{"prompt_tokens", prompt_tokens},
          {"completion_tokens", completion_tokens},
          {"total_tokens", prompt_tokens + completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", cached_tokens}}}};
}

namespace {

std::string tokenText(const Tokenizer& tok, int32_t id) {
  auto b = tok.tokenToBytes(uint32_t(id));
  return b.ok() ? std::string(*b) : std::string();
}

Json bytesOf(const std::string& s) {
  Json a = Json::array();
  for (unsigned char c : s) a.push_back(int(c));
  return a;
}

// Chat's logprobs entries for tokens [from, to) of a choice.
Json chatLogprobs(const Tokenizer& tok, const std::vector<int32_t>& tokens, const std::vector<float>& lps,
                  const std::vector<std::vector<sampling::TokenLogprob>>& top) {
  Json content = Json::array();
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string t = tokenText(tok, tokens[i]);
    Json alts = Json::array();
    if (i < top.size())
      for (const sampling::TokenLogprob& a : top[i]) {
        const std::string at = tokenText(tok, a.token);
        alts.push_back({{"token", at}, {"logprob", a.logprob}, {"bytes", bytesOf(at)}});
      }
    content.push_back({{"token", t}, {"logprob", i < lps.size() ? lps[i] : 0.0f}, {"bytes", bytesOf(t)},
                       {"top_logprobs", alts}});
  }
  return {{"content", content}};
}

// Completions' legacy logprobs.
Json legacyLogprobs(const Tokenizer& tok, const ChoiceResult& c) {
  Json tokens = Json::array(), lps = Json::array(), tops = Json::array(), offsets = Json::array();
  size_t offset = 0;
  for (size_t i = 0; i < c.tokens.size(); ++i) {
    const std::string t = tokenText(tok, c.tokens[i]);
    tokens.push_back(t);
    lps.push_back(i < c.logprobs.size() ? c.logprobs[i] : 0.0f);
    Json alts = Json::object();
    if (i < c.top.size())
      for (const sampling::TokenLogprob& a : c.top[i]) alts[tokenText(tok, a.token)] = a.logprob;
    tops.push_back(alts);
    offsets.push_back(offset);
    offset += t.size();
  }
  return {{"tokens", tokens}, {"token_logprobs", lps}, {"top_logprobs", tops}, {"text_offset", offsets}};
}

}  // namespace

Json responseJson(const ApiRequest& r, const std::string& id, int64_t created, const Tokenizer& tok,
                  const std::vector<ChoiceResult>& choices, const Usage& usage) {
  const bool chat = r.endpoint == Endpoint::Chat;
  Json out = {{"id", id}, {"object", chat ? "chat.completion" : "text_completion"}, {"created", created},
              {"model", r.model}, {"system_fingerprint", "lac"}};
  Json arr = Json::array();
  for (size_t i = 0; i < choices.size(); ++i) {
    const ChoiceResult& c = choices[i];
    Json choice = {{"index", i}, {"finish_reason", finishName(c.finish)}};
    if (chat) {
      choice["message"] = {{"role", "assistant"}, {"content", c.text}};
      choice["logprobs"] = r.options.logprobs ? chatLogprobs(tok, c.tokens, c.logprobs, c.top) : Json(nullptr);
    } else {
      const std::string prefix = r.echo ? r.prompt_texts[i / r.n] : std::string();
      choice["text"] = prefix + c.text;
      choice["logprobs"] = r.legacy_logprobs ? legacyLogprobs(tok, c) : Json(nullptr);
    }
    arr.push_back(choice);
  }
  out["choices"] = arr;
  out["usage"] = usage.json();
  return out;
}

Json chunkJson(const ApiRequest& r, const std::string& id, int64_t created, uint32_t index, const std::string* text,
               const serve::Event* token_event, const Tokenizer& tok, std::optional<serve::FinishReason> finish,
               bool first) {
  const bool chat = r.endpoint == Endpoint::Chat;
  Json choice = {{"index", index}, {"finish_reason", finish ? Json(finishName(*finish)) : Json(nullptr)}};
  if (chat) {
    Json delta = Json::object();
    if (first) delta["role"] = "assistant";
    if (text) delta["content"] = *text;
    choice["delta"] = delta;
    choice["logprobs"] = nullptr;
    if (token_event && r.options.logprobs)
      choice["logprobs"] = chatLogprobs(tok, {token_event->token}, {token_event->logprob}, {token_event->top});
  } else {
    choice["text"] = text ? *text : std::string();
    choice["logprobs"] = nullptr;
    if (token_event && r.legacy_logprobs) {
      ChoiceResult one;
      one.tokens = {token_event->token};
      one.logprobs = {token_event->logprob};
      one.top = {token_event->top};
      choice["logprobs"] = legacyLogprobs(tok, one);
    }
  }
  return {{"id", id},
          {"object", chat ? "chat.completion.chunk" : "text_completion"},
          {"created", created},
          {"model", r.model},
          {"system_fingerprint", "lac"},
          {"choices", Json::array({choice})}};
}

Json usageChunkJson(const ApiRequest& r, const std::string& id, int64_t created, const Usage& usage) {
  return {{"id", id},
          {"object", r.endpoint == Endpoint::Chat ? "chat.completion.chunk" : "text_completion"},
          {"created", created},
          {"model", r.model},
          {"choices", Json::array()},
          {"usage", usage.json()}};
}

}  // namespace lac::server
