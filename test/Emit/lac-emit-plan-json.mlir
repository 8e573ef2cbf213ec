// RUN: lac-opt %S/Inputs/tiny-planned.mlir --lac-emit-plan-json=model=%tiny/tiny.gguf -o /dev/null | FileCheck %s
// RUN: not lac-opt %s --lac-emit-plan-json=model=%tiny/tiny.gguf -o /dev/null 2>&1 | FileCheck %s --check-prefix=ERR
// REQUIRES: compiler

// The plan emitted for a hand-written planned module (Inputs/tiny-planned.mlir)
// with the tiny Llama 3 model's config and tokenizer.

// CHECK:      "format_version": 1,
// CHECK:      "model_name": "lac-tiny-llama",
// CHECK:      "config": {
// CHECK:        "dim": 64,
// CHECK-NEXT:   "n_layers": 2,
// CHECK:        "vocab_size": 128256,
// CHECK:      "target": {"target":"cpu","cpu_features":["avx2","fma"],"min_cuda_arch":0},
// CHECK-NEXT: "max_batch": 1,
// CHECK-NEXT: "max_seq_len": 256,
// The tokenizer is summarized: counts, not 128k tokens.
// CHECK:      "tokenizer": {
// CHECK-NEXT:   "kind": "gpt2_bpe",
// CHECK:          {"text":"<|eot_id|>","id":128009},
// CHECK:        "bos_id": 128000,
// CHECK-NEXT:   "eos_id": 128001,
// CHECK:        "tokens_count": 128256,
// CHECK-NEXT:   "merges_count": {{[0-9]+}},
// CHECK-NEXT:   "special_tokens_count": 256
// CHECK:      "chat": {
// CHECK-NEXT:   "kind": "llama3",
// CHECK:      "stop_token_ids": [128001,128009],
// CHECK-NEXT: "generation": {"temperature":0.6,"top_p":0.9,"max_gen_len":0},

// Weights: module order, 64-byte aligned offsets, dense row-major sizes.
// CHECK:      {"name":"tok_embeddings.weight","dtype":"bf16","shape":[128256,64],"layout":"row_major","blob":{"offset":0,"bytes":16416768,"checksum":0}},
// CHECK-NEXT: {"name":"layers.0.attention_norm.weight","dtype":"f32","shape":[64],"layout":"row_major","blob":{"offset":16416768,"bytes":256,"checksum":0}},
// CHECK-NEXT: {"name":"layers.0.attention.wq.weight","dtype":"bf16","shape":[64,64],"layout":"row_major","blob":{"offset":16417024,"bytes":8192,"checksum":0}},
// A fused weight is one entry under its own name (its parts' rows stacked).
// CHECK:      {"name":"layers.0.attention.wqkv.weight","dtype":"bf16","shape":[128,64],"layout":"row_major","blob":{"offset":16433408,"bytes":16384,"checksum":0}},
// CHECK:      {"name":"layers.0.feed_forward.w13.weight","dtype":"bf16","shape":[384,64],"layout":"row_major","blob":{"offset":16458240,"bytes":49152,"checksum":0}},
// CHECK:      {"name":"output.weight","dtype":"bf16","shape":[128256,64],"layout":"row_major","blob":{"offset":16532224,"bytes":16416768,"checksum":0}}
// CHECK:      "weight_blob": {"bytes":32948992,"checksum":0},
// CHECK-NEXT: "random_weights": false,
// CHECK-NEXT: "kv_cache": {"dtype":"f32","layout":"blhd","bytes_per_layer":65536,"max_batch":1,"max_seq_len":256},

