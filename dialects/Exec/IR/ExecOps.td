//===- ExecOps.td - `exec` ops -------------------------------*- tablegen -*-===//
//
// One op per kernel launch. Shapes: T = token count (`?` in prefill, 1 in
// decode), D = model dim, H / KV = heads, hd = head dim, F = ffn dim,
// V = vocab. Every op names its kernel variant in `kernel`; weights are
// `exec.weight` symbols, checked by verifySymbolUses. Norm weights are f32.
//
//===----------------------------------------------------------------------===//

#ifndef LAC_EXEC_OPS
#define LAC_EXEC_OPS

include "ExecDialect.td"
include "ExecAttrs.td"
include "ExecTypes.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// A kernel launch; `kernel` (the variant, e.g. "generic", "avx2_q4_1") is
// appended to each op's arguments.
class Exec_KernelOp<string mnemonic, list<Trait> traits = []>
    : Exec_Op<mnemonic, traits> {
  let hasVerifier = 1;
}
class Exec_WeightUserOp<string mnemonic, list<Trait> traits = []>
    : Exec_KernelOp<mnemonic, !listconcat(traits,
        [DeclareOpInterfaceMethods<SymbolUserOpInterface>])>;

defvar Kernel = (ins StrAttr:$kernel);

// A buffer operand/result. Declared as a plain `Type` (not the BufferType
// class) so the printer keeps the full `!exec.buf<...>` spelling.
def Exec_Buf : Type<CPred<"::llvm::isa<::mlir::exec::BufferType>($_self)">,
                    "exec buffer">;

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

