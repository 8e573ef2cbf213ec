//===- ExecAttrs.td - `exec` enums and attributes ------------*- tablegen -*-===//

#ifndef LAC_EXEC_ATTRS
#define LAC_EXEC_ATTRS

include "ExecDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

// Storage formats a kernel can read weights in (a subset of runtime DType).
def Exec_WeightFormat : I32EnumAttr<"WeightFormat", "weight storage format", [
    I32EnumAttrCase<"f32", 0>, I32EnumAttrCase<"f16", 1>,
    I32EnumAttrCase<"bf16", 2>, I32EnumAttrCase<"q8_0", 3>,
    I32EnumAttrCase<"q4_0", 4>, I32EnumAttrCase<"q4_1", 5>,
    // LAC's planar int4 rows for GPUs (runtime/core/dtype.h Q4_G32).
    I32EnumAttrCase<"q4_g32", 6>]> {
  let cppNamespace = "::mlir::exec";
  let genSpecializedAttr = 0;
}

def Exec_WeightFormatAttr : EnumAttr<Exec_Dialect, Exec_WeightFormat, "format"> {
  let assemblyFormat = "`<` $value `>`";
}

def Exec_Backend : I32EnumAttr<"Backend", "runtime backend", [
    I32EnumAttrCase<"cpu", 0>, I32EnumAttrCase<"cuda", 1>]> {
  let cppNamespace = "::mlir::exec";
  let genSpecializedAttr = 0;
}

def Exec_TargetAttr : AttrDef<Exec_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "The backend a plan is compiled for and the formats it reads";
  let description = [{
    Attached as `exec.target` to the module (or a func). Every `exec.weight`
    under it must use one of `formats`.

    ```mlir
    #exec.target<cpu, formats = [f32, f16, bf16, q8_0, q4_0, q4_1]>
    ```
  }];
  let parameters = (ins EnumParameter<Exec_Backend>:$backend,
                        ArrayRefParameter<"WeightFormat">:$formats);
  let assemblyFormat = "`<` $backend `,` `formats` `=` `[` $formats `]` `>`";
  let extraClassDeclaration = [{
    bool supports(WeightFormat format) const {
      return ::llvm::is_contained(getFormats(), format);
    }
  }];
  let genVerifyDecl = 1;
}

#endif // LAC_EXEC_ATTRS
