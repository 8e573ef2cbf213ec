//===- LlamaOps.td - `llama` ops -----------------------------*- tablegen -*-===//
//
// Shapes in descriptions: T = token count (dynamic), D = model dim,
// H / KV = query / key-value heads, hd = head dim, F = ffn dim, V = vocab.
// Every weight is a `llama.weight` symbol; its shape is checked against the
// operands by verifySymbolUses (SymbolUserOpInterface).
//
//===----------------------------------------------------------------------===//

#ifndef LAC_LLAMA_OPS
#define LAC_LLAMA_OPS

include "LlamaDialect.td"
include "LlamaAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Activations: [T, features] and [T, heads, head_dim]; token ids / positions [T].
def Llama_Act2D : 2DTensorOf<[AnyFloat]>;
def Llama_Act3D : 3DTensorOf<[AnyFloat]>;
def Llama_Ids : 1DTensorOf<[I32]>;

// An op that reads weights by symbol and checks their shapes.
class Llama_WeightUserOp<string mnemonic, list<Trait> traits = []>
    : Llama_Op<mnemonic, !listconcat(traits,
        [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>])> {
  let hasVerifier = 1;
}

// Optional rms_norm prologue folded into a linear-family op:
// y = rms_norm(x, norm_weight, norm_eps) before the matmul. Both or neither.
defvar NormPrologue = (ins OptionalAttr<FlatSymbolRefAttr>:$norm_weight,
                           OptionalAttr<F32Attr>:$norm_eps);

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

def Llama_WeightOp : Llama_Op<"weight", [Symbol, HasParent<"ModuleOp">]> {
  let summary = "Declares a model weight (a ModelSpec tensor) by name";
  let description = [{
    A weight is a symbol, never a constant: `sym_name` is the canonical
    ModelSpec tensor name and `weight_type` its logical (dequantized) type,
    outermost dimension first (`[out, in]` for matrices). The bytes stay in
    the checkpoint until emission. `layer` is the decoder layer the weight
    belongs to (absent for the embedding, final norm and output); lowering
    carries it to the exec.weight.

    ```mlir
    llama.weight @layers.0.attention.wq.weight : tensor<64x64xf32> {layer = 0 : i32}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<AnyRankedTensor>:$weight_type,
                       OptionalAttr<ConfinedAttr<I32Attr, [IntNonNegative]>>:$layer);
  let assemblyFormat = "$sym_name `:` $weight_type attr-dict";
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getWeightType());
    }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Unfused ops
//===----------------------------------------------------------------------===//

def Llama_EmbeddingOp : Llama_WeightUserOp<"embedding"> {
  let summary = "Token embedding lookup";
  let description = [{
    `result[t, :] = table[tokens[t], :]`; table `[V, D]`, tokens `[T]` i32,
    result `[T, D]`.

    ```mlir
    %h = llama.embedding @tok_embeddings.weight[%tokens] : tensor<?xi32> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Llama_Ids:$tokens, FlatSymbolRefAttr:$table);
  let results = (outs Llama_Act2D:$result);
  let assemblyFormat =
      "$table `[` $tokens `]` attr-dict `:` type($tokens) `->` type($result)";
}

def Llama_RmsNormOp : Llama_WeightUserOp<"rms_norm",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "RMS normalization over the last dimension";
  let description = [{
    `result = x / sqrt(mean(x^2) + eps) * weight`; x `[T, D]`, weight `[D]`.
  }];
  let arguments = (ins Llama_Act2D:$input, FlatSymbolRefAttr:$weight,
                       F32Attr:$eps);
  let results = (outs Llama_Act2D:$result);
  let assemblyFormat = "$input `,` $weight attr-dict `:` type($input)";
}

def Llama_LinearOp : Llama_WeightUserOp<"linear"> {
  let summary = "x W^T, optionally with an rms_norm prologue";
  let description = [{
    `result = norm?(x) W^T`; x `[T, in]`, weight `[out, in]`, result
    `[T, out]`. With `norm_weight` (`[in]`) and `norm_eps`, x is first
    rms-normalized (the fused "norm -> matmul prologue" form).
  }];
  let arguments = !con((ins Llama_Act2D:$input, FlatSymbolRefAttr:$weight),
                       NormPrologue);
  let results = (outs Llama_Act2D:$result);
  let assemblyFormat =
      "$input `,` $weight attr-dict `:` type($input) `->` type($result)";
}

