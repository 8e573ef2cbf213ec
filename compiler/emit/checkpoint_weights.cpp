// checkpointWeights: the one place that decides how a checkpoint tensor
// becomes an artifact weight (emit.h). As stored when the exec weight's
// format, layout and shape are the tensor's; packed/converted by
// compiler/conversion/pack_weights.h otherwise; fused weights stack their
// parts' packed rows.
#include "compiler/conversion/pack_weights.h"
#include "compiler/emit/emit.h"

namespace lac::emit {

namespace {

// A fused weight: its parts' rows stacked (packConcatRows), in its format.
VoidResult packFused(const import::ModelSpec& spec, std::string_view name, const ExecWeightInfo& info,
                     WeightSink& sink) {
  std::vector<const import::TensorView*> parts;
  for (const std::string& part : info.concat_of) {
    const import::TensorView* t = spec.findTensor(part);
    LAC_CHECK_OR_RETURN(t != nullptr, Error::Internal, "fused weight '%.*s': part '%s' is not a tensor of %s",
                        int(name.size()), name.data(), part.c_str(), spec.path.c_str());
    parts.push_back(t);
  }
  LAC_ASSIGN_OR_RETURN(std::vector<uint8_t> packed, conversion::packConcatRows(parts, info.dtype, info.layout));
  LAC_CHECK_OR_RETURN(packed.size() == info.bytes, Error::Internal,
                      "fused weight '%.*s': packed to %zu bytes, the plan reserves %llu", int(name.size()),
                      name.data(), packed.size(), static_cast<unsigned long long>(info.bytes));
  return sink.write(packed);
}

}  // namespace

WeightProvider checkpointWeights(const import::ModelSpec& spec) {
  WeightProvider as_stored = modelSpecWeights(spec);
  return [&spec, as_stored](std::string_view name, const ExecWeightInfo& info, WeightSink& sink) -> VoidResult {
    if (!info.concat_of.empty()) return packFused(spec, name, info, sink);
    const import::TensorView* t = spec.findTensor(std::string(name));
    LAC_CHECK_OR_RETURN(t != nullptr, Error::Internal, "weight '%.*s' is not a tensor of %s", int(name.size()),
                        name.data(), spec.path.c_str());
    // Same format and plain rows: straight from the mapped checkpoint.
    if (t->dtype == info.dtype && info.layout == "row_major" && t->shape == info.shape)
      return as_stored(name, info, sink);
    LAC_ASSIGN_OR_RETURN(std::vector<uint8_t> packed, conversion::packWeight(*t, info.dtype, info.layout));
    LAC_CHECK_OR_RETURN(packed.size() == info.bytes, Error::Internal,
                        "weight '%s': packed to %zu bytes, the plan reserves %llu", t->name.c_str(), packed.size(),
                        static_cast<unsigned long long>(info.bytes));
    return sink.write(packed);
  };
}

}  // namespace lac::emit
