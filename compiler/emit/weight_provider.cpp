// The default WeightProvider: ModelSpec tensors as they are (or exactly
// widened to f32). Packing and quantizing belong to compiler/conversion/.
#include <cstring>
#include <vector>

#include "compiler/emit/emit.h"

namespace lac::emit {

namespace {

constexpr size_t kChunk = size_t(4) << 20;  // progress granularity for big tensors

std::string shapeText(const std::vector<uint64_t>& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

VoidResult writeChunked(std::span<const uint8_t> bytes, WeightSink& sink) {
  for (size_t off = 0; off < bytes.size(); off += kChunk)
    LAC_RETURN_IF_ERROR(sink.write(bytes.subspan(off, std::min(kChunk, bytes.size() - off))));
  return {};
}

// As stored: straight from the mapped file when it is one plain piece.
VoidResult copyAsIs(const import::TensorView& t, WeightSink& sink) {
  if (t.pieces.size() == 1 && t.row_permutation.empty() && t.pieces[0].file) {
    const import::TensorPiece& piece = t.pieces[0];
    const uint64_t n = t.numBytes();
    LAC_CHECK_OR_RETURN(piece.offset <= piece.file->size() && n <= piece.file->size() - piece.offset,
                        Error::InvalidCheckpoint, "%s: tensor '%s': %llu bytes at byte offset %llu run past the end",
                        piece.file->path().c_str(), t.name.c_str(), (unsigned long long)n,
                        (unsigned long long)piece.offset);
    return writeChunked(piece.file->bytes().subspan(piece.offset, n), sink);
  }
  std::vector<uint8_t> buf(t.numBytes());
  LAC_RETURN_IF_ERROR(t.copyTo(buf));
  return writeChunked(buf, sink);
}

VoidResult widenToF32(const import::TensorView& t, WeightSink& sink) {
  std::vector<float> f(t.numElements());
  LAC_RETURN_IF_ERROR(t.toFloat(f));
  return writeChunked({reinterpret_cast<const uint8_t*>(f.data()), f.size() * sizeof(float)}, sink);
}

}  // namespace

WeightProvider modelSpecWeights(const import::ModelSpec& spec) {
  return [&spec](std::string_view name, const ExecWeightInfo& info, WeightSink& sink) -> VoidResult {
    const import::TensorView* t = spec.findTensor(std::string(name));
    LAC_CHECK_OR_RETURN(t != nullptr, Error::NotFound,
                        "%s: weight '%s' is not a tensor of the model (fused or renamed weights need the packer)",
                        spec.path.c_str(), std::string(name).c_str());
    LAC_CHECK_OR_RETURN(t->shape == info.shape, Error::InvalidArgument,
                        "%s: weight '%s': the model's tensor has shape %s, the plan wants %s", spec.path.c_str(),
                        t->name.c_str(), shapeText(t->shape).c_str(), shapeText(info.shape).c_str());
    LAC_CHECK_OR_RETURN(info.layout == "row_major", Error::Unsupported,
                        "%s: weight '%s': layout '%s' needs the packer", spec.path.c_str(), t->name.c_str(),
                        info.layout.c_str());
    const bool same = t->dtype == info.dtype;
    const bool widen = info.dtype == DType::F32 && (t->dtype == DType::BF16 || t->dtype == DType::F16);
    LAC_CHECK_OR_RETURN(same || widen, Error::Unsupported,
                        "%s: weight '%s' is %s in the model but %s in the plan (converting needs the packer)",
                        spec.path.c_str(), t->name.c_str(), std::string(dtypeName(t->dtype)).c_str(),
                        std::string(dtypeName(info.dtype)).c_str());
    const uint64_t have = same ? t->numBytes() : t->numElements() * sizeof(float);
    LAC_CHECK_OR_RETURN(have == info.bytes, Error::InvalidArgument,
                        "%s: weight '%s' has %llu bytes, the plan reserves %llu", spec.path.c_str(), t->name.c_str(),
                        (unsigned long long)have, (unsigned long long)info.bytes);
    return same ? copyAsIs(*t, sink) : widenToF32(*t, sink);
  };
}

}  // namespace lac::emit
