//===- Passes.td - emission passes (test entry points) -------*- tablegen -*-===//

#ifndef LAC_EMIT_PASSES
#define LAC_EMIT_PASSES

include "mlir/Pass/PassBase.td"

def EmitPlanJson : Pass<"lac-emit-plan-json", "::mlir::ModuleOp"> {
  let summary = "Print the plan a planned exec module would emit, as JSON, to stdout";
  let description = [{
    Builds the `.lac` plan from a memory-planned `exec` module exactly as
    `emitArtifact` does (compiler/emit/emit.h) and prints it as JSON on
    stdout, leaving the module unchanged. The ModelSpec that supplies the
    config, tokenizer, chat format and stop tokens is read from `model`
    (any format lac-compile reads; weights are not touched).

    Rationale: the emitter is the last stage and writes a binary file; lit
    checks what it writes through this JSON view (IREE prints its
    flatbuffers the same way), without lac-compile and without writing an
    artifact. Run it with `-o /dev/null` so the module print does not mix
    with the JSON:

      lac-opt planned.mlir --lac-emit-plan-json=model=tiny.gguf -o /dev/null
  }];
  let options = [
    Option<"model", "model", "std::string", /*default=*/"\"\"",
           "the checkpoint to read config and tokenizer from">,
    Option<"dumpTokenizer", "dump-tokenizer", "bool", /*default=*/"false",
           "print every token and merge (default: counts only)">,
  ];
}

#endif // LAC_EMIT_PASSES
