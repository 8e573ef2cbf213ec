// lac._runtime: the slim runtime as a Python extension (nanobind).
//
// One class, Model: a loaded .lac artifact (engine + tokenizer + chat
// format), and the calls the Python package (python/lac/generation.py) builds
// Meta's Llama API on. Every call that runs the model releases the GIL and
// holds the model's own mutex instead, so other Python threads run meanwhile
// and two threads never drive one engine at once. Results come back as
// plain Python lists (token ids, text) or NumPy arrays (logits).
//
// Errors: every lac::Status becomes a Python exception by its kind
// (errors.h): InvalidArgument -> ValueError, NotFound -> FileNotFoundError,
// InvalidArtifact -> lac.InvalidArtifactError (a ValueError), ...
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "python/src/errors.h"
#include "runtime/artifact/artifact.h"
#include "runtime/chat/dialog.h"
#include "runtime/engine/load_model.h"
#include "runtime/generate/completion.h"
#include "runtime/generate/loaded_model.h"
#include "runtime/sampling/sampler.h"
#include "tools/common/ranks.h"

namespace nb = nanobind;

namespace lac::python {

namespace {

// A flag another thread (a closed stream) sets to stop a generation.
struct CancelFlag {
  std::atomic<bool> value{false};
};

// Python message lists ([(role, content), ...]) as runtime dialogs.
// (role, content or None, the message's other keys as JSON text or "", has
// tool_calls) per message, from lac.tokenizer.dialog_messages.
using PyMessage = std::tuple<std::string, std::optional<std::string>, std::string, bool>;

Result<chat::Dialog> toDialog(const std::vector<PyMessage>& messages, size_t index) {
  chat::Dialog d;
  for (size_t k = 0; k < messages.size(); ++k) {
    const auto& [role_name, content, extra, tool_calls] = messages[k];
    auto role = chat::parseRole(role_name);
    LAC_CHECK_OR_RETURN(role.has_value(), Error::InvalidArgument,
                        "dialog %zu message %zu: role '%s' is not system, user, assistant or tool", index, k,
                        role_name.c_str());
    chat::Message m{*role, content.value_or("")};
    m.content_null = !content.has_value();
    m.extra_json = extra;
    m.has_tool_calls = tool_calls;
    d.push_back(std::move(m));
  }
  return d;
}

// Calls a Python callable from a runtime callback (GIL released around it):
// takes the GIL, converts the C++ arguments (only then: making a Python
// object without the GIL corrupts the interpreter), and turns a Python exception into a cancel of the
// generation, re-raised once the runtime has returned.
class PyCallback {
 public:
  PyCallback(nb::object fn, std::atomic<bool>* cancel) : fn_(std::move(fn)), cancel_(cancel) {}
  bool active() const { return fn_.is_valid() && !fn_.is_none(); }

  template <typename... Args>
  void operator()(Args&&... args) {
    if (error_) return;
    nb::gil_scoped_acquire gil;
    try {
      fn_(std::forward<Args>(args)...);
    } catch (nb::python_error& e) {
      error_.emplace(std::move(e));
      cancel_->store(true);
    }
  }
  // With the GIL held: raises what the callable raised, if it did.
  void rethrow() {
    if (error_) {
      nb::python_error e = std::move(*error_);
      error_.reset();
      throw e;
    }
  }

 private:
  nb::object fn_;
  std::atomic<bool>* cancel_;
  std::optional<nb::python_error> error_;
};

struct Completion {
  std::string generation;
  std::vector<std::string> pieces;
  std::vector<float> logprobs;
  std::vector<int32_t> token_ids;
  std::string finish;
};

const char* finishName(generate::FinishReason r) { return r == generate::FinishReason::Stop ? "stop" : "length"; }

Completion toPy(generate::CompletionOutput&& o) {
  return Completion{std::move(o.generation), std::move(o.pieces), std::move(o.logprobs), std::move(o.token_ids),
                    finishName(o.finish)};
}

class Model {
 public:
  static std::unique_ptr<Model> load(const std::string& path, int threads, uint32_t max_batch,
                                     uint32_t max_seq_len, uint32_t model_parallel_size) {
    Result<std::unique_ptr<Model>> r = makeError(Error::Internal, "not run");
    {
      nb::gil_scoped_release nogil;
      r = open(path, threads, max_batch, max_seq_len, model_parallel_size);
    }
    return unwrap(std::move(r));
  }

