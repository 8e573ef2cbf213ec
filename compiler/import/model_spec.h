// ModelSpec: everything read from a checkpoint, in one convention, before any
// IR is built. The three readers (gguf_reader, hf_reader, meta_reader) all
// produce this; nothing downstream knows which format a model came from.
//
// Conventions (the same for every source format):
//   * Tensor names are Meta's (llama/model.py):
//       tok_embeddings.weight                     [vocab, dim]
//       layers.{i}.attention_norm.weight          [dim]
//       layers.{i}.attention.wq.weight            [n_heads*head_dim, dim]
//       layers.{i}.attention.wk.weight            [n_kv_heads*head_dim, dim]
//       layers.{i}.attention.wv.weight            [n_kv_heads*head_dim, dim]
//       layers.{i}.attention.wo.weight            [dim, n_heads*head_dim]
//       layers.{i}.ffn_norm.weight                [dim]
//       layers.{i}.feed_forward.w1.weight         [ffn_dim, dim]   (gate)
//       layers.{i}.feed_forward.w2.weight         [dim, ffn_dim]   (down)
//       layers.{i}.feed_forward.w3.weight         [ffn_dim, dim]   (up)
//       norm.weight                               [dim]
//       output.weight                             [vocab, dim]     (absent when tied)
//   * Shapes are row-major, outermost first (PyTorch order): a linear weight
//     is [out_features, in_features]. GGUF's reversed `ne` order is undone.
//   * q/k rows are in Meta's rotary layout (pairs (2i, 2i+1) rotate together);
//     Hugging Face's half-split permutation is undone by the HF reader.
//   * Tokens are raw bytes (not GPT-2's byte-to-unicode characters).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/core/dtype.h"
#include "runtime/core/mapped_file.h"
#include "runtime/core/result.h"
#include "runtime/tokenizer/tokenizer_data.h"

namespace lac::import {

enum class SourceFormat { Meta, HuggingFace, Gguf };
std::string_view sourceFormatName(SourceFormat f);

// Llama 3.1 RoPE frequency scaling ("rope_type": "llama3").
struct RopeScaling {
  float factor = 8.0f;
  float low_freq_factor = 1.0f;
  float high_freq_factor = 4.0f;
  uint32_t original_max_position = 8192;
};

struct ModelConfig {
  std::string architecture = "llama";
  uint32_t dim = 0;
  uint32_t n_layers = 0;
  uint32_t n_heads = 0;
  uint32_t n_kv_heads = 0;
  uint32_t head_dim = 0;   // dim / n_heads unless the checkpoint says otherwise
  uint32_t ffn_dim = 0;    // hidden size of the SwiGLU MLP
  uint32_t vocab_size = 0;
  float norm_eps = 1e-5f;
  float rope_theta = 10000.0f;
  std::optional<RopeScaling> rope_scaling;  // set for Llama 3.1-style scaled RoPE
  uint32_t max_seq_len = 0;  // the model's context length; 0 when unknown
  bool tied_embeddings = false;  // lm_head shares tok_embeddings.weight
};

// One contiguous piece of a tensor's bytes, inside a mapped file.
struct TensorPiece {
  std::shared_ptr<const MappedFile> file;
  uint64_t offset = 0;            // byte offset in `file`
  std::vector<uint64_t> shape;    // this piece's shape (same rank as the tensor)
};

// A tensor as it sits in the checkpoint: never copied at import time.
// Usually one piece; a model-parallel Meta checkpoint gives one piece per
// shard, concatenated along `concat_axis`. `row_permutation`, when set, says
// that logical row r is stored row row_permutation[r] (HF q/k un-permute).
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<uint64_t> shape;  // logical shape, outermost first
  std::vector<TensorPiece> pieces;
  uint32_t concat_axis = 0;
  std::vector<uint32_t> row_permutation;  // empty: identity
  std::string source;  // "consolidated.00.pth:model/data/3 (+1 shard)", "model.gguf @ 123456"

  uint64_t numElements() const;
  uint64_t numBytes() const;  // bytes in `dtype`
  // Writes the logical tensor, contiguous, in its own dtype, into `out`
  // (numBytes() long). Pieces are concatenated and rows permuted as declared.
  VoidResult copyTo(std::span<uint8_t> out) const;
  // Dequantizes/converts the logical tensor to f32 (numElements() long).
  VoidResult toFloat(std::span<float> out) const;
};

// The tokenizer is the runtime's struct (one definition for reader, emitter
// and runtime): kind, raw-byte tokens, merges, special tokens, pre-tokenizer.
using lac::SpecialToken;
using lac::TokenizerData;
using lac::TokenizerKind;
using lac::tokenizerKindName;

enum class ChatFormatKind { None, Llama3, ChatML, Jinja, Unknown };
std::string_view chatFormatKindName(ChatFormatKind k);

struct ChatFormat {
  ChatFormatKind kind = ChatFormatKind::None;    // what the artifact carries (chat_choice.h)
  ChatFormatKind family = ChatFormatKind::None;  // what the template looks like (detectChatFormat)
  std::string template_text;          // the Jinja template when the checkpoint has one
  std::string default_system_prompt;  // ChatML templates may insert one
  std::string source;
};

struct ModelSpec {
  SourceFormat format = SourceFormat::Gguf;
  std::string path;  // the file or folder given to the reader
  std::string name;  // general.name / folder name
  ModelConfig config;
  std::vector<TensorView> tensors;  // in checkpoint order
  TokenizerData tokenizer;
  ChatFormat chat;
  std::vector<uint32_t> stop_token_ids;  // every token that ends a generation
  std::map<std::string, std::string> metadata;  // other key/values worth printing
  std::vector<std::string> warnings;  // one line each: what was read but not understood

  const TensorView* findTensor(const std::string& name) const;
};

}  // namespace lac::import
