// Artifact + engine -> LoadedModel.
#include "runtime/generate/loaded_model.h"

#include "runtime/generate/plan_tokenizer.h"

namespace lac::generate {

Result<LoadedModel> bundleModel(const artifact::Artifact& a, std::unique_ptr<engine::Model> model) {
  LAC_CHECK_OR_RETURN(model != nullptr, Error::Internal, "bundleModel: no engine");
  const plan::Plan& p = a.plan();
  LAC_ASSIGN_OR_RETURN(TokenizerData data, tokenizerDataFromPlan(p));
  auto tok = Tokenizer::create(data);
  if (!tok.ok()) return makeError(tok.error(), a.name() + ": " + tok.message());
  LAC_CHECK_OR_RETURN(tok->vocabSize() <= model->limits().vocab_size, Error::InvalidArtifact,
                      "%s: the tokenizer has %u tokens but the model's vocabulary is %u", a.name().c_str(),
                      tok->vocabSize(), model->limits().vocab_size);
  LoadedModel m{p.model_name() ? p.model_name()->str() : std::string(), std::move(tok).value(),
                chatTemplateFromPlan(p), stopIdsFromPlan(p), {}, std::move(model)};
  if (const plan::GenerationDefaults* g = p.generation()) {
    m.defaults.temperature = g->temperature();
    m.defaults.top_p = g->top_p();
    m.defaults.max_gen_len = g->max_gen_len();
  }
  return m;
}

}  // namespace lac::generate