  // --- What the artifact says ------------------------------------------------
  const std::string& name() const { return loaded().name; }
  std::string target() const { return plan::EnumNameTarget(artifact_->plan().target()->target()); }
  uint32_t tensorParallel() const { return std::max<uint32_t>(1, artifact_->plan().tensor_parallel()); }
  uint32_t vocabSize() const { return loaded().model->limits().vocab_size; }
  uint32_t maxBatch() const { return loaded().model->limits().max_batch; }
  uint32_t maxSeqLen() const { return loaded().model->limits().max_seq_len; }
  uint32_t nWords() const { return loaded().tokenizer.vocabSize(); }
  std::optional<uint32_t> bosId() const { return loaded().tokenizer.bosId(); }
  std::optional<uint32_t> eosId() const { return loaded().tokenizer.eosId(); }
  bool addBos() const { return loaded().tokenizer.addBos(); }
  const std::vector<int32_t>& stopIds() const { return loaded().stop_ids; }
  std::string chatFormat() const {
    const auto& c = loaded().chat;
    if (!c) return "none";
    switch (c->kind) {
      case chat::ChatFormatKind::Llama3: return "llama3";
      case chat::ChatFormatKind::ChatML: return "chatml";
      case chat::ChatFormatKind::Jinja: return "jinja";
    }
    return "none";
  }
  std::tuple<float, float, uint32_t> defaults() const {
    const auto& d = loaded().defaults;
    return {d.temperature, d.top_p, d.max_gen_len};
  }

  // --- Tokenizer ----------------------------------------------------------------
  std::vector<uint32_t> encode(const std::string& text, bool bos, bool eos, bool allow_special) const {
    return unwrap(loaded().tokenizer.encode(text, bos, eos,
                                            allow_special ? SpecialMode::Recognize : SpecialMode::Plain));
  }
  std::string decode(const std::vector<int64_t>& ids) const {
    std::vector<uint32_t> u;
    u.reserve(ids.size());
    for (int64_t id : ids) {
      if (id < 0 || id >= int64_t(nWords()))
        raise(makeError(Error::InvalidArgument, "decode: token id " + std::to_string(id) +
                                                    " is outside the vocabulary (" + std::to_string(nWords()) +
                                                    " tokens)"));
      u.push_back(static_cast<uint32_t>(id));
    }
    return unwrap(loaded().tokenizer.decode(u));
  }
  nb::bytes tokenBytes(int64_t id) const {
    if (id < 0 || id >= int64_t(nWords()))
      raise(makeError(Error::InvalidArgument, "token id " + std::to_string(id) + " is outside the vocabulary"));
    std::string_view b = unwrap(loaded().tokenizer.tokenToBytes(static_cast<uint32_t>(id)));
    return nb::bytes(b.data(), b.size());
  }
  nb::dict specialTokens() const {
    nb::dict out;
    const Tokenizer& t = loaded().tokenizer;
    for (uint32_t id = 0; id < t.vocabSize(); ++id) {
      if (!t.isSpecial(id)) continue;
      std::string_view b = unwrap(t.tokenToBytes(id));
      out[nb::str(b.data(), b.size())] = id;
    }
    return out;
  }
  std::vector<int32_t> encodeTextPrompt(const std::string& text) const {
    return unwrap(generate::encodeTextPrompt(loaded(), text));
  }
  std::vector<int32_t> encodeDialog(const std::vector<PyMessage>& messages,
                                    const std::string& chat_template_kwargs) const {
    chat::Dialog d = unwrap(toDialog(messages, 0));
    chat::ChatContext ctx;
    ctx.template_kwargs_json = chat_template_kwargs;
    return unwrap(generate::encodeChatPrompt(loaded(), d, ctx));
  }

