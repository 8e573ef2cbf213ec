//===- Passes.td - `exec` passes -----------------------------*- tablegen -*-===//
//
// Passes on the exec dialect: weight format selection and memory planning.
// Each runs alone under lac-opt (test/Transforms/<flag>.mlir).
//
//===----------------------------------------------------------------------===//

#ifndef LAC_EXEC_TRANSFORMS_PASSES
#define LAC_EXEC_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def LacSelectWeightFormats : Pass<"lac-select-weight-formats", "::mlir::ModuleOp"> {
  let summary = "Chooses each exec.weight's storage format and layout";
  let description = [{
    Sets `format` and `layout` on every `exec.weight` for the module's
    `#exec.target`, then renames each kernel op's `kernel` variant after the
    formats it reads (e.g. "cpu.matmul.q4_1").

    Rules (rationale: keep what the checkpoint author chose when the target
    can run it; never requantize twice; norms are tiny and precision-critical):
      - norm weights (and every vector) are f32;
      - `weight-format=auto`: a matrix keeps its source format
        (`source_dtype`, set by lac-convert-llama-to-exec) when the target
        has a kernel for it; q5_0/q5_1/q4_k/q5_k/q6_k (no kernel) become q8_0:
        8.5 bits per weight holds every 4.5–6.6-bit source with an error far
        below the source's own, where q4_0/q4_1 would add a second, larger
        rounding error;
      - on a target without q4_0/q4_1 kernels but with q4_g32 (cuda), a
        q4_0 or q4_1 source becomes q4_g32 under auto: LAC's planar int4 rows
        hold every q4_0 value (m = -8 d) and every q4_1 value exactly, so the
        checkpoint stays 4-bit with no second rounding; the other quantized
        sources become q8_0 as above (bf16 would double the bytes a decode
        step streams for no accuracy a 4.5–6.6-bit source has);
      - an explicit format converts every matrix; the embedding table (read by
        exec.embed only, a gather whose cost does not depend on the format)
        is stored q8_0 when the explicit format is 4-bit (q4_0, q4_1,
        q4_g32), and in the explicit format otherwise;
      - a fused weight (`concat_of`, e.g. wqkv, w13) is one matrix with one
        format: under auto, the most precise of its parts' choices (one per
        `source_dtypes` entry; f32 > f16 > bf16 > q8_0 > q4_g32 > q4_1 >
        q4_0), as for weights one fused kernel reads together.
    Formats per target: cpu f32 f16 bf16 q8_0 q4_0 q4_1; cuda f32 f16 bf16
    q8_0 q4_g32 (KernelTable.cpp).
    A format the target cannot run, or a matrix whose columns are not whole
    blocks of the chosen quantized format, is an error.

    Layouts: `weight-layout=auto` on a cpu target stores a q8_0/q4_0/q4_1
    matrix (the tied embedding table included: one weight, read by both the
    embed and the matmul kernels) whose row count is a multiple of 8 in that
    format's x8 layout ("q8_0x8", "q4_0x8", "q4_1x8": rows interleaved by 8
    for the CPU matmul, same size; docs/FORMAT.md); everything else, and
    every weight under `weight-layout=row_major`, is "row_major".
  }];
  let options = [
    Option<"weightFormat", "weight-format", "std::string", /*default=*/"\"auto\"",
           "auto|f32|f16|bf16|q8_0|q4_0|q4_1|q4_g32 (the target must run it)">,
    Option<"weightLayout", "weight-layout", "std::string", /*default=*/"\"auto\"",
           "auto|row_major">
  ];
}

def LacShardTensorParallel : Pass<"lac-shard-tensor-parallel", "::mlir::ModuleOp"> {
  let summary = "Splits every entry point across `ranks` tensor-parallel ranks";
  let description = [{
    Rewrites the module into what ONE rank of `ranks` runs (Meta's
    model_parallel_size; fairscale's column- and row-parallel layers):
      - the fused qkv projection (`rmsnorm_matmul` feeding
        `rope_kv_attention`) keeps n_heads / ranks query heads and
        n_kv_heads / ranks KV heads: its weight's wq, wk and wv rows are each
        split by rows, whole heads per rank; the attention's heads shrink;
      - `rmsnorm_gate_up_silu` keeps ffn / ranks columns: w1 and w3 rows split;
      - `matmul_residual` (wo, w2) reads the rank's input columns: it becomes
        `matmul` (a partial product) + `all_reduce` + `add` of the residual;
      - `final_norm_lm_head` keeps vocab / ranks logits, then `all_gather`;
        a tied lm_head first gets a weight of its own (`<table>.lm_head`,
        `concat_of` the embedding table: the same rows, split by vocab while
        the table stays whole for exec.embed); when the vocabulary does not
        divide, the lm_head stays whole on every rank;
      - embeddings and norms stay whole (replicated).
    Each split exec.weight gets its rank's shape and `tp_axis` (0: rows,
    1: columns); the module gets `exec.tensor_parallel = ranks`. ranks must
    divide n_heads, n_kv_heads and the ffn dim; any other kernel op is an
    error. ranks = 1 leaves the module alone.
  }];
  let options = [
    Option<"ranks", "ranks", "int64_t", /*default=*/"1", "Tensor-parallel ranks">
  ];
}

def LacPlanMemory : Pass<"lac-plan-memory", "::mlir::ModuleOp"> {
  let summary = "Assigns every exec buffer an arena offset; sizes the KV cache";
  let description = [{
    For each entry point (func.func) computes the live range of every buffer
    (block arguments from the start, returned values to the end, others from
    the op that defines them to their last use, both ends inclusive: a kernel
    never writes a buffer it reads) and packs them into one arena with greedy
    first-fit by decreasing size, at 64-byte aligned offsets. Buffers whose
    live ranges overlap never overlap in memory.

    The token dimension `?` is bounded by the entry point's max tokens:
    `max-batch` for `@decode` (one token per sequence), `max-seq-len *
    max-batch` for every other function (a prefill of full-length prompts for
    the whole batch).

    Results: `offset` in every `!exec.buf` type, `exec.arena_bytes` and
    `exec.max_tokens` on each func, and `exec.kv_cache` on the module: an
    `#exec.kv_cache` (layout blhd: per layer K then V, each [max_batch,
    n_kv_heads, max_seq_len, head_dim]; dtype from `kv-dtype`, f16 by default
    as llama.cpp's; n_layers, n_kv_heads, head_dim, max_seq_len, max_batch). With `print`, writes a summary (weight,
    KV cache and per-entry-point activation bytes) to stderr.
  }];
  let options = [
    Option<"maxSeqLen", "max-seq-len", "int64_t", /*default=*/"0",
           "Longest sequence (prompt + generated tokens) the plan serves">,
    Option<"maxBatch", "max-batch", "int64_t", /*default=*/"1",
           "Sequences decoded together">,
    Option<"kvDtype", "kv-dtype", "std::string", /*default=*/"\"f16\"",
           "KV cache element type: f16 (half the memory and attention reads) or f32">,
    Option<"print", "print", "bool", /*default=*/"false",
           "Print a memory summary to stderr">
  ];
}

#endif // LAC_EXEC_TRANSFORMS_PASSES
