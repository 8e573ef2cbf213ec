//===- Passes.td - llama -> exec conversion ------------------*- tablegen -*-===//

#ifndef LAC_CONVERSION_PASSES
#define LAC_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def LacConvertLlamaToExec : Pass<"lac-convert-llama-to-exec", "::mlir::ModuleOp"> {
  let summary = "Lowers a llama module (fused or not) to exec kernel launches";
  let description = [{
    Rewrites every `llama` op into the `exec` kernel ops of the target's
    kernel table (dialects/Exec/Transforms/KernelTable.cpp), tensors into
    `!exec.buf`s, and `llama.weight`s into `exec.weight`s; sets
    `exec.target` on the module (for cuda with its `min_cuda_arch`: the
    oldest GPU the target's kernels run on, 80 = sm_80), and copies each
    weight's `layer`.

    Fused forms map one to one onto fused kernels (qkv_linear with a norm
    prologue -> one rmsnorm_matmul over a fused wqkv weight, writing one
    `[T, (H + 2 KV) hd]` buffer that rope_kv_attention reads whole;
    attention with rope -> rope_kv_attention; swiglu_linear with a norm ->
    rmsnorm_gate_up_silu over a fused w13 weight; linear_residual ->
    matmul_residual, lm_head with a norm -> final_norm_lm_head); unfused ops
    map onto embed / rmsnorm / matmul / add / silu_mul. Fused ops without a
    norm prologue fall back to unfused kernels. `split_heads` is a view and
    disappears; a standalone `llama.rope` folds into the attention that
    consumes it (exec has no separate rope kernel), which requires every use
    of a rope result to be an attention's q or k. The q/k/v of a fused qkv
    projection may only reach one attention (through split_heads / rope), in
    q, k, v order.

    Fused weights: one `exec.weight` per group of checkpoint matrices one
    kernel reads as one matrix, named after the first part (`.wq.` ->
    `.wqkv.`, `.w1.` -> `.w13.`), shape `[sum of rows, D]`, with
    `concat_of = [@part, ...]` (ModelSpec tensor names: the packer stacks
    their rows, compiler/conversion/pack_weights.h packConcatRows) and
    `source_dtypes` (one per part). One launch instead of three (or two),
    and the activations are normalized and read once. Parts no op reads any
    more are erased.

    Weight formats: a `llama.weight` may carry `source_dtype = "<dtype>"`
    (runtime DType name: f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_k,
    q5_k, q6_k) saying how the checkpoint stores it; without it the tensor's
    element type is the source. The exec.weight keeps `source_dtype` and
    starts in that format when the target has a kernel for it, in f32 (the
    logical values) otherwise; norm weights are f32; a fused weight starts in
    the most precise of its parts' formats (one matrix has one format).
    lac-select-weight-formats makes the final choice. Kernel variants are
    named "<target>.<kernel>[.<matrix format>]", e.g. "cpu.matmul.q4_1".
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Target whose kernel table to lower to (cpu, cuda)">
  ];
  let dependentDialects = ["::mlir::exec::ExecDialect", "::mlir::func::FuncDialect"];
}

#endif // LAC_CONVERSION_PASSES
