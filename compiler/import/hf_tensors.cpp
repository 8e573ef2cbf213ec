#include "compiler/import/hf_tensors.h"

#include <filesystem>
#include <map>
#include <set>

#include "compiler/import/hf_json.h"
#include "compiler/import/safetensors_file.h"

namespace lac::import {

namespace fs = std::filesystem;
using hf::Json;

// ---- names ---------------------------------------------------------------------

std::optional<std::string> hfToMetaName(const std::string& n) {
  static const std::map<std::string, std::string> top = {
      {"model.embed_tokens.weight", "tok_embeddings.weight"},
      {"model.norm.weight", "norm.weight"},
      {"lm_head.weight", "output.weight"},
  };
  static const std::map<std::string, std::string> layer = {
      {"self_attn.q_proj.weight", "attention.wq.weight"},
      {"self_attn.k_proj.weight", "attention.wk.weight"},
      {"self_attn.v_proj.weight", "attention.wv.weight"},
      {"self_attn.o_proj.weight", "attention.wo.weight"},
      {"mlp.gate_proj.weight", "feed_forward.w1.weight"},
      {"mlp.down_proj.weight", "feed_forward.w2.weight"},
      {"mlp.up_proj.weight", "feed_forward.w3.weight"},
      {"input_layernorm.weight", "attention_norm.weight"},
      {"post_attention_layernorm.weight", "ffn_norm.weight"},
  };
  if (auto it = top.find(n); it != top.end()) return it->second;
  const std::string prefix = "model.layers.";
  if (n.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  size_t i = prefix.size(), j = i;
  while (j < n.size() && j - i < 6 && n[j] >= '0' && n[j] <= '9') ++j;
  if (j == i || j >= n.size() || n[j] != '.' || (n[i] == '0' && j - i > 1)) return std::nullopt;
  auto it = layer.find(n.substr(j + 1));
  if (it == layer.end()) return std::nullopt;
  return "layers." + n.substr(i, j - i) + "." + it->second;
}

// ---- q/k rows ----------------------------------------------------------------------

std::vector<uint32_t> hfRotaryRowPermutation(uint32_t n_heads, uint32_t head_dim) {
  std::vector<uint32_t> perm(uint64_t(n_heads) * head_dim);
  const uint32_t half = head_dim / 2;
  for (uint32_t h = 0; h < n_heads; ++h)
    for (uint32_t i = 0; i < half; ++i)
      for (uint32_t j = 0; j < 2; ++j) perm[h * head_dim + 2 * i + j] = h * head_dim + j * half + i;
  return perm;
}

namespace {

// HF names whose tensors carry nothing a Llama model needs (old checkpoints).
bool ignorable(const std::string& n) {
  const std::string s = ".rotary_emb.inv_freq";
  return n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
}

// ---- which files -------------------------------------------------------------------

// shard file name -> the tensor names the index puts in it.
using ShardMap = std::map<std::string, std::set<std::string>>;

Result<ShardMap> readIndex(const fs::path& index_path) {
  const std::string ip = index_path.string();
  LAC_ASSIGN_OR_RETURN(Json j, hf::readJsonFile(ip));
  auto wm = j.is_object() ? j.find("weight_map") : j.end();
  LAC_CHECK_OR_RETURN(wm != j.end() && wm->is_object() && !wm->empty(), Error::InvalidCheckpoint,
                      "%s: \"weight_map\" is missing, empty or not an object", ip.c_str());
  ShardMap shards;
  for (const auto& [tensor, file] : wm->items()) {
    LAC_CHECK_OR_RETURN(file.is_string(), Error::InvalidCheckpoint, "%s: weight_map['%s'] is not a file name",
                        ip.c_str(), tensor.c_str());
    const std::string f = file.get<std::string>();
    LAC_CHECK_OR_RETURN(!f.empty() && f.find('/') == std::string::npos && f.find('\\') == std::string::npos &&
                            f != "." && f != "..",
                        Error::InvalidCheckpoint, "%s: weight_map['%s'] = '%s' is not a plain file name", ip.c_str(),
                        tensor.c_str(), f.c_str());
    shards[f].insert(tensor);
  }
  for (const auto& [f, names] : shards) {
    std::error_code ec;
    LAC_CHECK_OR_RETURN(fs::exists(index_path.parent_path() / f, ec), Error::NotFound,
                        "%s: shard '%s' (holding '%s') is missing", ip.c_str(), f.c_str(), names.begin()->c_str());
  }
  return shards;
}

// ---- one file's tensors -----------------------------------------------------------

VoidResult addFile(const fs::path& path, const std::set<std::string>* expected, const ModelConfig& c,
                   std::map<std::string, std::string>& seen, HfTensors& out) {
  const std::string p = path.string();
  const std::string base = path.filename().string();
  LAC_ASSIGN_OR_RETURN(SafetensorsFile sf, openSafetensors(p));
  size_t found = 0;
  for (const SafetensorsEntry& e : sf.header.tensors) {
    auto [it, fresh] = seen.emplace(e.name, base);
    LAC_CHECK_OR_RETURN(fresh, Error::InvalidCheckpoint, "%s: tensor '%s' is also in %s", p.c_str(),
                        e.name.c_str(), it->second.c_str());
    if (expected) {
      LAC_CHECK_OR_RETURN(expected->count(e.name), Error::InvalidCheckpoint,
                          "%s: tensor '%s' is not listed for this file in model.safetensors.index.json", p.c_str(),
                          e.name.c_str());
      ++found;
    }
    if (ignorable(e.name)) continue;
    auto meta = hfToMetaName(e.name);
    LAC_CHECK_OR_RETURN(meta.has_value(), Error::Unsupported, "%s: tensor '%s' is not part of a Llama model",
                        p.c_str(), e.name.c_str());

    TensorView t;
    t.name = *meta;
    t.dtype = e.dtype;
    t.shape = e.shape;
    t.pieces.push_back({sf.file, e.offset, e.shape});
    t.source = base + " @ " + std::to_string(e.offset) + " (" + e.name + ")";
    // q/k: logical (Meta) row r is stored at HF row perm[r]. A shape that
    // disagrees with the config is left for validateSpec to report.
    const bool is_q = t.name.ends_with(".attention.wq.weight"), is_k = t.name.ends_with(".attention.wk.weight");
    const uint32_t heads = is_q ? c.n_heads : c.n_kv_heads;
    if ((is_q || is_k) && t.shape.size() == 2 && t.shape[0] == uint64_t(heads) * c.head_dim && c.head_dim % 2 == 0)
      t.row_permutation = hfRotaryRowPermutation(heads, c.head_dim);
    if (t.name == "output.weight") out.has_output = true;
    out.tensors.push_back(std::move(t));
  }
  if (expected && found != expected->size()) {
    for (const std::string& n : *expected)
      LAC_CHECK_OR_RETURN(seen.count(n) && seen[n] == base, Error::InvalidCheckpoint,
                          "%s: tensor '%s' is listed in model.safetensors.index.json but not in this file", p.c_str(),
                          n.c_str());
  }
  return {};
}

}  // namespace

// ---- the folder ------------------------------------------------------------------------

Result<HfTensors> readHfTensors(const std::string& folder, const ModelConfig& c) {
  const fs::path dir(folder);
  const fs::path index = dir / "model.safetensors.index.json", single = dir / "model.safetensors";
  std::error_code ec;
  HfTensors out;
  std::map<std::string, std::string> seen;  // HF tensor name -> file
  if (fs::exists(index, ec)) {
    LAC_ASSIGN_OR_RETURN(ShardMap shards, readIndex(index));
    for (const auto& [file, names] : shards) LAC_RETURN_IF_ERROR(addFile(dir / file, &names, c, seen, out));
    return out;
  }
  if (fs::exists(single, ec)) {
    LAC_RETURN_IF_ERROR(addFile(single, nullptr, c, seen, out));
    return out;
  }
  const bool bin = fs::exists(dir / "pytorch_model.bin", ec) || fs::exists(dir / "pytorch_model.bin.index.json", ec);
  LAC_FAIL(bin ? Error::Unsupported : Error::NotFound, "%s: no model.safetensors or model.safetensors.index.json%s",
           folder.c_str(), bin ? " (pytorch_model.bin checkpoints are not supported)" : "");
}

}  // namespace lac::import