def Exec_WeightOp : Exec_Op<"weight", [Symbol, HasParent<"ModuleOp">]> {
  let summary = "A weight as stored in the artifact";
  let description = [{
    The ModelSpec tensor `sym_name`, logical shape `shape` (outermost first,
    `[out, in]` for matrices), stored in `format` with `layout` (e.g.
    "row_major": rows of the `[out, in]` matrix, each row a run of blocks for
    quantized formats). Quantized formats need the last dimension to be a
    multiple of their block size (32). If the enclosing module has an
    `exec.target`, `format` must be one of its formats.

    ```mlir
    exec.weight @layers.0.attention.wq.weight : [64, 64] q4_1, layout = row_major {layer = 0 : i32}
    ```

    A fused weight (one kernel reads several checkpoint matrices as one) has
    a new name and `concat_of`: the ModelSpec tensors whose rows it stacks,
    in order; they share the column count and their rows sum to `shape[0]`.
    The names are tensor names, not symbols of the module (the parts need no
    exec.weight of their own).

    ```mlir
    exec.weight @layers.0.attention.wqkv.weight : [128, 64] q4_1, layout = row_major
        {layer = 0 : i32, concat_of = [@layers.0.attention.wq.weight, @layers.0.attention.wk.weight,
                      @layers.0.attention.wv.weight]}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, DenseI64ArrayAttr:$shape,
                       Exec_WeightFormatAttr:$format,
                       Exec_WeightLayoutAttr:$layout,
                       OptionalAttr<ConfinedAttr<I32Attr, [IntNonNegative]>>:$layer);
  let assemblyFormat = [{
    $sym_name `:` $shape custom<FormatKeyword>($format) `,` `layout` `=`
    custom<LayoutKeyword>($layout) attr-dict
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Kernels shared by fused and unfused plans
//===----------------------------------------------------------------------===//

def Exec_EmbedOp : Exec_WeightUserOp<"embed", [Pure]> {
  let summary = "Gathers table rows: [T] i32 -> [T, D]";
  let arguments = !con((ins Exec_Buf:$tokens, FlatSymbolRefAttr:$table),
                       Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat =
      "$table `[` $tokens `]` attr-dict `:` type($tokens) `->` type($result)";
}

def Exec_RopeKvAttentionOp : Exec_KernelOp<"rope_kv_attention", [AttrSizedOperandSegments]> {
  let summary = "Rope on q/k, append k/v to the KV cache, causal GQA";
  let description = [{
    `qkv` is either one buffer `[T, (H + 2*KV)*hd]` (the fused projection:
    columns q | k | v) or three, q `[T, H*hd]`, k and v `[T, KV*hd]`;
    positions `[T]` i32; result `[T, H*hd]`. Rotates q and k (theta
    `rope_theta`; Llama 3.1 scaling when the four `rope_*` scaling attributes
    are present: all or none), writes k/v into layer `layer`'s cache at
    `positions`, then causal attention. Without `slots` the rows are one
    sequence's consecutive tokens (a prefill chunk); with `slots` (`[T]` i32)
    row t is its own sequence in KV slot `slots[t]` (a batched decode step).

    ```mlir
    %o = exec.rope_kv_attention %qkv positions %pos {...}
        : (!exec.buf<?x128xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
    %d = exec.rope_kv_attention %qkv positions %pos slots %slots {...}
        : (!exec.buf<?x128xf32>, !exec.buf<?xi32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
    ```
  }];
  let arguments = !con((ins Variadic<Exec_Buf>:$qkv, Exec_Buf:$positions,
                            Optional<Exec_Buf>:$slots,
                            I64Attr:$layer, I64Attr:$n_heads,
                            I64Attr:$n_kv_heads, I64Attr:$head_dim,
                            F32Attr:$rope_theta,
                            OptionalAttr<F32Attr>:$rope_factor,
                            OptionalAttr<F32Attr>:$rope_low_freq_factor,
                            OptionalAttr<F32Attr>:$rope_high_freq_factor,
                            OptionalAttr<I64Attr>:$rope_original_max_position),
                       Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat = [{
    $qkv `positions` $positions (`slots` $slots^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Fused kernels
//===----------------------------------------------------------------------===//

def Exec_RmsNormMatmulOp : Exec_WeightUserOp<"rmsnorm_matmul", [Pure]> {
  let summary = "rms_norm then one matmul (e.g. the fused qkv projection)";
  let description = [{
    x `[T, D]`; `norm_weight` `[D]` f32; `weight` `[out, D]`; result
    `[T, out]`. The qkv projection reads one fused weight (an exec.weight
    with `concat_of = [@wq, @wk, @wv]`, rows stacked) and writes one buffer
    whose columns are q | k | v.
  }];
  let arguments = !con((ins Exec_Buf:$input,
                            FlatSymbolRefAttr:$norm_weight, F32Attr:$eps,
                            FlatSymbolRefAttr:$weight), Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat = [{
    $input `,` $norm_weight `,` $weight attr-dict `:` type($input) `->`
    type($result)
  }];
}

def Exec_MatmulResidualOp : Exec_WeightUserOp<"matmul_residual", [Pure]> {
  let summary = "x W^T + residual (wo, w2)";
  let description = [{ x `[T, in]`, weight `[out, in]`, residual and result `[T, out]`. }];
  let arguments = !con((ins Exec_Buf:$input, FlatSymbolRefAttr:$weight,
                            Exec_Buf:$residual), Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $residual attr-dict `:` type($input) `,`
    type($residual) `->` type($result)
  }];
}

def Exec_RmsNormGateUpSiluOp : Exec_WeightUserOp<"rmsnorm_gate_up_silu", [Pure]> {
  let summary = "silu(n(x) W1^T) * (n(x) W3^T), n = rms_norm";
  let description = [{
    x `[T, D]`; `norm_weight` `[D]` f32; `gate_up` `[2F, D]`: one fused
    weight, the gate (w1) rows then the up (w3) rows (an exec.weight with
    `concat_of = [@w1, @w3]`); result `[T, F]`.
  }];
  let arguments = !con((ins Exec_Buf:$input,
                            FlatSymbolRefAttr:$norm_weight, F32Attr:$eps,
                            FlatSymbolRefAttr:$gate_up),
                       Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat = [{
    $input `,` $norm_weight `,` $gate_up attr-dict `:` type($input) `->`
    type($result)
  }];
}

def Exec_FinalNormLmHeadOp : Exec_WeightUserOp<"final_norm_lm_head", [Pure]> {
  let summary = "Final rms_norm then logits";
  let description = [{
    x `[T, D]`; `norm_weight` `[D]` f32; `weight` `[V, D]`; result `[T, V]`,
    or `[1, V]` (the last token's logits) with `last_token_only`.
  }];
  let arguments = !con((ins Exec_Buf:$input,
                            FlatSymbolRefAttr:$norm_weight, F32Attr:$eps,
                            FlatSymbolRefAttr:$weight,
                            UnitAttr:$last_token_only), Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat = [{
    $input `,` $norm_weight `,` $weight attr-dict `:` type($input) `->`
    type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Unfused kernels
//===----------------------------------------------------------------------===//

def Exec_RmsNormOp : Exec_WeightUserOp<"rmsnorm", [Pure]> {
  let summary = "rms_norm: [T, D] with weight [D] f32";
  let arguments = !con((ins Exec_Buf:$input, FlatSymbolRefAttr:$weight,
                            F32Attr:$eps), Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat =
      "$input `,` $weight attr-dict `:` type($input) `->` type($result)";
}

def Exec_MatmulOp : Exec_WeightUserOp<"matmul", [Pure]> {
  let summary = "x W^T: [T, in] x [out, in] -> [T, out]";
  let description = [{ With `last_token_only`, only the last row: result `[1, out]`. }];
  let arguments = !con((ins Exec_Buf:$input, FlatSymbolRefAttr:$weight,
                            UnitAttr:$last_token_only), Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat =
      "$input `,` $weight attr-dict `:` type($input) `->` type($result)";
}

def Exec_AddOp : Exec_KernelOp<"add", [Pure]> {
  let summary = "Elementwise sum";
  let arguments = !con((ins Exec_Buf:$lhs, Exec_Buf:$rhs), Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

def Exec_SiluMulOp : Exec_KernelOp<"silu_mul", [Pure]> {
  let summary = "silu(gate) * up, elementwise";
  let arguments = !con((ins Exec_Buf:$gate, Exec_Buf:$up), Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat = [{
    $gate `,` $up attr-dict `:` type($gate) `,` type($up) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Collectives (tensor parallelism: lac-exec-shard-tensor-parallel)
//===----------------------------------------------------------------------===//

def Exec_AllReduceOp : Exec_KernelOp<"all_reduce"> {
  let summary = "The sum of every rank's buffer: [T, D] -> [T, D]";
  let description = [{
    After a row-parallel matmul (wo, w2 split by input columns) each rank
    holds a partial product; the result is their sum, on every rank. The
    runtime sums in place (the memory planner may give the result the
    input's space).

    ```mlir
    %s = exec.all_reduce %p {kernel = "generic"} : !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
    ```
  }];
  let arguments = !con((ins Exec_Buf:$input), Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Exec_AllGatherOp : Exec_KernelOp<"all_gather"> {
  let summary = "Every rank's columns side by side: [T, C] -> [T, ranks * C]";
  let description = [{
    After the vocab-split lm_head: each row of the result is the ranks'
    rows in rank order (rank r's logits are columns [r * C, (r + 1) * C)).
    `ranks` is the number of ranks.

    ```mlir
    %l = exec.all_gather %p {ranks = 2 : i64, kernel = "generic"} : !exec.buf<1x25xf32> -> !exec.buf<1x50xf32>
    ```
  }];
  let arguments = !con((ins Exec_Buf:$input, I64Attr:$ranks), Kernel);
  let results = (outs Exec_Buf:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

#endif // LAC_EXEC_OPS