def Llama_SplitHeadsOp : Llama_Op<"split_heads", [Pure]> {
  let summary = "View [T, H*hd] as [T, H, hd]";
  let description = [{
    A reshape with no data movement: result `[T, H, hd]` with
    `H * hd` equal to the input's last dimension.
  }];
  let arguments = (ins Llama_Act2D:$input);
  let results = (outs Llama_Act3D:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Llama_RopeOp : Llama_Op<"rope", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Rotary position embedding";
  let description = [{
    Rotates each head of x `[T, H, hd]` (hd even) by the angle of its
    position (`positions` `[T]` i32), in Meta's interleaved-pair layout.
    `rope` holds theta and the optional Llama 3.1 frequency scaling.
  }];
  let arguments = (ins Llama_Act3D:$input, Llama_Ids:$positions,
                       Llama_RopeAttr:$rope);
  let results = (outs Llama_Act3D:$result);
  let assemblyFormat =
      "$input `,` $positions attr-dict `:` type($input) `,` type($positions)";
  let hasVerifier = 1;
}

def Llama_AttentionOp : Llama_Op<"attention", [AllTypesMatch<["k", "v"]>]> {
  let summary = "Causal grouped-query attention over the layer's KV cache";
  let description = [{
    Appends k, v (`[T, KV, hd]`) to layer `layer`'s KV cache at `positions`
    (`[T]` i32), then computes causal softmax(q k^T / sqrt(hd)) v for q
    `[T, H, hd]`, query head h reading kv head `h / (H / KV)`. The result has
    the heads merged: `[T, H * hd]`, ready for the output projection.

    With `rope` set, q and k are un-rotated and the op applies rotary
    embedding itself (the "rope folded into attention" fused form).

    Without `slots` the T rows are consecutive tokens of ONE sequence (a
    prefill chunk; the runtime names its KV slot). With `slots` (`[T]` i32)
    each row is its own sequence (a decode step over a batch): row t is
    written at `positions[t]` of KV slot `slots[t]` and attends to that
    slot's positions `[0, positions[t]]`.

    ```mlir
    %o = llama.attention %q, %k, %v, %pos slots(%slots : tensor<?xi32>) {...}
        : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
    ```

    Not Pure: it writes the KV cache.
  }];
  let arguments = (ins Llama_Act3D:$q, Llama_Act3D:$k, Llama_Act3D:$v,
                       Llama_Ids:$positions, Optional<Llama_Ids>:$slots,
                       I64Attr:$layer, I64Attr:$n_heads, I64Attr:$n_kv_heads,
                       I64Attr:$head_dim,
                       OptionalAttr<Llama_RopeAttr>:$rope);
  let results = (outs Llama_Act2D:$result);
  let assemblyFormat = [{
    $q `,` $k `,` $v `,` $positions (`slots` `(` $slots^ `:` type($slots) `)`)?
    attr-dict `:` type($q) `,` type($k) `,` type($positions) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Llama_SwigluOp : Llama_Op<"swiglu",
    [Pure, AllTypesMatch<["gate", "up", "result"]>]> {
  let summary = "silu(gate) * up";
  let description = [{ Elementwise; gate, up and result `[T, F]`. }];
  let arguments = (ins Llama_Act2D:$gate, Llama_Act2D:$up);
  let results = (outs Llama_Act2D:$result);
  let assemblyFormat = "$gate `,` $up attr-dict `:` type($result)";
}

def Llama_AddOp : Llama_Op<"add",
    [Pure, Commutative, AllTypesMatch<["lhs", "rhs", "result"]>]> {
  let summary = "Elementwise sum (the residual connection)";
  let arguments = (ins Llama_Act2D:$lhs, Llama_Act2D:$rhs);
  let results = (outs Llama_Act2D:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Llama_LmHeadOp : Llama_WeightUserOp<"lm_head"> {
  let summary = "Logits: (final) norm then x W^T";
  let description = [{
    `result = norm?(x) W^T`; x `[T, D]`, weight `[V, D]`, result `[T, V]`,
    or `[1, V]` for the last token only when `last_token_only` is set (what
    generation needs after a prefill). The final rms_norm may be folded in
    with `norm_weight`/`norm_eps`.
  }];
  let arguments = !con((ins Llama_Act2D:$input, FlatSymbolRefAttr:$weight,
                            UnitAttr:$last_token_only), NormPrologue);
  let results = (outs Llama_Act2D:$result);
  let assemblyFormat =
      "$input `,` $weight attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Fused ops (produced by the fusion passes)
//===----------------------------------------------------------------------===//

def Llama_QkvLinearOp : Llama_WeightUserOp<"qkv_linear"> {
  let summary = "The q, k and v projections as one op";
  let description = [{
    `q = n(x) Wq^T, k = n(x) Wk^T, v = n(x) Wv^T` with the optional norm
    prologue n. x `[T, D]`; wq `[H*hd, D]`, wk/wv `[KV*hd, D]`.

    ```mlir
    %q, %k, %v = llama.qkv_linear %x, @wq, @wk, @wv
        : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
    ```
  }];
  let arguments = !con((ins Llama_Act2D:$input, FlatSymbolRefAttr:$wq,
                            FlatSymbolRefAttr:$wk, FlatSymbolRefAttr:$wv),
                       NormPrologue);
  let results = (outs Llama_Act2D:$q, Llama_Act2D:$k, Llama_Act2D:$v);
  let assemblyFormat = [{
    $input `,` $wq `,` $wk `,` $wv attr-dict `:` type($input) `->`
    type($q) `,` type($k) `,` type($v)
  }];
}

def Llama_SwigluLinearOp : Llama_WeightUserOp<"swiglu_linear"> {
  let summary = "silu(x W1^T) * (x W3^T): gate and up projections fused";
  let description = [{
    x `[T, D]` (optionally rms-normalized first), gate_weight (w1) and
    up_weight (w3) `[F, D]`, result `[T, F]`.
  }];
  let arguments = !con((ins Llama_Act2D:$input, FlatSymbolRefAttr:$gate_weight,
                            FlatSymbolRefAttr:$up_weight), NormPrologue);
  let results = (outs Llama_Act2D:$result);
  let assemblyFormat = [{
    $input `,` $gate_weight `,` $up_weight attr-dict `:` type($input) `->`
    type($result)
  }];
}

def Llama_LinearResidualOp : Llama_WeightUserOp<"linear_residual",
    [AllTypesMatch<["residual", "result"]>]> {
  let summary = "x W^T + residual: a linear with a residual-add epilogue";
  let description = [{
    x `[T, in]`, weight `[out, in]`, residual and result `[T, out]`. The
    fused form of `llama.add(llama.linear(x), residual)` (wo and w2).
  }];
  let arguments = (ins Llama_Act2D:$input, FlatSymbolRefAttr:$weight,
                       Llama_Act2D:$residual);
  let results = (outs Llama_Act2D:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $residual attr-dict `:` type($input) `->`
    type($result)
  }];
}

#endif // LAC_LLAMA_OPS
