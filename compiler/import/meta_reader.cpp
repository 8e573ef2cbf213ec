// Meta's checkpoint folder: params.json, tokenizer.model and
// consolidated.00.pth .. consolidated.NN.pth, one torch.save state dict per
// model-parallel rank. Shards are merged as Meta's parallel layers split them
// (fairscale ColumnParallelLinear / RowParallelLinear / VocabParallelEmbedding):
// every tensor becomes one TensorView with one piece per shard.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "compiler/import/meta_params.h"
#include "compiler/import/reader.h"
#include "compiler/import/tiktoken_file.h"
#include "compiler/import/torch_pickle.h"
#include "compiler/import/zip_archive.h"

namespace lac::import {

namespace {

namespace fs = std::filesystem;
using ull = unsigned long long;

// ---- finding the shards -------------------------------------------------------------

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// consolidated.<digits>.pth -> its number.
std::optional<uint32_t> shardNumber(const std::string& file) {
  const std::string pre = "consolidated.", post = ".pth";
  if (file.size() <= pre.size() + post.size() || file.compare(0, pre.size(), pre) != 0 ||
      file.compare(file.size() - post.size(), post.size(), post) != 0)
    return std::nullopt;
  const std::string digits = file.substr(pre.size(), file.size() - pre.size() - post.size());
  if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), isDigit))
    return std::nullopt;
  return static_cast<uint32_t>(std::stoul(digits));
}

Result<std::vector<std::string>> findShards(const fs::path& dir) {
  std::map<uint32_t, std::string> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string file = e.path().filename().string();
    if (auto n = shardNumber(file)) found.emplace(*n, e.path().string());
  }
  LAC_CHECK_OR_RETURN(!ec, Error::IoError, "%s: cannot list the folder: %s", dir.c_str(), ec.message().c_str());
  LAC_CHECK_OR_RETURN(!found.empty(), Error::NotFound, "%s: no consolidated.NN.pth shards", dir.c_str());
  std::vector<std::string> out;
  for (const auto& [n, path] : found) {
    LAC_CHECK_OR_RETURN(n == out.size(), Error::InvalidCheckpoint,
                        "%s: shard %02zu is missing (found %zu shards, the next is %s)", dir.c_str(), out.size(),
                        found.size(), fs::path(path).filename().c_str());
    out.push_back(path);
  }
  return out;
}

// ---- one shard ----------------------------------------------------------------------

struct ShardTensor {
  PickledTensor t;
  TensorPiece piece;
  std::string entry;  // zip entry of its storage
};

struct Shard {
  std::string file;  // "consolidated.01.pth"
  std::vector<ShardTensor> tensors;
  std::map<std::string, size_t> index;
};

// The data.pkl entry: "<archive>/data.pkl" with a one-level archive folder.
Result<const ZipEntry*> findPickle(const ZipArchive& zip) {
  for (const ZipEntry& e : zip.entries()) {
    const size_t slash = e.name.find('/');
    if (slash != std::string::npos && slash > 0 && e.name.compare(slash, std::string::npos, "/data.pkl") == 0)
      return &e;
  }
  LAC_FAIL(Error::InvalidCheckpoint, "%s: no '<archive>/data.pkl' entry; not a torch.save checkpoint",
           zip.where().c_str());
}

Result<ShardTensor> locateTensor(const ZipArchive& zip, const std::string& prefix, PickledTensor t) {
  const std::string entry_name = prefix + "data/" + t.storage_key;
  const ZipEntry* e = zip.find(entry_name);
  LAC_CHECK_OR_RETURN(e != nullptr, Error::InvalidCheckpoint,
                      "%s: tensor '%s': its storage '%s' (zip entry '%s') is missing", zip.where().c_str(),
                      t.name.c_str(), t.storage_key.c_str(), entry_name.c_str());
  const uint64_t elem = dtypeInfo(t.dtype).blockBytes;
  uint64_t numel = 1;
  for (uint64_t d : t.shape) numel *= d;  // overflow excluded by readTorchStateDict
  const uint64_t begin = t.storage_offset * elem, bytes = numel * elem;
  LAC_CHECK_OR_RETURN(begin <= e->size && bytes <= e->size - begin, Error::InvalidCheckpoint,
                      "%s: tensor '%s': %llu bytes at byte offset %llu of zip entry '%s' run past its end (%llu bytes)",
                      zip.where().c_str(), t.name.c_str(), static_cast<ull>(bytes), static_cast<ull>(begin),
                      entry_name.c_str(), static_cast<ull>(e->size));
  ShardTensor st;
  st.piece = TensorPiece{zip.file(), e->data_offset + begin, t.shape};
  st.entry = entry_name;
  st.t = std::move(t);
  return st;
}

