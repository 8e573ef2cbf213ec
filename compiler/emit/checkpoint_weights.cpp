// checkpointWeights: the one place that decides how a checkpoint tensor
// becomes an artifact weight (emit.h). As stored when the exec weight's
// format, layout and shape are the tensor's; packed/converted by
// compiler/conversion/pack_weights.h otherwise; fused weights stack their
// parts' packed rows.
#include "compiler/conversion/pack_weights.h"
#include "compiler/import/tensor_slice.h"
#include "compiler/emit/emit.h"

namespace lac::emit {

namespace {

// A fused weight: its parts' rows stacked (packConcatRows), in its format.
// A tensor-parallel rank's slice stacks each part's slice of rows (whole
// heads of wq, wk and wv; whole columns of w1 and w3).
VoidResult packFused(const import::ModelSpec& spec, std::string_view name, const ExecWeightInfo& info,
                     WeightSink& sink) {
  std::vector<import::TensorView> slices;
  slices.reserve(info.concat_of.size());
  std::vector<const import::TensorView*> parts;
  for (const std::string& part : info.concat_of) {
    const import::TensorView* t = spec.findTensor(part);
    LAC_CHECK_OR_RETURN(t != nullptr, Error::Internal, "fused weight '%.*s': part '%s' is not a tensor of %s",
                        int(name.size()), name.data(), part.c_str(), spec.path.c_str());
    if (info.shard.axis >= 0) {
      LAC_CHECK_OR_RETURN(info.shard.axis == 0, Error::Internal, "fused weight '%.*s' split by columns",
                          int(name.size()), name.data());
      LAC_ASSIGN_OR_RETURN(import::TensorView slice, import::sliceTensor(*t, 0, info.shard.index, info.shard.count));
      slices.push_back(std::move(slice));
      t = &slices.back();
    }
    parts.push_back(t);
  }
  LAC_ASSIGN_OR_RETURN(std::vector<uint8_t> packed, conversion::packConcatRows(parts, info.dtype, info.layout));
  LAC_CHECK_OR_RETURN(packed.size() == info.bytes, Error::Internal,
                      "fused weight '%.*s': packed to %zu bytes, the plan reserves %llu", int(name.size()),
                      name.data(), packed.size(), static_cast<unsigned long long>(info.bytes));
  return sink.write(packed);
}

// `t` (a slice: compiler/import/tensor_slice.h) as weight `info`: its bytes
// when they are already the weight's, else packed.
VoidResult packView(const import::TensorView& t, const ExecWeightInfo& info, WeightSink& sink) {
  std::vector<uint8_t> bytes;
  if (t.dtype == info.dtype && info.layout == "row_major" && t.shape == info.shape) {
    bytes.resize(t.numBytes());
    LAC_RETURN_IF_ERROR(t.copyTo(bytes));
  } else {
    LAC_ASSIGN_OR_RETURN(bytes, conversion::packWeight(t, info.dtype, info.layout));
  }
  LAC_CHECK_OR_RETURN(bytes.size() == info.bytes, Error::Internal, "weight '%s' (%s): %zu bytes, the plan reserves %llu",
                      t.name.c_str(), t.source.c_str(), bytes.size(), static_cast<unsigned long long>(info.bytes));
  return sink.write(bytes);
}

}  // namespace

WeightProvider checkpointWeights(const import::ModelSpec& spec) {
  WeightProvider as_stored = modelSpecWeights(spec);
  return [&spec, as_stored](std::string_view name, const ExecWeightInfo& info, WeightSink& sink) -> VoidResult {
    if (!info.concat_of.empty()) return packFused(spec, name, info, sink);
    const import::TensorView* t = spec.findTensor(std::string(name));
    LAC_CHECK_OR_RETURN(t != nullptr, Error::Internal, "weight '%.*s' is not a tensor of %s", int(name.size()),
                        name.data(), spec.path.c_str());
    if (info.shard.axis >= 0) {  // a tensor-parallel rank's rows or columns
      LAC_ASSIGN_OR_RETURN(import::TensorView slice,
                           import::sliceTensor(*t, info.shard.axis, info.shard.index, info.shard.count));
      return packView(slice, info, sink);
    }
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