  // --- Generation -----------------------------------------------------------------
  // (tokens, logprobs, finish) per prompt; on_token(sequence, token, logprob).
  std::vector<std::tuple<std::vector<int32_t>, std::vector<float>, std::string>> generate(
      const std::vector<std::vector<int32_t>>& prompts, const generate::GenerateOptions& options,
      nb::object on_token, CancelFlag* cancel) {
    CancelFlag own;
    generate::GenerateOptions o = options;
    o.cancel = cancel ? &cancel->value : &own.value;
    if (o.stop_ids.empty()) o.stop_ids = loaded().stop_ids;
    PyCallback cb(std::move(on_token), const_cast<std::atomic<bool>*>(o.cancel));
    generate::TokenCallback tcb;
    if (cb.active())
      tcb = [&cb](const generate::TokenEvent& e) { cb(e.sequence, e.token, e.logprob); };
    Result<generate::GenerateResult> r = makeError(Error::Internal, "not run");
    {
      nb::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      if (loaded_) r = generate::generate(*loaded_->model, prompts, o, tcb);
      else r = closedError();
    }
    cb.rethrow();
    generate::GenerateResult res = unwrap(std::move(r));
    std::vector<std::tuple<std::vector<int32_t>, std::vector<float>, std::string>> out;
    for (generate::SequenceOutput& s : res.sequences)
      out.emplace_back(std::move(s.tokens), std::move(s.logprobs), finishName(s.finish));
    return out;
  }

  // on_text(sequence, text) as complete UTF-8 pieces are generated.
  std::vector<Completion> textCompletion(const std::vector<std::string>& prompts,
                                         const generate::GenerateOptions& options, nb::object on_text,
                                         CancelFlag* cancel) {
    return complete(options, std::move(on_text), cancel, [&](generate::GenerateOptions& o,
                                                            const generate::TextCallback& tcb) {
      return generate::textCompletion(*loaded_, prompts, o, tcb);
    });
  }

  std::vector<Completion> chatCompletion(
      const std::vector<std::vector<PyMessage>>& dialogs,
      const generate::GenerateOptions& options, nb::object on_text, CancelFlag* cancel) {
    std::vector<chat::Dialog> ds;
    for (size_t i = 0; i < dialogs.size(); ++i) ds.push_back(unwrap(toDialog(dialogs[i], i)));
    return complete(options, std::move(on_text), cancel, [&](generate::GenerateOptions& o,
                                                            const generate::TextCallback& tcb)
                                                            -> Result<std::vector<generate::CompletionOutput>> {
      LAC_ASSIGN_OR_RETURN(auto chats, generate::chatCompletion(*loaded_, ds, o, tcb));
      std::vector<generate::CompletionOutput> outs;
      for (auto& c : chats) outs.push_back(std::move(c.completion));
      return outs;
    });
  }

  // The last position's logits of each prompt, prefilled alone in slot i:
  // [len(prompts), vocab] float32, one copy out of the engine's buffer.
  nb::ndarray<nb::numpy, float, nb::ndim<2>> lastLogits(const std::vector<std::vector<int32_t>>& prompts) {
    const size_t vocab = vocabSize();  // raises when closed
    auto* data = new std::vector<float>();
    nb::capsule owner(data, [](void* p) noexcept { delete static_cast<std::vector<float>*>(p); });
    VoidResult r;
    {
      nb::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      if (loaded_) r = fillLogits(prompts, *data);
      else r = closedError();
    }
    unwrap(std::move(r));
    return nb::ndarray<nb::numpy, float, nb::ndim<2>>(data->data(), {prompts.size(), vocab}, owner);
  }

  void close() {
    nb::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mu_);
    loaded_.reset();
    artifact_.reset();
  }
  bool closed() const { return loaded_ == nullptr; }

 private:
  // A split artifact (lac-compile --tensor-parallel N) under mpirun joins
  // the ranks as lac-run does (tools/common/ranks.h): rank 0 returns a model
  // that makes every rank run each engine call; the other ranks never
  // return from here (they follow rank 0 until it closes its model, then
  // exit 0).
  static Result<std::unique_ptr<Model>> open(const std::string& path, int threads, uint32_t max_batch,
                                             uint32_t max_seq_len, uint32_t model_parallel_size) {
    LAC_ASSIGN_OR_RETURN(artifact::Artifact a, artifact::Artifact::open(path));
    const uint32_t ranks = std::max<uint32_t>(1, a.plan().tensor_parallel());
    LAC_CHECK_OR_RETURN(model_parallel_size == 0 || model_parallel_size == ranks, Error::InvalidArgument,
                        "%s was compiled for %u tensor-parallel rank%s, not model_parallel_size=%u (compile it "
                        "with lac-compile --tensor-parallel %u, or pass a checkpoint)",
                        path.c_str(), ranks, ranks == 1 ? "" : "s", model_parallel_size, model_parallel_size);
    static std::once_flag joined;
    int join_code = -1;
    if (ranks > 1) std::call_once(joined, [&] { join_code = tools::joinRanks("lac"); });
    LAC_CHECK_OR_RETURN(join_code < 0, Error::IoError, "%s: could not join the MPI ranks (the error above says why)",
                        path.c_str());
    engine::EngineOptions eo;
    eo.threads = threads;
    eo.max_batch = max_batch;
    eo.max_seq_len = max_seq_len;
    eo.comm = tools::worldComm();
    LAC_ASSIGN_OR_RETURN(std::unique_ptr<engine::Model> e, tools::driveRanks(engine::loadModel(a, eo)));
    LAC_ASSIGN_OR_RETURN(generate::LoadedModel m, generate::bundleModel(a, std::move(e)));
    auto out = std::make_unique<Model>();
    out->artifact_ = std::make_unique<artifact::Artifact>(std::move(a));
    out->loaded_ = std::make_unique<generate::LoadedModel>(std::move(m));
    return out;
  }

