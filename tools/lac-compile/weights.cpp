#include "tools/lac-compile/weights.h"

#include "compiler/conversion/pack_weights.h"

namespace lac::tools {

emit::WeightProvider packingWeightProvider(const import::ModelSpec& spec) {
  emit::WeightProvider as_stored = emit::modelSpecWeights(spec);
  return [&spec, as_stored](std::string_view name, const emit::ExecWeightInfo& info,
                            emit::WeightSink& sink) -> VoidResult {
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

}  // namespace lac::tools
