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

// How a weight's rows are laid out (runtime/artifact/weight_layout.h names
// them in the plan: "row_major", or the format's x8 name such as "q4_1x8").
def Exec_WeightLayout : I32EnumAttr<"WeightLayout", "weight row layout", [
    // Rows of the [out, in] matrix, each a run of the format's blocks.
    I32EnumAttrCase<"row_major", 0>,
    // A blocked format's rows interleaved by 8 (runtime/kernels/cpu/pack_x8.h).
    I32EnumAttrCase<"x8", 1>]> {
  let cppNamespace = "::mlir::exec";
  let genSpecializedAttr = 0;
}

def Exec_WeightLayoutAttr : EnumAttr<Exec_Dialect, Exec_WeightLayout, "layout"> {
  let assemblyFormat = "`<` $value `>`";
}

def Exec_TargetAttr : AttrDef<Exec_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "The backend a plan is compiled for and the formats it reads";
  let description = [{
    Attached as `exec.target` to the module (or a func). Every `exec.weight`
    under it must use one of `formats`. A cuda target names the oldest
    compute capability its kernels run on (`min_cuda_arch`, e.g. 80 for
    sm_80); a cpu target has none.

    ```mlir
    #exec.target<cpu, formats = [f32, f16, bf16, q8_0, q4_0, q4_1]>
    #exec.target<cuda, formats = [f32, f16, bf16, q8_0, q4_g32], min_cuda_arch = 80>
    ```
  }];
  let parameters = (ins EnumParameter<Exec_Backend>:$backend,
                        ArrayRefParameter<"WeightFormat">:$formats,
                        DefaultValuedParameter<"unsigned", "0">:$min_cuda_arch);
  let assemblyFormat = [{
    `<` $backend `,` `formats` `=` `[` $formats `]`
    (`,` `min_cuda_arch` `=` $min_cuda_arch^)? `>`
  }];
  let extraClassDeclaration = [{
    bool supports(WeightFormat format) const {
      return ::llvm::is_contained(getFormats(), format);
    }
  }];
  let genVerifyDecl = 1;
}

def Exec_KvLayout : I32EnumAttr<"KvLayout", "KV cache layout", [
    // Per layer: K then V, each [max_batch, n_kv_heads, max_seq_len, head_dim].
    I32EnumAttrCase<"blhd", 0>]> {
  let cppNamespace = "::mlir::exec";
  let genSpecializedAttr = 0;
}

def Exec_KvCacheAttr : AttrDef<Exec_Dialect, "KvCache"> {
  let mnemonic = "kv_cache";
  let summary = "The KV cache a memory-planned module's attention reads and writes";
  let description = [{
    Set as `exec.kv_cache` on the module by `lac-plan-memory` (from the
    attention ops and its max-batch / max-seq-len options); the emitter copies
    it into the plan's KvCacheLayout. Every dimension is positive, `dtype` is
    f32, f16 or bf16, and `n_layers` covers every attention op's `layer`.

    ```mlir
    #exec.kv_cache<layout = blhd, dtype = f32, n_layers = 2, n_kv_heads = 2,
                   head_dim = 16, max_seq_len = 64, max_batch = 1>
    ```
  }];
  let parameters = (ins EnumParameter<Exec_KvLayout>:$layout, "Type":$dtype,
                        "int64_t":$n_layers, "int64_t":$n_kv_heads,
                        "int64_t":$head_dim, "int64_t":$max_seq_len,
                        "int64_t":$max_batch);
  let assemblyFormat = "`<` struct(params) `>`";
  let extraClassDeclaration = [{
    /// K and V of one layer, in bytes.
    int64_t getBytesPerLayer() const {
      return 2 * getMaxBatch() * getMaxSeqLen() * getNKvHeads() * getHeadDim() *
             static_cast<int64_t>(getDtype().getIntOrFloatBitWidth() / 8);
    }
    int64_t getBytes() const { return getBytesPerLayer() * getNLayers(); }
  }];
  let genVerifyDecl = 1;
}

#endif // LAC_EXEC_ATTRS
