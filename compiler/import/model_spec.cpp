#include "compiler/import/model_spec.h"

#include <cstring>
#include <numeric>

#include "compiler/import/dequantize.h"

namespace lac::import {

std::string_view sourceFormatName(SourceFormat f) {
  switch (f) {
    case SourceFormat::Meta: return "meta";
    case SourceFormat::HuggingFace: return "huggingface";
    case SourceFormat::Gguf: return "gguf";
  }
  return "?";
}

std::string_view chatFormatKindName(ChatFormatKind k) {
  switch (k) {
    case ChatFormatKind::None: return "none";
    case ChatFormatKind::Llama3: return "llama3";
    case ChatFormatKind::ChatML: return "chatml";
    case ChatFormatKind::Jinja: return "jinja";
    case ChatFormatKind::Unknown: return "unknown";
  }
  return "?";
}

namespace {

uint64_t product(const std::vector<uint64_t>& v, size_t from, size_t to) {
  uint64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= v[i];
  return p;
}

// Bytes of the slice of `shape` from `axis` inwards (one "outer" step).
std::optional<uint64_t> sliceBytes(DType t, const std::vector<uint64_t>& shape, size_t axis) {
  if (shape.empty()) return dtypeInfo(t).blockBytes;
  auto row = rowBytes(t, shape.back());
  if (!row) return std::nullopt;
  return product(shape, axis, shape.size() - 1) * *row;
}

}  // namespace

uint64_t TensorView::numElements() const { return product(shape, 0, shape.size()); }

uint64_t TensorView::numBytes() const {
  auto b = sliceBytes(dtype, shape, 0);
  return b ? *b : 0;
}

VoidResult TensorView::copyTo(std::span<uint8_t> out) const {
  const uint64_t total = numBytes();
  LAC_CHECK_OR_RETURN(out.size() == total, Error::Internal, "tensor '%s': copyTo needs %llu bytes, got %zu",
                      name.c_str(), static_cast<unsigned long long>(total), out.size());
  LAC_CHECK_OR_RETURN(!pieces.empty(), Error::Internal, "tensor '%s' has no data", name.c_str());
  const size_t rank = shape.size();
  const size_t axis = rank == 0 ? 0 : concat_axis;
  LAC_CHECK_OR_RETURN(rank == 0 || axis < rank, Error::Internal, "tensor '%s': bad concat axis", name.c_str());

  // Pieces agree with the shape on every dimension but the axis, and add up along it.
  uint64_t along = 0;
  for (const TensorPiece& p : pieces) {
    bool same_rank = p.shape.size() == rank;
    for (size_t d = 0; same_rank && d < rank; ++d) same_rank = d == axis || p.shape[d] == shape[d];
    LAC_CHECK_OR_RETURN(same_rank, Error::InvalidCheckpoint,
                        "tensor '%s': a shard's shape disagrees with the merged shape outside axis %zu",
                        name.c_str(), axis);
    along += rank ? p.shape[axis] : 1;
  }
  LAC_CHECK_OR_RETURN(rank == 0 || along == shape[axis], Error::InvalidCheckpoint,
                      "tensor '%s': shards add up to %llu along axis %zu, the shape says %llu", name.c_str(),
                      static_cast<unsigned long long>(along), axis,
                      static_cast<unsigned long long>(rank ? shape[axis] : 1));

  // Assemble pieces (row-permuted afterwards if needed).
  std::vector<uint8_t> scratch;
  std::span<uint8_t> dst = out;
  if (!row_permutation.empty()) {
    scratch.resize(total);
    dst = scratch;
  }
  const uint64_t outer = rank == 0 ? 1 : product(shape, 0, axis);
  uint64_t written = 0;
  for (uint64_t o = 0; o < outer; ++o) {
    for (const TensorPiece& p : pieces) {
      auto sb = sliceBytes(dtype, p.shape, axis);
      LAC_CHECK_OR_RETURN(sb.has_value(), Error::InvalidCheckpoint,
                          "tensor '%s': piece is not a whole number of %s blocks", name.c_str(),
                          std::string(dtypeName(dtype)).c_str());
      const uint64_t src = p.offset + o * *sb;
      LAC_CHECK_OR_RETURN(p.file && src + *sb <= p.file->size(), Error::InvalidCheckpoint,
                          "%s: tensor '%s': data at byte offset %llu runs past the end of the file",
                          p.file ? p.file->path().c_str() : "?", name.c_str(),
                          static_cast<unsigned long long>(src));
      LAC_CHECK_OR_RETURN(written + *sb <= total, Error::InvalidCheckpoint,
                          "tensor '%s': pieces add up to more than its shape", name.c_str());
      std::memcpy(dst.data() + written, p.file->data() + src, *sb);
      written += *sb;
    }
  }
  LAC_CHECK_OR_RETURN(written == total, Error::InvalidCheckpoint,
                      "tensor '%s': pieces add up to %llu bytes, shape needs %llu", name.c_str(),
                      static_cast<unsigned long long>(written), static_cast<unsigned long long>(total));

  if (!row_permutation.empty()) {
    LAC_CHECK_OR_RETURN(rank >= 1 && row_permutation.size() == shape[0], Error::Internal,
                        "tensor '%s': row permutation has %zu entries for %llu rows", name.c_str(),
                        row_permutation.size(), static_cast<unsigned long long>(rank ? shape[0] : 0));
    const uint64_t rb = total / shape[0];
    for (uint64_t r = 0; r < shape[0]; ++r) {
      LAC_CHECK_OR_RETURN(row_permutation[r] < shape[0], Error::Internal, "tensor '%s': bad row permutation",
                          name.c_str());
      std::memcpy(out.data() + r * rb, scratch.data() + row_permutation[r] * rb, rb);
    }
  }
  return {};
}

VoidResult TensorView::toFloat(std::span<float> out) const {
  LAC_CHECK_OR_RETURN(out.size() == numElements(), Error::Internal, "tensor '%s': toFloat size mismatch",
                      name.c_str());
  std::vector<uint8_t> raw(numBytes());
  LAC_RETURN_IF_ERROR(copyTo(raw));
  return dequantizeRow(dtype, raw.data(), out.data(), numElements());
}

const TensorView* ModelSpec::findTensor(const std::string& n) const {
  for (const auto& t : tensors)
    if (t.name == n) return &t;
  return nullptr;
}

}  // namespace lac::import