  static Status closedError() { return makeError(Error::InvalidArgument, "the model is closed"); }
  // With the GIL held (raises when closed). Code running without the GIL
  // checks loaded_ under mu_ instead.
  generate::LoadedModel& loaded() const {
    if (!loaded_) raise(closedError());
    return *loaded_;
  }

  template <typename Run>
  std::vector<Completion> complete(const generate::GenerateOptions& options, nb::object on_text,
                                   CancelFlag* cancel, Run run) {
    CancelFlag own;
    generate::GenerateOptions o = options;
    o.cancel = cancel ? &cancel->value : &own.value;
    PyCallback cb(std::move(on_text), const_cast<std::atomic<bool>*>(o.cancel));
    generate::TextCallback tcb;
    if (cb.active())
      tcb = [&cb](size_t seq, std::string_view text) { cb(seq, text); };  // converted once the GIL is held
    Result<std::vector<generate::CompletionOutput>> r = makeError(Error::Internal, "not run");
    {
      nb::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      if (loaded_) r = run(o, tcb);
      else r = closedError();
    }
    cb.rethrow();
    std::vector<Completion> out;
    for (generate::CompletionOutput& c : unwrap(std::move(r))) out.push_back(toPy(std::move(c)));
    return out;
  }

  VoidResult fillLogits(const std::vector<std::vector<int32_t>>& prompts, std::vector<float>& out) {
    engine::Model& m = *loaded_->model;
    const engine::ModelLimits& lim = m.limits();
    LAC_CHECK_OR_RETURN(!prompts.empty() && prompts.size() <= lim.max_batch, Error::InvalidArgument,
                        "logits: %zu prompts; the model takes 1 to %u at once", prompts.size(), lim.max_batch);
    out.resize(prompts.size() * size_t(lim.vocab_size));
    for (size_t i = 0; i < prompts.size(); ++i) {
      LAC_CHECK_OR_RETURN(!prompts[i].empty(), Error::InvalidArgument, "logits: prompt %zu is empty", i);
      LAC_ASSIGN_OR_RETURN(std::span<const float> l, m.prefill(static_cast<uint32_t>(i), prompts[i], 0));
      std::copy(l.begin(), l.end(), out.begin() + i * lim.vocab_size);
    }
    return {};
  }

  std::unique_ptr<artifact::Artifact> artifact_;
  std::unique_ptr<generate::LoadedModel> loaded_;
  std::mutex mu_;  // one generation at a time on the engine
};

}  // namespace

}  // namespace lac::python

