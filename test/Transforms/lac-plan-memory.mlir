// RUN: lac-opt %s --lac-plan-memory="max-seq-len=4 max-batch=2" | FileCheck %s
// RUN: lac-opt %s --lac-plan-memory="max-seq-len=4 max-batch=2" | lac-opt | FileCheck %s
// RUN: lac-opt %s --lac-plan-memory="max-seq-len=4 max-batch=2 print=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=SUMMARY
// RUN: lac-opt %s --lac-plan-memory="max-seq-len=4 max-batch=2 kv-dtype=f32 print=true" 2>&1 | FileCheck %s --check-prefix=F32
// RUN: not lac-opt %s --lac-plan-memory="max-seq-len=4 max-batch=2 kv-dtype=bf16" 2>&1 | FileCheck %s --check-prefix=BAD
// REQUIRES: compiler

// One layer (D = 64, H = 4, KV = 2, hd = 16, V = 256). Prefill: `?` is
// max-seq-len * max-batch = 8 tokens, so a [?, 64] f32 buffer takes 2048
// bytes; decode: max-batch = 2 tokens.

// The KV cache is f16 unless kv-dtype says f32: 2 (K, V) x 2 sequences x 2
// kv heads x 4 positions x 16 x 2 bytes = 1024 bytes (f32: 2048).
// CHECK: module attributes {exec.kv_cache = #exec.kv_cache<layout = blhd, dtype = f16, n_layers = 1, n_kv_heads = 2, head_dim = 16, max_seq_len = 4, max_batch = 2>, exec.target

// SUMMARY: lac-plan-memory: max-seq-len 4, max-batch 2
// 256 rows * 2 q8_0 blocks * 34 + 2 * 64 * 4 (norms) + (128 (wqkv) + 64) rows
// * 2 q4_1 blocks * 20 + 256 * 64 * 4 (f32 output) = 91136
// SUMMARY-NEXT: weights: 91136 bytes (0.09 MiB)
// SUMMARY-NEXT: kv cache: 1024 bytes (0.00 MiB)
// F32: kv cache: 2048 bytes (0.00 MiB)
// F32: exec.kv_cache = #exec.kv_cache<layout = blhd, dtype = f32,
// BAD: unknown kv-dtype 'bf16' (expected f16 or f32)
// SUMMARY-NEXT: activations @prefill: 8256 bytes (0.01 MiB)
// SUMMARY-NEXT: activations @decode: 1280 bytes (0.00 MiB)

module attributes {exec.target = #exec.target<cpu, formats = [f32, q8_0, q4_1]>} {
exec.weight @tok_embeddings.weight : [256, 64] q8_0, layout = row_major
exec.weight @layers.0.attention_norm.weight : [64] f32, layout = row_major
exec.weight @layers.0.attention.wqkv.weight : [128, 64] q4_1, layout = row_major {concat_of = [@layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight]}
exec.weight @layers.0.attention.wo.weight : [64, 64] q4_1, layout = row_major
exec.weight @norm.weight : [64] f32, layout = row_major
exec.weight @output.weight : [256, 64] f32, layout = row_major

// Live ranges (step: 0 = arguments): tokens 0-1, pos 0-3, h 1-4, qkv 2-3,
// att 3-4, h1 4-5, logits 5-end. First-fit by size: qkv (4096 bytes) 0, h
// 4096, att 6144, h1 reuses qkv's bytes (0), logits 2048 (after h1), tokens
// 0 (qkv is not yet live), pos 8192.
// CHECK-LABEL: func.func @prefill
// CHECK-SAME: (%[[TOK:.*]]: !exec.buf<?xi32, offset = 0>, %[[POS:.*]]: !exec.buf<?xi32, offset = 8192>) -> !exec.buf<1x256xf32, offset = 2048>
// CHECK-SAME: attributes {exec.arena_bytes = 8256 : i64, exec.max_tokens = 8 : i64}
func.func @prefill(%tokens: !exec.buf<?xi32>, %pos: !exec.buf<?xi32>) -> !exec.buf<1x256xf32> {
  // CHECK: exec.embed {{.*}} -> !exec.buf<?x64xf32, offset = 4096>
  %h = exec.embed @tok_embeddings.weight[%tokens] {kernel = "cpu.embed.q8_0"} : !exec.buf<?xi32> -> !exec.buf<?x64xf32>
  // CHECK: exec.rmsnorm_matmul {{.*}} -> !exec.buf<?x128xf32, offset = 0>
  %qkv = exec.rmsnorm_matmul %h, @layers.0.attention_norm.weight, @layers.0.attention.wqkv.weight {eps = 1.0e-05 : f32, kernel = "cpu.rmsnorm_matmul.q4_1"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  // CHECK: exec.rope_kv_attention {{.*}} -> !exec.buf<?x64xf32, offset = 6144>
  %att = exec.rope_kv_attention %qkv positions %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "cpu.rope_kv_attention"} : (!exec.buf<?x128xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  // CHECK: exec.matmul_residual {{.*}} -> !exec.buf<?x64xf32, offset = 0>
  %h1 = exec.matmul_residual %att, @layers.0.attention.wo.weight, %h {kernel = "cpu.matmul_residual.q4_1"} : !exec.buf<?x64xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  // CHECK: exec.final_norm_lm_head {{.*}} -> !exec.buf<1x256xf32, offset = 2048>
  %logits = exec.final_norm_lm_head %h1, @norm.weight, @output.weight {eps = 1.0e-05 : f32, last_token_only, kernel = "cpu.final_norm_lm_head.f32"} : !exec.buf<?x64xf32> -> !exec.buf<1x256xf32>
  return %logits : !exec.buf<1x256xf32>
}

// Decode: static one-token shapes. logits (largest) 0; h 0 (dead before
// logits is written); n must avoid both: 1024; tokens 256.
// CHECK-LABEL: func.func @decode
// CHECK-SAME: attributes {exec.arena_bytes = 1280 : i64, exec.max_tokens = 2 : i64}
func.func @decode(%tokens: !exec.buf<1xi32>) -> !exec.buf<1x256xf32> {
  // CHECK: exec.embed {{.*}} : !exec.buf<1xi32, offset = 256> -> !exec.buf<1x64xf32, offset = 0>
  %h = exec.embed @tok_embeddings.weight[%tokens] {kernel = "cpu.embed.q8_0"} : !exec.buf<1xi32> -> !exec.buf<1x64xf32>
  // CHECK: exec.rmsnorm {{.*}} -> !exec.buf<1x64xf32, offset = 1024>
  %n = exec.rmsnorm %h, @norm.weight {eps = 1.0e-05 : f32, kernel = "cpu.rmsnorm"} : !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  // CHECK: exec.matmul {{.*}} -> !exec.buf<1x256xf32, offset = 0>
  %logits = exec.matmul %n, @output.weight {kernel = "cpu.matmul.f32", last_token_only} : !exec.buf<1x64xf32> -> !exec.buf<1x256xf32>
  return %logits : !exec.buf<1x256xf32>
}
}