Result<Shard> readShard(const std::string& path) {
  LAC_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  // PyTorch before 1.6 wrote a bare pickle stream (starting with PROTO) instead of a zip.
  LAC_CHECK_OR_RETURN(file->size() < 2 || file->data()[0] != 0x80, Error::Unsupported,
                      "%s: legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with a newer "
                      "PyTorch",
                      path.c_str());
  LAC_ASSIGN_OR_RETURN(ZipArchive zip, ZipArchive::open(file));
  LAC_ASSIGN_OR_RETURN(const ZipEntry* pkl, findPickle(zip));
  const std::string prefix = pkl->name.substr(0, pkl->name.size() - std::string("data.pkl").size());
  LAC_ASSIGN_OR_RETURN(auto tensors, readTorchStateDict(zip.data(*pkl), path + ":" + pkl->name));
  Shard s;
  s.file = fs::path(path).filename().string();
  for (PickledTensor& t : tensors) {
    LAC_ASSIGN_OR_RETURN(ShardTensor st, locateTensor(zip, prefix, std::move(t)));
    s.index.emplace(st.t.name, s.tensors.size());
    s.tensors.push_back(std::move(st));
  }
  return s;
}

// ---- merging shards -----------------------------------------------------------------

enum class Split { Replicated, Axis0, Axis1, Embedding };

// How Meta's model-parallel layers split a weight; nullopt for tensors that are
// not model weights (rope.freqs and the like), which are ignored.
std::optional<Split> splitOf(const std::string& name) {
  if (name == "tok_embeddings.weight") return Split::Embedding;
  if (name == "norm.weight") return Split::Replicated;
  if (name == "output.weight") return Split::Axis0;
  if (name.rfind("layers.", 0) != 0) return std::nullopt;
  const size_t dot = name.find('.', 7);
  if (dot == std::string::npos || dot == 7 ||
      !std::all_of(name.begin() + 7, name.begin() + static_cast<ptrdiff_t>(dot), isDigit))
    return std::nullopt;
  static const std::map<std::string, Split> kLayer = {
      {"attention_norm.weight", Split::Replicated}, {"ffn_norm.weight", Split::Replicated},
      {"attention.wq.weight", Split::Axis0},        {"attention.wk.weight", Split::Axis0},
      {"attention.wv.weight", Split::Axis0},        {"attention.wo.weight", Split::Axis1},
      {"feed_forward.w1.weight", Split::Axis0},     {"feed_forward.w3.weight", Split::Axis0},
      {"feed_forward.w2.weight", Split::Axis1}};
  auto it = kLayer.find(name.substr(dot + 1));
  return it == kLayer.end() ? std::nullopt : std::optional<Split>(it->second);
}

