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
    `exec.target` on the module.

    Fused forms map one to one onto fused kernels (qkv_linear with a norm
    prologue -> rmsnorm_matmul, attention with rope -> rope_kv_attention,
    swiglu_linear with a norm -> rmsnorm_gate_up_silu, linear_residual ->
    matmul_residual, lm_head with a norm -> final_norm_lm_head); unfused ops
    map onto embed / rmsnorm / matmul / add / silu_mul. Fused ops without a
    norm prologue fall back to unfused kernels. `split_heads` is a view and
    disappears; a standalone `llama.rope` folds into the attention that
    consumes it (exec has no separate rope kernel), which requires every use
    of a rope result to be an attention's q or k.

    Weight formats: a `llama.weight` may carry `source_dtype = "<dtype>"`
    (runtime DType name: f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_k,
    q5_k, q6_k) saying how the checkpoint stores it; without it the tensor's
    element type is the source. The exec.weight keeps `source_dtype` and
    starts in that format when the target has a kernel for it, in f32 (the
    logical values) otherwise; norm weights are f32; the weights of one
    fused kernel (qkv, gate/up) then take the most precise format among them,
    so they pack into one matrix.
    lac-select-weight-formats makes the final choice. Kernel variants are
    named "<target>.<kernel>[.<matrix format>]", e.g. "cpu.matmul.q4_1".
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Target whose kernel table to lower to (cpu)">
  ];
  let dependentDialects = ["::mlir::exec::ExecDialect", "::mlir::func::FuncDialect"];
}

#endif // LAC_CONVERSION_PASSES