NB_MODULE(_runtime, m) {
  using namespace lac::python;
  using lac::generate::GenerateOptions;
  m.doc() = "LAC's runtime: load a .lac artifact and generate (the lac package wraps it in Meta's Llama API)";
  registerErrors(m);

  nb::class_<CancelFlag>(m, "CancelFlag", "Set it to stop a running generation (it raises lac.CancelledError).")
      .def(nb::init<>())
      .def("set", [](CancelFlag& f) { f.value.store(true); })
      .def("is_set", [](const CancelFlag& f) { return f.value.load(); });

  nb::class_<GenerateOptions>(m, "GenerateOptions", "Sampling and length options (runtime/generate/generate.h).")
      .def(nb::init<>())
      .def_rw("max_gen_len", &GenerateOptions::max_gen_len, "0: max_seq_len - 1")
      .def_rw("temperature", &GenerateOptions::temperature, "0: greedy")
      .def_rw("top_p", &GenerateOptions::top_p, "(0, 1]")
      .def_rw("top_k", &GenerateOptions::top_k, "0: off")
      .def_rw("min_p", &GenerateOptions::min_p, "0: off")
      .def_rw("repetition_penalty", &GenerateOptions::repetition_penalty, "1: off")
      .def_rw("logprobs", &GenerateOptions::logprobs)
      .def_rw("echo", &GenerateOptions::echo)
      .def_rw("seed", &GenerateOptions::seed)
      .def_rw("stop_ids", &GenerateOptions::stop_ids, "empty: the model's stop tokens")
      .def_rw("chat_template_kwargs", &GenerateOptions::chat_template_kwargs,
              "JSON object text: extra variables for a Jinja chat template");

  nb::class_<Completion>(m, "Completion", "One generated text with its tokens.")
      .def_ro("generation", &Completion::generation)
      .def_ro("pieces", &Completion::pieces, "each token decoded alone (Meta's 'tokens')")
      .def_ro("logprobs", &Completion::logprobs)
      .def_ro("token_ids", &Completion::token_ids)
      .def_ro("finish", &Completion::finish, "'stop' or 'length'");

  nb::class_<Model>(m, "Model", "A loaded .lac artifact: engine, tokenizer, chat format.")
      .def_static("load", &Model::load, nb::arg("path"), nb::arg("threads") = 0, nb::arg("max_batch") = 0,
                  nb::arg("max_seq_len") = 0, nb::arg("model_parallel_size") = 0,
                  "Opens PATH and starts its engine; threads 0 = all cores; max_batch / max_seq_len 0 = the "
                  "compiled ones (never more); model_parallel_size 0 = the compiled rank count, else it must "
                  "equal it. A split artifact under mpirun returns on rank 0 only: the other ranks follow it "
                  "until its model is closed, then exit 0.")
      .def_prop_ro("tensor_parallel", &Model::tensorParallel, "the ranks the artifact is split over (1: none)")
      .def_prop_ro("name", &Model::name)
      .def_prop_ro("target", &Model::target)
      .def_prop_ro("vocab_size", &Model::vocabSize)
      .def_prop_ro("max_batch", &Model::maxBatch)
      .def_prop_ro("max_seq_len", &Model::maxSeqLen)
      .def_prop_ro("n_words", &Model::nWords)
      .def_prop_ro("bos_id", &Model::bosId)
      .def_prop_ro("eos_id", &Model::eosId)
      .def_prop_ro("add_bos", &Model::addBos)
      .def_prop_ro("stop_ids", &Model::stopIds)
      .def_prop_ro("chat_format", &Model::chatFormat, "'llama3', 'chatml' or 'none'")
      .def_prop_ro("defaults", &Model::defaults, "(temperature, top_p, max_gen_len) the artifact suggests")
      .def_prop_ro("closed", &Model::closed)
      .def("encode", &Model::encode, nb::arg("text"), nb::arg("bos"), nb::arg("eos"), nb::arg("allow_special"))
      .def("decode", &Model::decode, nb::arg("ids"))
      .def("token_bytes", &Model::tokenBytes, nb::arg("id"))
      .def("special_tokens", &Model::specialTokens, "{text: id} of every special token")
      .def("encode_text_prompt", &Model::encodeTextPrompt, nb::arg("text"), "ids as text_completion builds them")
      .def("encode_dialog", &Model::encodeDialog, nb::arg("messages"), nb::arg("chat_template_kwargs") = "",
           "ids as chat_completion builds them, from [(role, content), ...]")
      .def("generate", &Model::generate, nb::arg("prompts"), nb::arg("options"), nb::arg("on_token").none() = nb::none(),
           nb::arg("cancel").none() = nb::none(),
           "[(tokens, logprobs, finish)] per prompt; on_token(sequence, token, logprob) as tokens are sampled")
      .def("text_completion", &Model::textCompletion, nb::arg("prompts"), nb::arg("options"),
           nb::arg("on_text").none() = nb::none(), nb::arg("cancel").none() = nb::none())
      .def("chat_completion", &Model::chatCompletion, nb::arg("dialogs"), nb::arg("options"),
           nb::arg("on_text").none() = nb::none(), nb::arg("cancel").none() = nb::none())
      .def("last_logits", &Model::lastLogits, nb::arg("prompts"),
           "[len(prompts), vocab] float32: each prompt's last-position logits")
      .def("close", &Model::close, "Frees the engine and the mapped artifact.");
}