std::string dims(const std::vector<uint64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// Checks that shard `s` holds `name` compatibly with shard 0.
VoidResult checkAgainstFirst(const Shard& first, const Shard& s, const ShardTensor& a, Split split, uint32_t axis) {
  auto it = s.index.find(a.t.name);
  LAC_CHECK_OR_RETURN(it != s.index.end(), Error::InvalidCheckpoint, "%s and %s disagree: tensor '%s' is only in %s",
                      first.file.c_str(), s.file.c_str(), a.t.name.c_str(), first.file.c_str());
  const ShardTensor& b = s.tensors[it->second];
  LAC_CHECK_OR_RETURN(a.t.dtype == b.t.dtype, Error::InvalidCheckpoint,
                      "%s and %s disagree: tensor '%s' is %s in one and %s in the other", first.file.c_str(),
                      s.file.c_str(), a.t.name.c_str(), std::string(dtypeName(a.t.dtype)).c_str(),
                      std::string(dtypeName(b.t.dtype)).c_str());
  bool same = a.t.shape.size() == b.t.shape.size();
  for (size_t d = 0; same && d < a.t.shape.size(); ++d)
    same = a.t.shape[d] == b.t.shape[d] || (split != Split::Replicated && d == axis);
  LAC_CHECK_OR_RETURN(same, Error::InvalidCheckpoint,
                      "%s and %s disagree: tensor '%s' has shape %s in one and %s in the other%s", first.file.c_str(),
                      s.file.c_str(), a.t.name.c_str(), dims(a.t.shape).c_str(), dims(b.t.shape).c_str(),
                      split == Split::Replicated ? " (it should be replicated)" : "");
  return {};
}

Result<TensorView> mergeTensor(const std::vector<Shard>& shards, const ShardTensor& a, Split split,
                               uint32_t vocab_size) {
  const std::vector<uint64_t>& shape = a.t.shape;
  uint32_t axis = 0;
  if (split == Split::Axis1) axis = 1;
  // Llama 3's VocabParallelEmbedding splits the vocabulary; Llama 2's ParallelEmbedding the embedding dim.
  if (split == Split::Embedding) axis = (shape.size() == 2 && shape[0] != vocab_size) ? 0 : 1;
  LAC_CHECK_OR_RETURN(split == Split::Replicated || shape.size() == 2, Error::InvalidCheckpoint,
                      "%s: tensor '%s' has shape %s, expected a matrix", shards[0].file.c_str(), a.t.name.c_str(),
                      dims(shape).c_str());
  TensorView v;
  v.name = a.t.name;
  v.dtype = a.t.dtype;
  v.shape = shape;
  v.concat_axis = axis;
  v.source = shards[0].file + ":" + a.entry;
  v.pieces.push_back(a.piece);
  for (size_t s = 1; s < shards.size(); ++s) {
    LAC_RETURN_IF_ERROR(checkAgainstFirst(shards[0], shards[s], a, split, axis));
    if (split == Split::Replicated) continue;  // every shard has the same copy: use shard 0's
    const ShardTensor& b = shards[s].tensors[shards[s].index.at(a.t.name)];
    v.shape[axis] += b.t.shape[axis];
    v.pieces.push_back(b.piece);
  }
  if (v.pieces.size() > 1) v.source += " (+" + std::to_string(v.pieces.size() - 1) + " shards)";
  return v;
}

Result<std::vector<TensorView>> mergeShards(const std::vector<Shard>& shards, uint32_t vocab_size,
                                            std::vector<std::string>& ignored) {
  const Shard& first = shards[0];
  for (size_t s = 1; s < shards.size(); ++s) {
    for (const ShardTensor& b : shards[s].tensors)
      LAC_CHECK_OR_RETURN(first.index.count(b.t.name), Error::InvalidCheckpoint,
                          "%s and %s disagree: tensor '%s' is only in %s", first.file.c_str(),
                          shards[s].file.c_str(), b.t.name.c_str(), shards[s].file.c_str());
  }
  std::vector<TensorView> out;
  for (const ShardTensor& a : first.tensors) {
    auto split = splitOf(a.t.name);
    if (!split) {
      ignored.push_back(a.t.name);
      continue;
    }
    LAC_ASSIGN_OR_RETURN(TensorView v, mergeTensor(shards, a, *split, vocab_size));
    out.push_back(std::move(v));
  }
  return out;
}

// ---- the folder -----------------------------------------------------------------------

void setChatAndStops(ModelSpec& spec, uint32_t first_special) {
  spec.chat.kind = ChatFormatKind::Llama3;
  spec.chat.template_text.clear();
  spec.chat.source = "Meta ChatFormat (llama3)";
  spec.stop_token_ids = {first_special + kLlama3EndOfText, first_special + kLlama3EotId};
}

}  // namespace

Result<ModelSpec> readMeta(const std::string& folder, const ReadOptions& options) {
  const fs::path dir(folder);
  ModelSpec spec;
  spec.format = SourceFormat::Meta;
  spec.path = folder;
  spec.name = (dir.has_filename() ? dir.filename() : dir.parent_path().filename()).string();
  LAC_ASSIGN_OR_RETURN(spec.config, readMetaParams((dir / "params.json").string()));

  const std::string tok_path = (dir / "tokenizer.model").string();
  std::error_code ec;
  LAC_CHECK_OR_RETURN(fs::is_regular_file(tok_path, ec), Error::NotFound, "%s: no such file", tok_path.c_str());
  LAC_ASSIGN_OR_RETURN(spec.tokenizer, readLlama3Tokenizer(tok_path));
  const uint32_t first_special = spec.tokenizer.bos_id.value_or(0);
  if (spec.config.vocab_size == 0) spec.config.vocab_size = static_cast<uint32_t>(spec.tokenizer.tokens.size());
  setChatAndStops(spec, first_special);

  if (!options.config_only) {
    LAC_ASSIGN_OR_RETURN(auto paths, findShards(dir));
    std::vector<Shard> shards;
    for (const std::string& p : paths) {
      LAC_ASSIGN_OR_RETURN(Shard s, readShard(p));
      shards.push_back(std::move(s));
    }
    std::vector<std::string> ignored;
    LAC_ASSIGN_OR_RETURN(spec.tensors, mergeShards(shards, spec.config.vocab_size, ignored));
    spec.config.tied_embeddings = spec.findTensor("output.weight") == nullptr;
    spec.metadata["meta.shards"] = std::to_string(shards.size());
    if (!ignored.empty()) {
      std::string list;
      for (const std::string& n : ignored) list += (list.empty() ? "" : ", ") + n;
      spec.metadata["meta.ignored_tensors"] = list;
    }
  }
  LAC_RETURN_IF_ERROR(validateSpec(spec));
  return spec;
}

}  // namespace lac::import
