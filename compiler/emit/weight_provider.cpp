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

// One ModelSpec tensor as exec weight `info` (its name, shape and bytes).
VoidResult writeTensor(const import::ModelSpec& spec, std::string_view name, const ExecWeightInfo& info,
                       WeightSink& sink) {
  const import::TensorView* t = spec.findTensor(std::string(name));
  LAC_CHECK_OR_RETURN(t != nullptr, Error::NotFound,
                      "%s: weight '%s' is not a tensor of the model (renamed weights need the packer)",
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
}

}  // namespace

WeightProvider modelSpecWeights(const import::ModelSpec& spec) {
  return [&spec](std::string_view name, const ExecWeightInfo& info, WeightSink& sink) -> VoidResult {
    if (info.concat_of.empty()) return writeTensor(spec, name, info, sink);
    // A fused row_major weight: the parts' rows one after the other, each
    // written as its own [rows_i, cols] weight of the same format.
    LAC_CHECK_OR_RETURN(info.shape.size() == 2 && info.layout == "row_major", Error::Unsupported,
                        "%s: fused weight '%s' must be a row_major matrix without the packer", spec.path.c_str(),
                        std::string(name).c_str());
    uint64_t rows = 0, bytes = 0;
    for (const std::string& part : info.concat_of) {
      const import::TensorView* t = spec.findTensor(part);
      LAC_CHECK_OR_RETURN(t != nullptr && t->shape.size() == 2 && t->shape[1] == info.shape[1], Error::InvalidArgument,
                          "%s: fused weight '%s': part '%s' is not a [rows, %llu] tensor of the model",
                          spec.path.c_str(), std::string(name).c_str(), part.c_str(),
                          (unsigned long long)info.shape[1]);
      ExecWeightInfo one{part, info.dtype, t->shape, info.layout, 0, {}};
      one.bytes = info.bytes / info.shape[0] * t->shape[0];  // row_major: whole rows
      LAC_RETURN_IF_ERROR(writeTensor(spec, part, one, sink));
      rows += t->shape[0];
      bytes += one.bytes;
    }
    LAC_CHECK_OR_RETURN(rows == info.shape[0] && bytes == info.bytes, Error::InvalidArgument,
                        "%s: fused weight '%s': its parts have %llu rows, the plan wants %llu", spec.path.c_str(),
                        std::string(name).c_str(), (unsigned long long)rows, (unsigned long long)info.shape[0]);
    return {};
  };
}

}  // namespace lac::emit
