// readHuggingFace: a folder with config.json, model.safetensors (or shards and
// model.safetensors.index.json), tokenizer.json and tokenizer_config.json.
#include <algorithm>
#include <filesystem>

#include "compiler/import/hf_config.h"
#include "compiler/import/hf_json.h"
#include "compiler/import/hf_tensors.h"
#include "compiler/import/hf_tokenizer.h"
#include "compiler/import/reader.h"

namespace lac::import {

namespace fs = std::filesystem;

namespace {

void addStop(std::vector<uint32_t>& stops, uint32_t id) {
  if (std::find(stops.begin(), stops.end(), id) == stops.end()) stops.push_back(id);
}

// Every id that ends a generation: config.json's and generation_config.json's
// eos_token_id (an int or a list) and the tokenizer's eos token.
Result<std::vector<uint32_t>> stopTokens(const fs::path& dir, const HfConfig& cfg, const TokenizerData& tok) {
  std::vector<uint32_t> stops;
  for (uint32_t id : cfg.eos_ids) addStop(stops, id);
  const fs::path gen = dir / "generation_config.json";
  std::error_code ec;
  if (fs::exists(gen, ec)) {
    LAC_ASSIGN_OR_RETURN(std::string text, hf::readTextFile(gen.string()));
    LAC_ASSIGN_OR_RETURN(auto ids, parseEosTokenIds(text, gen.string()));
    for (uint32_t id : ids) addStop(stops, id);
  }
  if (tok.eos_id) addStop(stops, *tok.eos_id);
  return stops;
}

std::string folderName(const fs::path& dir) {
  fs::path p = dir;
  if (p.filename().empty()) p = p.parent_path();  // "model/"
  return p.filename().string();
}

}  // namespace

Result<ModelSpec> readHuggingFace(const std::string& folder, const ReadOptions& options) {
  const fs::path dir(folder);
  ModelSpec spec;
  spec.format = SourceFormat::HuggingFace;
  spec.path = folder;
  spec.name = folderName(dir);

  // config.json -> ModelConfig.
  const std::string config_path = (dir / "config.json").string();
  std::error_code ec;
  LAC_CHECK_OR_RETURN(fs::exists(config_path, ec), Error::NotFound, "%s: no config.json (not a Hugging Face folder)",
                      folder.c_str());
  LAC_ASSIGN_OR_RETURN(std::string config_text, hf::readTextFile(config_path));
  LAC_ASSIGN_OR_RETURN(HfConfig cfg, parseHfConfig(config_text, config_path));
  spec.config = cfg.config;
  spec.metadata = cfg.metadata;
  spec.warnings = cfg.warnings;

  // tokenizer.json + tokenizer_config.json.
  LAC_ASSIGN_OR_RETURN(HfTokenizer tok, readHfTokenizer(folder));
  spec.tokenizer = std::move(tok.tokenizer);
  spec.chat = std::move(tok.chat);
  spec.metadata.insert(tok.metadata.begin(), tok.metadata.end());
  if (!spec.tokenizer.bos_id && cfg.bos_id) spec.tokenizer.bos_id = cfg.bos_id;
  LAC_ASSIGN_OR_RETURN(spec.stop_token_ids, stopTokens(dir, cfg, spec.tokenizer));

  // Tensors (views into the mapped safetensors files).
  if (!options.config_only) {
    LAC_ASSIGN_OR_RETURN(HfTensors t, readHfTensors(folder, spec.config));
    spec.tensors = std::move(t.tensors);
    spec.config.tied_embeddings = spec.config.tied_embeddings && !t.has_output;  // a stored lm_head wins
  }

  LAC_RETURN_IF_ERROR(validateSpec(spec));
  return spec;
}

}  // namespace lac::import
