// Emission: the last compiler stage. Walks a memory-planned `exec` module and
// writes the `.lac` artifact (docs/FORMAT.md), or prints its plan as JSON.
//
// "The artifact is written from the IR and nothing else":
//   * from the exec IR: every step (one exec op -> one Step), every
//     buffer (its !exec.buf type: shape, element type, `offset`), every
//     weight entry (exec.weight: name, shape, format, layout; a fused weight
//     is one entry under its own name, its parts in `concat_of`), the KV-cache
//     layout, the compiled limits and the target;
//   * from the ModelSpec passed alongside: the weight BYTES (through a
//     WeightProvider, looked up by the exec.weight symbol name), the model
//     config, tokenizer, chat format, stop tokens and the model name. These
//     are not copied into the IR: a 128k-token vocabulary is no attribute.
//
// What the emitter reads from the IR (docs/EMIT.md has the full contract):
//   module  exec.target = #exec.target<cpu|cuda, formats = [...]
//                                       [, min_cuda_arch = 80]>  (absent: cpu)
//           exec.kv_cache = #exec.kv_cache<layout = blhd, dtype = f32, n_layers = L,
//                             n_kv_heads, head_dim, max_seq_len, max_batch>
//           exec.cpu_features = ["avx2", "fma"]   (optional)
//   func    @prefill / @decode (public funcs; other names are refused)
//           exec.arena_bytes = N         (required)
//           exec.max_tokens = T          (absent: the tokens arg's static size)
//           arg 0 = tokens [T] i32, arg 1 = positions [T] i32, optional
//           arg 2 = slots [T] i32 (decode: a row per sequence), the returned
//           buffer = logits; every buffer type carries `offset = N`.
//   weight  exec.weight @name : [shape] fmt, layout = row_major|x8 {layer = N}
//           (both layouts are the dense size; the plan names x8 after the
//           format, "q4_1x8"; `layer` goes to every step reading the weight).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/import/model_spec.h"
#include "runtime/artifact/artifact_writer.h"
#include "runtime/core/dtype.h"
#include "runtime/core/result.h"

namespace mlir {
class ModuleOp;
}

namespace lac::plan {
struct PlanT;
}

namespace lac::emit {

// ---------------------------------------------------------------------------
// Weight bytes

// One exec.weight as the plan stores it.
struct ExecWeightInfo {
  std::string name;              // the symbol: a ModelSpec tensor name or a fused name
  DType dtype = DType::F32;      // the exec format
  std::vector<uint64_t> shape;   // logical, outermost first
  std::string layout;            // "row_major", "q4_1x8", ... (runtime/artifact/weight_layout.h)
  uint64_t bytes = 0;            // exactly what the provider must write
  // A fused weight (exec.weight `concat_of`): the ModelSpec tensors whose
  // rows it stacks, in order. Empty for a plain weight (named after its tensor).
  std::vector<std::string> concat_of;
  // Tensor parallel: this entry is rank `index` of `count`'s slice of the
  // logical weight along `axis` (0 rows, 1 columns; a fused weight's parts
  // are each split by rows); axis -1: the whole weight.
  struct Shard {
    int axis = -1;
    uint32_t index = 0, count = 1;
  } shard;
};

using WeightSink = lac::artifact::WeightSink;

// Writes exactly `info.bytes` bytes of weight `name` to `sink`. The lead's
// packer (compiler/conversion/pack_weights.h) plugs in here; the emitter
// never converts or packs anything itself.
using WeightProvider = std::function<VoidResult(std::string_view weight_name, const ExecWeightInfo&, WeightSink&)>;

// The default provider: the ModelSpec tensor of that name, as it is, when its
// dtype and shape equal the exec weight's and the layout is row_major; an
// exact widening to f32 (bf16/f16 -> f32) is also allowed. Anything else
// (quantizing, fused weights, packed layouts) is refused with Unsupported.
// `spec` must outlive the provider.
WeightProvider modelSpecWeights(const import::ModelSpec& spec);

// The provider every caller that compiles a checkpoint uses (lac-compile,
// and any future API): as stored where the exec weight's format, layout and
// shape are the tensor's, else packed/quantized by compiler/conversion
// (pack_weights.h), fused weights (`concat_of`) as their parts' rows
// stacked. `spec` must outlive the provider.
WeightProvider checkpointWeights(const import::ModelSpec& spec);

// ---------------------------------------------------------------------------
// Options

enum class WeightMode {
  Embedded,  // the blob inside the .lac
  External,  // the blob in `weights_out`, a weights-only file beside the .lac
  Random,    // --no-weights: no blob; the runtime fills random values
};

struct EmitOptions {
  std::string path;               // the .lac to write
  WeightMode weights = WeightMode::Embedded;
  std::string weights_out;        // External: file name (or a path in the .lac's folder)
  std::string producer = "lac-compile 0.1.0";
  // Generation defaults (Meta's generation.py).
  float temperature = 0.6f;
  float top_p = 0.9f;
  uint32_t max_gen_len = 0;
  // Called as weight bytes are written: (bytes done, bytes total).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct PlanJsonOptions {
  bool dump_tokenizer = false;    // print every token and merge (else: counts only)
};

// ---------------------------------------------------------------------------
// Entry points

// The plan (object API) for `module`, weight checksums 0. InvalidArgument
// for IR the emitter cannot express (not planned, an op with no kernel, ...),
// with the op's location in the message.
Result<std::unique_ptr<plan::PlanT>> buildPlan(mlir::ModuleOp module, const import::ModelSpec& spec,
                                               const EmitOptions& opts);

// Writes the artifact (and the weights file): temporary files renamed into
// place, so an error leaves no partial file behind.
VoidResult emitArtifact(mlir::ModuleOp module, const import::ModelSpec& spec, const WeightProvider& weights,
                        const EmitOptions& opts);

// The plan the artifact would hold, as JSON (weight checksums 0: no weight is
// read). Tokens and merges are summarized as counts unless asked for.
VoidResult emitPlanJson(mlir::ModuleOp module, const import::ModelSpec& spec, std::ostream& out,
                        const PlanJsonOptions& json_opts = {}, const EmitOptions& opts = {});

}  // namespace lac::emit
