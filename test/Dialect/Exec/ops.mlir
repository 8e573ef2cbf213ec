// RUN: lac-opt %s | lac-opt | FileCheck %s
// RUN: lac-opt %s --mlir-print-op-generic | lac-opt | FileCheck %s
// REQUIRES: compiler

// A one-layer plan (D = 64, H = 4, KV = 2, hd = 16, F = 128, V = 256) for the
// CPU: fused prefill, unfused decode, then a memory-planned function.

// CHECK: module attributes {exec.target = #exec.target<cpu, formats = [f32, q8_0, q4_1]>}
module attributes {exec.target = #exec.target<cpu, formats = [f32, q8_0, q4_1]>} {

// CHECK: exec.weight @tok_embeddings.weight : [256, 64] q8_0, layout = row_major
// CHECK: exec.weight @layers.0.attention_norm.weight : [64] f32, layout = row_major
// CHECK: exec.weight @layers.0.attention.wq.weight : [64, 64] q4_1, layout = row_major {checksum = 42 : i64}
exec.weight @tok_embeddings.weight : [256, 64] q8_0, layout = row_major
exec.weight @layers.0.attention_norm.weight : [64] f32, layout = row_major
exec.weight @layers.0.attention.wq.weight : [64, 64] q4_1, layout = row_major {checksum = 42 : i64}
exec.weight @layers.0.attention.wk.weight : [32, 64] q4_1, layout = row_major
exec.weight @layers.0.attention.wv.weight : [32, 64] q4_1, layout = row_major
// CHECK: exec.weight @layers.0.attention.wqkv.weight : [128, 64] q4_1, layout = row_major {concat_of = [@layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight]}
exec.weight @layers.0.attention.wqkv.weight : [128, 64] q4_1, layout = row_major {concat_of = [@layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight]}
exec.weight @layers.0.attention.wo.weight : [64, 64] q4_1, layout = row_major
exec.weight @layers.0.ffn_norm.weight : [64] f32, layout = row_major
exec.weight @layers.0.feed_forward.w1.weight : [128, 64] q4_1, layout = row_major
exec.weight @layers.0.feed_forward.w2.weight : [64, 128] q4_1, layout = row_major
exec.weight @layers.0.feed_forward.w3.weight : [128, 64] q4_1, layout = row_major
exec.weight @layers.0.feed_forward.w13.weight : [256, 64] q4_1, layout = row_major {concat_of = [@layers.0.feed_forward.w1.weight, @layers.0.feed_forward.w3.weight]}
exec.weight @norm.weight : [64] f32, layout = row_major
exec.weight @output.weight : [256, 64] q8_0, layout = row_major

// CHECK-LABEL: func.func @prefill
// CHECK-SAME: (%[[TOK:.*]]: !exec.buf<?xi32>, %[[POS:.*]]: !exec.buf<?xi32>) -> !exec.buf<1x256xf32>
func.func @prefill(%tokens: !exec.buf<?xi32>, %pos: !exec.buf<?xi32>) -> !exec.buf<1x256xf32> {
  // CHECK: %[[H:.*]] = exec.embed @tok_embeddings.weight[%[[TOK]]] {kernel = "generic"} : !exec.buf<?xi32> -> !exec.buf<?x64xf32>
  %h = exec.embed @tok_embeddings.weight[%tokens] {kernel = "generic"} : !exec.buf<?xi32> -> !exec.buf<?x64xf32>
  // CHECK: %[[QKV:.*]] = exec.rmsnorm_matmul %[[H]], @layers.0.attention_norm.weight, @layers.0.attention.wqkv.weight {eps = 9.99999974E-6 : f32, kernel = "avx2_q4_1"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  %qkv = exec.rmsnorm_matmul %h, @layers.0.attention_norm.weight, @layers.0.attention.wqkv.weight {eps = 1.0e-05 : f32, kernel = "avx2_q4_1"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  // CHECK: %[[ATT:.*]] = exec.rope_kv_attention %[[QKV]] positions %[[POS]] {head_dim = 16 : i64, kernel = "generic", layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, rope_factor = 8.000000e+00 : f32, rope_high_freq_factor = 4.000000e+00 : f32, rope_low_freq_factor = 1.000000e+00 : f32, rope_original_max_position = 8192 : i64, rope_theta = 5.000000e+05 : f32} : (!exec.buf<?x128xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  %att = exec.rope_kv_attention %qkv positions %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 500000.0 : f32, rope_factor = 8.0 : f32, rope_low_freq_factor = 1.0 : f32, rope_high_freq_factor = 4.0 : f32, rope_original_max_position = 8192 : i64, kernel = "generic"} : (!exec.buf<?x128xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  // CHECK: %[[H1:.*]] = exec.matmul_residual %[[ATT]], @layers.0.attention.wo.weight, %[[H]] {kernel = "avx2_q4_1"} : !exec.buf<?x64xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  %h1 = exec.matmul_residual %att, @layers.0.attention.wo.weight, %h {kernel = "avx2_q4_1"} : !exec.buf<?x64xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  // CHECK: %[[FF:.*]] = exec.rmsnorm_gate_up_silu %[[H1]], @layers.0.ffn_norm.weight, @layers.0.feed_forward.w13.weight {eps = 9.99999974E-6 : f32, kernel = "avx2_q4_1"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  %ff = exec.rmsnorm_gate_up_silu %h1, @layers.0.ffn_norm.weight, @layers.0.feed_forward.w13.weight {eps = 1.0e-05 : f32, kernel = "avx2_q4_1"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  %h2 = exec.matmul_residual %ff, @layers.0.feed_forward.w2.weight, %h1 {kernel = "avx2_q4_1"} : !exec.buf<?x128xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  // CHECK: exec.final_norm_lm_head %{{.*}}, @norm.weight, @output.weight {eps = 9.99999974E-6 : f32, kernel = "generic", last_token_only} : !exec.buf<?x64xf32> -> !exec.buf<1x256xf32>
  %logits = exec.final_norm_lm_head %h2, @norm.weight, @output.weight {eps = 1.0e-05 : f32, last_token_only, kernel = "generic"} : !exec.buf<?x64xf32> -> !exec.buf<1x256xf32>
  return %logits : !exec.buf<1x256xf32>
}

// CHECK-LABEL: func.func @decode
func.func @decode(%tokens: !exec.buf<1xi32>, %pos: !exec.buf<1xi32>) -> !exec.buf<1x256xf32> {
  %h = exec.embed @tok_embeddings.weight[%tokens] {kernel = "generic"} : !exec.buf<1xi32> -> !exec.buf<1x64xf32>
  // CHECK: exec.rmsnorm %{{.*}}, @layers.0.attention_norm.weight {eps = 9.99999974E-6 : f32, kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  %n = exec.rmsnorm %h, @layers.0.attention_norm.weight {eps = 1.0e-05 : f32, kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  // CHECK: exec.matmul %{{.*}}, @layers.0.attention.wq.weight {kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  %q = exec.matmul %n, @layers.0.attention.wq.weight {kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  %k = exec.matmul %n, @layers.0.attention.wk.weight {kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x32xf32>
  %v = exec.matmul %n, @layers.0.attention.wv.weight {kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x32xf32>
  // CHECK: exec.rope_kv_attention %{{.*}}, %{{.*}}, %{{.*}} positions %{{.*}} {head_dim = 16 : i64, kernel = "generic", layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, rope_theta = 1.000000e+04 : f32}
  %att = exec.rope_kv_attention %q, %k, %v positions %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<1x64xf32>, !exec.buf<1x32xf32>, !exec.buf<1x32xf32>, !exec.buf<1xi32>) -> !exec.buf<1x64xf32>
  %o = exec.matmul %att, @layers.0.attention.wo.weight {kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  // CHECK: exec.add %{{.*}}, %{{.*}} {kernel = "generic"} : !exec.buf<1x64xf32>, !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  %h1 = exec.add %h, %o {kernel = "generic"} : !exec.buf<1x64xf32>, !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  %n2 = exec.rmsnorm %h1, @layers.0.ffn_norm.weight {eps = 1.0e-05 : f32, kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  %g = exec.matmul %n2, @layers.0.feed_forward.w1.weight {kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x128xf32>
  %u = exec.matmul %n2, @layers.0.feed_forward.w3.weight {kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x128xf32>
  // CHECK: exec.silu_mul %{{.*}}, %{{.*}} {kernel = "generic"} : !exec.buf<1x128xf32>, !exec.buf<1x128xf32> -> !exec.buf<1x128xf32>
  %s = exec.silu_mul %g, %u {kernel = "generic"} : !exec.buf<1x128xf32>, !exec.buf<1x128xf32> -> !exec.buf<1x128xf32>
  %h2 = exec.matmul_residual %s, @layers.0.feed_forward.w2.weight, %h1 {kernel = "generic"} : !exec.buf<1x128xf32>, !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  %nf = exec.rmsnorm %h2, @norm.weight {eps = 1.0e-05 : f32, kernel = "generic"} : !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  // CHECK: exec.matmul %{{.*}}, @output.weight {kernel = "generic", last_token_only} : !exec.buf<1x64xf32> -> !exec.buf<1x256xf32>
  %logits = exec.matmul %nf, @output.weight {kernel = "generic", last_token_only} : !exec.buf<1x64xf32> -> !exec.buf<1x256xf32>
  return %logits : !exec.buf<1x256xf32>
}

// After memory planning every buffer type carries its arena offset.
// CHECK-LABEL: func.func @planned
// CHECK-SAME: !exec.buf<1xi32, offset = 0>
// CHECK: exec.embed {{.*}} : !exec.buf<1xi32, offset = 0> -> !exec.buf<1x64xf32, offset = 64>
// CHECK: exec.rmsnorm {{.*}} : !exec.buf<1x64xf32, offset = 64> -> !exec.buf<1x64xf32, offset = 320>
func.func @planned(%tokens: !exec.buf<1xi32, offset = 0>) -> !exec.buf<1x64xf32, offset = 320> {
  %h = exec.embed @tok_embeddings.weight[%tokens] {kernel = "generic"} : !exec.buf<1xi32, offset = 0> -> !exec.buf<1x64xf32, offset = 64>
  %n = exec.rmsnorm %h, @norm.weight {eps = 1.0e-05 : f32, kernel = "generic"} : !exec.buf<1x64xf32, offset = 64> -> !exec.buf<1x64xf32, offset = 320>
  return %n : !exec.buf<1x64xf32, offset = 320>
}

}

// A CUDA target on a func, f16 activations.
// CHECK-LABEL: func.func @cuda_f16
// CHECK-SAME: attributes {exec.target = #exec.target<cuda, formats = [f16, bf16, q4_0], min_cuda_arch = 80>}
func.func @cuda_f16(%x: !exec.buf<?x64xf16>, %y: !exec.buf<?x64xf16>) -> !exec.buf<?x64xf16> attributes {exec.target = #exec.target<cuda, formats = [f16, bf16, q4_0], min_cuda_arch = 80>} {
  %s = exec.add %x, %y {kernel = "cuda_f16"} : !exec.buf<?x64xf16>, !exec.buf<?x64xf16> -> !exec.buf<?x64xf16>
  return %s : !exec.buf<?x64xf16>
}
