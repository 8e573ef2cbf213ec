//===- ExecTypes.td - `exec` types ---------------------------*- tablegen -*-===//

#ifndef LAC_EXEC_TYPES
#define LAC_EXEC_TYPES

include "ExecDialect.td"
include "mlir/IR/AttrTypeBase.td"

def Exec_BufferType : TypeDef<Exec_Dialect, "Buffer"> {
  let mnemonic = "buf";
  let summary = "A typed activation buffer, optionally placed in the arena";
  let description = [{
    Shape (outermost first; `?` for the token count, bounded by the plan's
    max tokens) and element type (f32, f16, bf16 or i32). After memory
    planning, `offset` is its byte offset in the arena (a multiple of 64).

    ```mlir
    !exec.buf<?x64xf32>
    !exec.buf<?x64xf32, offset = 4096>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$elementType,
                        OptionalParameter<"std::optional<int64_t>">:$offset);
  let builders = [
    TypeBuilder<(ins "::llvm::ArrayRef<int64_t>":$shape,
                     "::mlir::Type":$elementType), [{
      return $_get($_ctxt, shape, elementType, std::nullopt);
    }]>
  ];
  let extraClassDeclaration = [{
    int64_t getRank() const { return getShape().size(); }
    int64_t getDimSize(unsigned i) const { return getShape()[i]; }
    bool isPlanned() const { return getOffset().has_value(); }
    /// Same shape and element type; offsets may differ.
    bool sameLayout(BufferType other) const {
      return getShape() == other.getShape() &&
             getElementType() == other.getElementType();
    }
  }];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // LAC_EXEC_TYPES