// Prefill: buffers from the types (? = max_tokens 16), shared when in place.
// CHECK:      "name": "prefill",
// CHECK-NEXT: "arena_bytes": 529536,
// CHECK-NEXT: "max_tokens": 16,
// CHECK-NEXT: "buffers": [
// CHECK-NEXT:   {"id":0,"offset":0,"bytes":64,"dtype":"i32","shape":[16],"role":"tokens"},
// CHECK-NEXT:   {"id":1,"offset":64,"bytes":64,"dtype":"i32","shape":[16],"role":"positions"},
// CHECK-NEXT:   {"id":2,"offset":128,"bytes":4096,"dtype":"f32","shape":[16,64],"role":"intermediate"},
// CHECK-NEXT:   {"id":3,"offset":4224,"bytes":8192,"dtype":"f32","shape":[16,128],"role":"intermediate"},
// CHECK:        {"id":5,"offset":4224,"bytes":12288,"dtype":"f32","shape":[16,192],"role":"intermediate"},
// CHECK-NEXT:   {"id":6,"offset":16512,"bytes":513024,"dtype":"f32","shape":[1,128256],"role":"logits"}
// CHECK:        "kernel": "embed",
// CHECK-NEXT:   "variant": "generic",
// CHECK-NEXT:   "inputs": [0],
// CHECK-NEXT:   "outputs": [2],
// CHECK-NEXT:   "weights": [0],
// CHECK-NEXT:   "layer": -1,
// CHECK-NEXT:   "params": {"eps":0.0,"rows":128256,"cols":64,
// The qkv projection: one step over the fused wqkv weight into one buffer.
// CHECK:        "kernel": "rmsnorm_matmul",
// CHECK-NEXT:   "variant": "avx2_bf16",
// CHECK-NEXT:   "inputs": [2],
// CHECK-NEXT:   "outputs": [3],
// CHECK-NEXT:   "weights": [1,5],
// CHECK-NEXT:   "layer": 0,
// CHECK-NEXT:   "params": {"eps":1e-05,"rows":128,"cols":64,
// CHECK-NOT:    "kernel": "rmsnorm_matmul",
// Positions are not an operand: the kernel reads the positions buffer. One
// input: the fused qkv buffer (columns q | k | v).
// CHECK:        "kernel": "rope_kv_attention",
// CHECK-NEXT:   "variant": "generic",
// CHECK-NEXT:   "inputs": [3],
// CHECK-NEXT:   "outputs": [4],
// CHECK-NEXT:   "layer": 0,
// CHECK-NEXT:   "params": {
// CHECK:          "n_heads": 4,
// CHECK-NEXT:     "n_kv_heads": 2,
// CHECK-NEXT:     "head_dim": 16,
// CHECK-NEXT:     "rope_theta": 500000.0,
// CHECK-NEXT:     "rope_scaling": {"factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position":8192},
// In place: the residual stream is read and written as buffer 2.
// CHECK:        "kernel": "matmul_residual",
// CHECK:        "inputs": [4,2],
// CHECK-NEXT:   "outputs": [2],
// CHECK-NEXT:   "weights": [6],
// Gate/up: [norm, fused w13 [2F, D]]; rows = F.
// CHECK:        "kernel": "rmsnorm_gate_up_silu",
// CHECK:        "weights": [7,8],
// CHECK:        "params": {"eps":1e-05,"rows":192,"cols":64,
// CHECK:        "kernel": "matmul_residual",
// CHECK:        "params": {"eps":0.0,"rows":64,"cols":192,
// CHECK:        "kernel": "final_norm_lm_head",
// CHECK:        "outputs": [6],
// CHECK-NEXT:   "weights": [10,11],

// Decode: static T = 1, unfused ops.
// CHECK:      "name": "decode",
// CHECK-NEXT: "arena_bytes": 514432,
// CHECK-NEXT: "max_tokens": 1,
// CHECK:        "kernel": "rmsnorm",
// CHECK:        "kernel": "matmul",
// CHECK:        "kernel": "add",
// CHECK-NEXT:   "variant": "generic",
// CHECK-NEXT:   "inputs": [2,8],
// CHECK-NEXT:   "outputs": [2],
// CHECK:        "params": {"eps":0.0,"rows":0,"cols":64,
// CHECK:        "kernel": "matmul",
// CHECK:        "outputs": [10],
// CHECK-NEXT:   "weights": [11],

// A module that is not memory-planned is refused, naming the op.
// ERR: lac-emit-plan-json.mlir:[[@LINE+5]]:{{.*}}'exec.embed': buffer has no arena offset (run memory planning first)
module attributes {exec.kv_cache = #exec.kv_cache<layout = blhd, dtype = f32, n_layers = 2, n_kv_heads = 2, head_dim = 16, max_seq_len = 256, max_batch = 1>} {
  exec.weight @tok_embeddings.weight : [128256, 64] bf16, layout = row_major
  func.func @decode(%tokens: !exec.buf<1xi32, offset = 0>, %pos: !exec.buf<1xi32, offset = 64>) -> !exec.buf<1x64xf32>
      attributes {exec.arena_bytes = 1024 : i64} {
    %h = exec.embed @tok_embeddings.weight[%tokens] {kernel = "generic"} : !exec.buf<1xi32, offset = 0> -> !exec.buf<1x64xf32>
    return %h : !exec.buf<1x64xf32>
  }
}
