// The Jinja chat format: the checkpoint's own template rendered with the
// variables transformers' apply_chat_template passes, then cut at special
// tokens (chat_prompt.h).
#include <algorithm>
#include <array>
#include <cstdlib>

#include "runtime/chat/chat_prompt.h"
#include "runtime/chat/jinja/template.h"

namespace lac::chat {

namespace {

using jinja::Value;

// [{role, content, ...other keys}], as transformers passes plain dict
// messages (keys whose value is null dropped).
Result<Value> messagesValue(const Dialog& dialog) {
  jinja::List list;
  for (const Message& m : dialog) {
    jinja::Dict d;
    d.set(Value::string("role"), Value::string(std::string(roleName(m.role))));
    if (!m.content_null) d.set(Value::string("content"), Value::string(m.content));
    if (!m.extra_json.empty()) {
      LAC_ASSIGN_OR_RETURN(Value extra, jinja::parseJson(m.extra_json));
      LAC_CHECK_OR_RETURN(extra.isDict(), Error::InvalidArgument, "a message's extra keys must be a JSON object");
      for (const auto& [k, v] : extra.entries().items)
        if (!v.isNone()) d.set(k, v);
    }
    list.push_back(Value::dict(std::move(d)));
  }
  return Value::list(std::move(list));
}

}  // namespace

Result<std::string> renderJinjaDialog(const ChatTemplate& tmpl, const Dialog& dialog, const ChatContext& ctx) {
  LAC_ASSIGN_OR_RETURN(jinja::Template t, jinja::Template::parse(tmpl.jinja_source));
  jinja::Dict vars;
  LAC_ASSIGN_OR_RETURN(Value messages, messagesValue(dialog));
  vars.set(Value::string("messages"), std::move(messages));
  vars.set(Value::string("add_generation_prompt"), Value::boolean(ctx.add_generation_prompt));
  vars.set(Value::string("bos_token"), Value::string(tmpl.bos_token));
  vars.set(Value::string("eos_token"), Value::string(tmpl.eos_token));
  if (!ctx.template_kwargs_json.empty()) {
    LAC_ASSIGN_OR_RETURN(Value kwargs, jinja::parseJson(ctx.template_kwargs_json));
    LAC_CHECK_OR_RETURN(kwargs.isDict(), Error::InvalidArgument,
                        "chat_template_kwargs: expected a JSON object of template variables, got a %s",
                        std::string(kwargs.typeName()).c_str());
    for (const auto& [k, v] : kwargs.entries().items) vars.set(k, v);
  }
  jinja::RenderOptions ro;
  ro.now = ctx.now;
  // strftime_now() pinned for reproducible prompts, as build tools honour it.
  if (!ro.now)
    if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e && *e) {
      char* end = nullptr;
      const long long t = std::strtoll(e, &end, 10);
      if (end && *end == '\0' && t >= 0) ro.now = static_cast<std::time_t>(t);
    }
  return t.render(vars, ro);
}

std::vector<PromptSegment> splitOnSpecialTokens(std::string_view text, const std::vector<std::string>& names) {
  // Candidates by first byte, longest first, so "<|im_start|>" wins over "<|im".
  std::array<std::vector<const std::string*>, 256> by_first;
  for (const std::string& n : names)
    if (!n.empty()) by_first[static_cast<unsigned char>(n[0])].push_back(&n);
  for (auto& v : by_first)
    std::stable_sort(v.begin(), v.end(), [](const std::string* a, const std::string* b) {
      return a->size() > b->size();
    });
  std::vector<PromptSegment> out;
  std::string pending;
  size_t i = 0;
  while (i < text.size()) {
    const std::string* hit = nullptr;
    for (const std::string* n : by_first[static_cast<unsigned char>(text[i])])
      if (text.compare(i, n->size(), *n) == 0) {
        hit = n;
        break;
      }
    if (!hit) {
      pending += text[i++];
      continue;
    }
    if (!pending.empty()) out.push_back({std::move(pending), false});
    pending.clear();
    out.push_back({*hit, true});
    i += hit->size();
  }
  if (!pending.empty()) out.push_back({std::move(pending), false});
  return out;
}

}  // namespace lac::chat
