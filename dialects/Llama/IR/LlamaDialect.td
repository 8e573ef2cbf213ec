//===- LlamaDialect.td - the `llama` dialect -----------------*- tablegen -*-===//
//
// Model-level IR: one op per operation of the Llama forward pass, on tensors
// with value semantics. Weights are never constants: they are symbols
// (`llama.weight @layers.0.attention.wq.weight : tensor<...>`) that name
// tensors of the ModelSpec, and ops refer to them by FlatSymbolRefAttr.
//
//===----------------------------------------------------------------------===//

#ifndef LAC_LLAMA_DIALECT
#define LAC_LLAMA_DIALECT

include "mlir/IR/OpBase.td"

def Llama_Dialect : Dialect {
  let name = "llama";
  let cppNamespace = "::mlir::llama";
  let summary = "Model-level ops of Llama-family transformers";
  let description = [{
    The `llama` dialect is what LAC builds from a ModelSpec and what the
    fusion passes rewrite. Activations are tensors `[tokens, features]` (the
    token count is dynamic, features static); weights are module-level
    `llama.weight` symbols named like the ModelSpec's canonical (Meta) tensor
    names, shaped outermost-first `[out, in]`.

    Fused forms (qkv_linear, swiglu_linear, a linear with an rms_norm prologue
    or a residual epilogue, attention with rope folded in) are ordinary ops
    here, so every stage of the fusion pipeline is printable and testable.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class Llama_Op<string mnemonic, list<Trait> traits = []>
    : Op<Llama_Dialect, mnemonic, traits>;

#endif // LAC_LLAMA_DIALECT
