#include "compiler/import/tensor_slice.h"

#include <cstring>
#include <string>
#include <vector>

namespace lac::import {

namespace {

using ull = unsigned long long;

// The view with shape `shape` over `pieces` (no permutation).
TensorView viewOf(const TensorView& t, std::vector<uint64_t> shape, std::vector<TensorPiece> pieces, uint32_t axis,
                  const std::string& what) {
  TensorView v;
  v.name = t.name;
  v.dtype = t.dtype;
  v.shape = std::move(shape);
  v.pieces = std::move(pieces);
  v.concat_axis = axis;
  v.source = t.source + " [" + what + "]";
  return v;
}

}  // namespace

Result<TensorView> sliceTensor(const TensorView& t, int axis, uint32_t index, uint32_t count) {
  LAC_CHECK_OR_RETURN(t.shape.size() == 2 && (axis == 0 || axis == 1) && count >= 1 && index < count,
                      Error::InvalidArgument, "tensor '%s': cannot take slice %u of %u along axis %d of a %zu-d tensor",
                      t.name.c_str(), index, count, axis, t.shape.size());
  const uint64_t rows = t.shape[0], cols = t.shape[1], n = t.shape[size_t(axis)];
  LAC_CHECK_OR_RETURN(n % count == 0, Error::InvalidArgument,
                      "tensor '%s': %llu %s do not split into %u equal tensor-parallel slices", t.name.c_str(), (ull)n,
                      axis == 0 ? "rows" : "columns", count);
  const uint64_t len = n / count, begin = uint64_t(index) * len;
  std::vector<uint64_t> shape = t.shape;
  shape[size_t(axis)] = len;
  const std::string what = (axis == 0 ? "rows " : "columns ") + std::to_string(begin) + ".." +
                           std::to_string(begin + len) + " for rank " + std::to_string(index);
  if (count == 1) return t;

  // The checkpoint's own shards, split the same way: rank `index`'s piece.
  if (t.row_permutation.empty() && t.pieces.size() == count && t.concat_axis == uint32_t(axis)) {
    bool same = true;
    for (const TensorPiece& p : t.pieces) same &= p.shape.size() == 2 && p.shape[size_t(axis)] == len;
    if (same) return viewOf(t, shape, {t.pieces[index]}, 0, what + ", its own shard");
  }
  const std::optional<uint64_t> row_bytes = rowBytes(t.dtype, cols);
  LAC_CHECK_OR_RETURN(row_bytes.has_value(), Error::InvalidArgument, "tensor '%s': %llu columns are not whole %s blocks",
                      t.name.c_str(), (ull)cols, std::string(dtypeName(t.dtype)).c_str());
  // Rows of one plain piece: a narrower piece of the same file.
  if (axis == 0 && t.row_permutation.empty() && t.pieces.size() == 1) {
    TensorPiece p = t.pieces[0];
    p.offset += begin * *row_bytes;
    p.shape = shape;
    return viewOf(t, shape, {p}, 0, what);
  }
  // Otherwise cut it out: the whole tensor in its own dtype, then the slice.
  const std::optional<uint64_t> slice_row = rowBytes(t.dtype, axis == 1 ? len : cols);
  const std::optional<uint64_t> skip = rowBytes(t.dtype, axis == 1 ? begin : 0);
  LAC_CHECK_OR_RETURN(slice_row && skip, Error::InvalidArgument,
                      "tensor '%s': a slice of %llu columns at column %llu is not whole %s blocks", t.name.c_str(),
                      (ull)len, (ull)begin, std::string(dtypeName(t.dtype)).c_str());
  std::vector<uint8_t> whole(t.numBytes());
  LAC_RETURN_IF_ERROR(t.copyTo(whole));
  std::vector<uint8_t> out;
  if (axis == 0) {
    out.assign(whole.begin() + std::ptrdiff_t(begin * *row_bytes), whole.begin() + std::ptrdiff_t((begin + len) * *row_bytes));
  } else {
    out.resize(rows * *slice_row);
    for (uint64_t r = 0; r < rows; ++r)
      std::memcpy(out.data() + r * *slice_row, whole.data() + r * *row_bytes + *skip, *slice_row);
  }
  TensorPiece p;
  p.shape = shape;
  p.file = MappedFile::fromBytes(std::move(out), t.name + " " + what);
  return viewOf(t, shape, {p}, 0, what);
}

}  // namespace lac::import
