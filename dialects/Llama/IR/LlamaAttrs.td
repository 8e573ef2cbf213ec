//===- LlamaAttrs.td - `llama` attributes --------------------*- tablegen -*-===//

#ifndef LAC_LLAMA_ATTRS
#define LAC_LLAMA_ATTRS

include "LlamaDialect.td"
include "mlir/IR/AttrTypeBase.td"

def Llama_RopeAttr : AttrDef<Llama_Dialect, "Rope"> {
  let mnemonic = "rope";
  let summary = "Rotary position embedding parameters";
  let description = [{
    `theta` is the RoPE base frequency. The four optional parameters are
    Llama 3.1's frequency scaling (`use_scaled_rope`): all present or none.

    ```mlir
    #llama.rope<theta = 10000.0>
    #llama.rope<theta = 500000.0, factor = 8.0, low_freq_factor = 1.0,
                high_freq_factor = 4.0, original_max_position = 8192>
    ```
  }];
  // originalMaxPosition == 0 means "no scaling" (the other three are then 0).
  // Stored as APFloat (hashable); the accessors below give doubles.
  let parameters = (ins APFloatParameter<"">:$theta,
                        APFloatParameter<"">:$factor,
                        APFloatParameter<"">:$lowFreqFactor,
                        APFloatParameter<"">:$highFreqFactor,
                        "int64_t":$originalMaxPosition);
  let builders = [
    AttrBuilder<(ins "double":$theta, CArg<"double", "0.0">:$factor,
                     CArg<"double", "0.0">:$lowFreqFactor,
                     CArg<"double", "0.0">:$highFreqFactor,
                     CArg<"int64_t", "0">:$originalMaxPosition), [{
      return $_get($_ctxt, ::llvm::APFloat(theta), ::llvm::APFloat(factor),
                   ::llvm::APFloat(lowFreqFactor),
                   ::llvm::APFloat(highFreqFactor), originalMaxPosition);
    }]>
  ];
  let extraClassDeclaration = [{
    bool hasScaling() const { return getOriginalMaxPosition() != 0; }
    double theta() const { return getTheta().convertToDouble(); }
    double factor() const { return getFactor().convertToDouble(); }
    double lowFreqFactor() const { return getLowFreqFactor().convertToDouble(); }
    double highFreqFactor() const { return getHighFreqFactor().convertToDouble(); }
  }];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // LAC_LLAMA_ATTRS
