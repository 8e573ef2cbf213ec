// emitPlanJson: the plan as JSON, printed by flatbuffers' text generator
// from the schema (embedded at build time), so it shows exactly what the
// artifact holds. Tokens and merges are summarized unless asked for.
#include <flatbuffers/idl.h>

#include <nlohmann/json.hpp>

#include "compiler/emit/emit.h"
#include "compiler/emit/plan_schema.h"
#include "mlir/IR/BuiltinOps.h"
#include "runtime/artifact/plan.h"
#include "runtime/artifact/validate.h"

namespace lac::emit {

namespace {

// The flatbuffer as strict JSON text (field names quoted, defaults shown).
Result<std::string> planText(const flatbuffers::FlatBufferBuilder& fbb) {
  flatbuffers::IDLOptions o;
  o.strict_json = true;
  o.output_default_scalars_in_json = true;
  o.indent_step = -1;
  flatbuffers::Parser parser(o);
  LAC_CHECK_OR_RETURN(parser.Parse(kPlanSchemaText), Error::Internal, "plan.fbs does not parse: %s",
                      parser.error_.c_str());
  std::string text;
  LAC_CHECK_OR_RETURN(flatbuffers::GenerateText(parser, fbb.GetBufferPointer(), &text), Error::Internal,
                      "the plan cannot be printed as JSON");
  return text;
}

// Indented JSON, but any value whose compact form is short stays on one line
// (a buffer, a weight's blob, a shape): easy to read and to FileCheck.
void pretty(const nlohmann::ordered_json& j, std::ostream& out, int indent) {
  constexpr size_t kLine = 160;
  std::string flat = j.dump();
  if (!j.is_structured() || flat.size() + indent <= kLine || j.empty()) {
    out << flat;
    return;
  }
  const std::string pad(indent + 2, ' ');
  out << (j.is_object() ? "{" : "[") << "\n";
  size_t i = 0;
  for (auto it = j.begin(); it != j.end(); ++it, ++i) {
    out << pad;
    if (j.is_object()) out << nlohmann::ordered_json(it.key()).dump() << ": ";
    pretty(*it, out, indent + 2);
    out << (i + 1 < j.size() ? ",\n" : "\n");
  }
  out << std::string(indent, ' ') << (j.is_object() ? "}" : "]");
}

constexpr size_t kSpecialTokensShown = 16;

}  // namespace

VoidResult emitPlanJson(mlir::ModuleOp module, const import::ModelSpec& spec, std::ostream& out,
                        const PlanJsonOptions& json_opts, const EmitOptions& opts) {
  LAC_ASSIGN_OR_RETURN(std::unique_ptr<plan::PlanT> p, buildPlan(module, spec, opts));
  {
    // The checks writeArtifact makes (except the weight bytes), so the JSON
    // shows only plans that the artifact writer would accept.
    flatbuffers::FlatBufferBuilder full;
    plan::FinishPlanBuffer(full, plan::Plan::Pack(full, p.get()));
    artifact::ValidateOptions vo;
    vo.check_host_cpu = false;
    VoidResult v = artifact::validatePlan(*plan::GetPlan(full.GetBufferPointer()), "plan", vo);
    if (!v.ok()) return v;
  }
  size_t n_tokens = 0, n_merges = 0, n_special = 0;
  if (p->tokenizer) {
    n_tokens = p->tokenizer->tokens.size();
    n_merges = p->tokenizer->merges.size();
    n_special = p->tokenizer->special_tokens.size();
    if (!json_opts.dump_tokenizer) {
      p->tokenizer->tokens.clear();
      p->tokenizer->merges.clear();
      if (n_special > kSpecialTokensShown) p->tokenizer->special_tokens.resize(kSpecialTokensShown);
    }
  }
  flatbuffers::FlatBufferBuilder fbb;
  plan::FinishPlanBuffer(fbb, plan::Plan::Pack(fbb, p.get()));
  LAC_ASSIGN_OR_RETURN(std::string text, planText(fbb));
  try {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
    if (j.contains("tokenizer")) {
      j["tokenizer"]["tokens_count"] = n_tokens;
      j["tokenizer"]["merges_count"] = n_merges;
      j["tokenizer"]["special_tokens_count"] = n_special;
    }
    // A weight no tensor-parallel rank splits says nothing about shards.
    if (j.contains("weights"))
      for (auto& w : j["weights"])
        if (w.value("shard_axis", -1) == -1) w.erase("shard_axis");
    pretty(j, out, 0);
    out << "\n";
  } catch (const std::exception& e) {
    LAC_FAIL(Error::Internal, "plan JSON: %s", e.what());
  }
  LAC_CHECK_OR_RETURN(out.good(), Error::IoError, "cannot write the plan JSON");
  return {};
}

}  // namespace lac::emit
