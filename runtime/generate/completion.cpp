// textCompletion / chatCompletion: tokenizer + chat format around generate().
#include "runtime/generate/completion.h"

#include "runtime/chat/chat_prompt.h"

namespace lac::generate {

namespace {

// The chat formats' view of the tokenizer.
class TokenizerEncoder : public chat::TextEncoder {
 public:
  explicit TokenizerEncoder(const Tokenizer& t) : tok_(t) {}
  Result<std::vector<int32_t>> encodeText(std::string_view text, bool allow_special) override {
    LAC_ASSIGN_OR_RETURN(auto ids, tok_.encode(text, false, false,
                                               allow_special ? SpecialMode::Recognize : SpecialMode::Plain));
    return std::vector<int32_t>(ids.begin(), ids.end());
  }
  std::optional<int32_t> specialId(std::string_view name) override {
    auto id = tok_.specialId(name);
    if (!id) return std::nullopt;
    return static_cast<int32_t>(*id);
  }

 private:
  const Tokenizer& tok_;
};

std::vector<uint32_t> toIds(const std::vector<int32_t>& v) { return {v.begin(), v.end()}; }

// Runs generate() with streaming text, then decodes every output.
Result<std::vector<CompletionOutput>> run(LoadedModel& m, const std::vector<std::vector<int32_t>>& prompts,
                                          GenerateOptions options, const TextCallback& on_text,
                                          GenerateStats* stats) {
  if (options.stop_ids.empty()) options.stop_ids = m.stop_ids;
  std::vector<StreamDecoder> decoders(prompts.size(), StreamDecoder(m.tokenizer));
  Status stream_error;
  TokenCallback cb;
  if (on_text) {
    cb = [&](const TokenEvent& e) {
      auto text = decoders[e.sequence].push(static_cast<uint32_t>(e.token));
      if (!text.ok()) {
        if (stream_error.ok()) stream_error = text.status();
        return;
      }
      if (!text->empty()) on_text(e.sequence, *text);
    };
  }
  LAC_ASSIGN_OR_RETURN(GenerateResult r, generate(*m.model, prompts, options, cb));
  if (!stream_error.ok()) return stream_error;
  if (on_text)
    for (size_t i = 0; i < decoders.size(); ++i) {
      std::string rest = decoders[i].flush();
      if (!rest.empty()) on_text(i, rest);
    }
  if (stats) *stats = r.stats;

  std::vector<CompletionOutput> outs;
  for (SequenceOutput& s : r.sequences) {
    CompletionOutput o;
    LAC_ASSIGN_OR_RETURN(o.generation, m.tokenizer.decode(toIds(s.tokens)));
    for (int32_t t : s.tokens) {
      LAC_ASSIGN_OR_RETURN(std::string piece, m.tokenizer.decode({static_cast<uint32_t>(t)}));
      o.pieces.push_back(std::move(piece));
    }
    o.logprobs = std::move(s.logprobs);
    o.top_logprobs = std::move(s.top_logprobs);
    o.token_ids = std::move(s.tokens);
    o.finish = s.finish;
    outs.push_back(std::move(o));
  }
  return outs;
}

}  // namespace

Result<std::vector<int32_t>> encodeTextPrompt(const LoadedModel& m, std::string_view prompt) {
  const bool bos = m.tokenizer.addBos() && m.tokenizer.bosId().has_value();
  LAC_ASSIGN_OR_RETURN(auto ids, m.tokenizer.encode(prompt, bos, false, SpecialMode::Plain));
  return std::vector<int32_t>(ids.begin(), ids.end());
}

Result<std::vector<int32_t>> encodeChatPrompt(const LoadedModel& m, const chat::Dialog& dialog,
                                              const chat::ChatContext& ctx) {
  LAC_CHECK_OR_RETURN(m.chat.has_value(), Error::InvalidArgument,
                      "%s: the model has no chat format (use text completion)", m.name.c_str());
  TokenizerEncoder enc(m.tokenizer);
  return chat::encodeDialogPrompt(*m.chat, dialog, enc, ctx);
}

Result<std::vector<CompletionOutput>> textCompletion(LoadedModel& m, const std::vector<std::string>& prompts,
                                                     GenerateOptions options, const TextCallback& on_text,
                                                     GenerateStats* stats) {
  std::vector<std::vector<int32_t>> ids;
  for (size_t i = 0; i < prompts.size(); ++i) {
    auto p = encodeTextPrompt(m, prompts[i]);
    if (!p.ok()) return makeError(p.error(), "prompt " + std::to_string(i) + ": " + p.message());
    ids.push_back(std::move(p).value());
  }
  return run(m, ids, std::move(options), on_text, stats);
}

Result<std::vector<ChatOutput>> chatCompletion(LoadedModel& m, const std::vector<chat::Dialog>& dialogs,
                                               GenerateOptions options, const TextCallback& on_text,
                                               GenerateStats* stats) {
  std::vector<std::vector<int32_t>> ids;
  chat::ChatContext ctx;
  ctx.template_kwargs_json = options.chat_template_kwargs;
  for (size_t i = 0; i < dialogs.size(); ++i) {
    auto p = encodeChatPrompt(m, dialogs[i], ctx);
    if (!p.ok()) return makeError(p.error(), "dialog " + std::to_string(i) + ": " + p.message());
    ids.push_back(std::move(p).value());
  }
  options.echo = false;
  LAC_ASSIGN_OR_RETURN(auto outs, run(m, ids, std::move(options), on_text, stats));
  std::vector<ChatOutput> chats;
  for (CompletionOutput& o : outs) {
    ChatOutput c;
    c.message = chat::Message{chat::Role::Assistant, o.generation};
    c.completion = std::move(o);
    chats.push_back(std::move(c));
  }
  return chats;
}

}  // namespace lac::generate
