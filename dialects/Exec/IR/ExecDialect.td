//===- ExecDialect.td - the `exec` dialect -------------------*- tablegen -*-===//
//
// One op per runtime kernel launch, on buffers (`!exec.buf<...>`), with the
// weight formats and layouts chosen for a target. The .lac plan is emitted
// from this IR and nothing else.
//
// Entry points: a module holds two `func.func`s, `@prefill` and `@decode`
// (plain func.func, so upstream passes and printing just work). Their
// arguments are the token ids and positions buffers (`!exec.buf<?xi32>`; `1`
// instead of `?` in decode) and they return the logits buffer. The target is
// a discardable attribute on the module (or a func):
//   module attributes {exec.target = #exec.target<cpu, formats = [f32, q4_1]>}
// Weights are module-level `exec.weight` symbols (name, shape, format,
// layout); kernel ops refer to them by symbol.
//
//===----------------------------------------------------------------------===//

#ifndef LAC_EXEC_DIALECT
#define LAC_EXEC_DIALECT

include "mlir/IR/OpBase.td"

def Exec_Dialect : Dialect {
  let name = "exec";
  let cppNamespace = "::mlir::exec";
  let summary = "Kernel launches on planned buffers";
  let description = [{
    The `exec` dialect is the last IR before emission: each op is one call of
    a runtime kernel, operands and results are typed buffers, and every
    weight carries its storage format and layout. Memory planning assigns an
    arena byte `offset` to each buffer type; after it the IR describes the
    whole plan.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Name of the discardable attribute holding the #exec.target.
    static constexpr ::llvm::StringLiteral kTargetAttrName = "exec.target";
  }];
}

class Exec_Op<string mnemonic, list<Trait> traits = []>
    : Op<Exec_Dialect, mnemonic, traits>;

#endif // LAC_EXEC_DIALECT
