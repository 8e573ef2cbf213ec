// RUN: lac-opt %s --lac-convert-llama-to-exec="target=cpu" | FileCheck %s
// RUN: lac-opt %s --lac-convert-llama-to-exec | lac-opt | FileCheck %s
// RUN: lac-opt %s --lac-convert-llama-to-exec --lac-select-weight-formats --lac-plan-memory="max-seq-len=8" | FileCheck %s --check-prefix=PIPE
// RUN: lac-opt %s --lac-convert-llama-to-exec="target=cuda" | FileCheck %s --check-prefix=CUDA
// REQUIRES: compiler

// cuda: the target's table, formats and oldest GPU; a matrix whose source
// (q4_1) has no cuda kernel starts in f32 until lac-select-weight-formats.
// CUDA: module attributes {exec.target = #exec.target<cuda, formats = [f32, f16, bf16, q8_0, q4_g32], min_cuda_arch = 80>}
// CUDA: exec.embed {{.*}}kernel = "cuda.embed.q8_0"
// CUDA: exec.rmsnorm_matmul {{.*}}kernel = "cuda.rmsnorm_matmul.f32"
// CUDA: exec.rope_kv_attention {{.*}}kernel = "cuda.rope_kv_attention"

// The whole lowering pipeline: q5_0 / q6_k become q8_0 (the fused wqkv then
// takes q8_0, its most precise part's), every buffer gets an offset.
// PIPE-DAG: exec.weight @layers.0.attention.wq.weight : [64, 64] q4_1
// PIPE-DAG: exec.weight @layers.0.attention.wv.weight : [32, 64] q8_0
// PIPE-DAG: exec.weight @layers.0.attention.wqkv.weight : [128, 64] q8_0
// PIPE-DAG: exec.weight @output.weight : [256, 64] q8_0
// PIPE-LABEL: func.func @prefill(%arg0: !exec.buf<?xi32, offset = {{[0-9]+}}>
// PIPE-SAME: exec.arena_bytes = {{[0-9]+}} : i64, exec.max_tokens = 8 : i64
// PIPE: exec.rmsnorm_matmul {{.*}}@layers.0.attention.wqkv.weight {{.*}}kernel = "cpu.rmsnorm_matmul.q8_0"{{.*}}-> !exec.buf<?x128xf32, offset = {{[0-9]+}}>
// PIPE-LABEL: func.func @decode
// PIPE-SAME: exec.max_tokens = 1 : i64

// A one-layer model (D = 64, H = 4, KV = 2, hd = 16, F = 128, V = 256):
// @prefill in the fused forms, @decode unfused (standalone rope ops), and
// weights whose checkpoint dtypes differ (source_dtype).

// CHECK: module attributes {exec.target = #exec.target<cpu, formats = [f32, f16, bf16, q8_0, q4_0, q4_1]>}
// CHECK-NOT: llama.

// Runnable source formats are kept; q6_k (no kernel) starts as f32; norms
// are f32 whatever the source; source_dtype travels along.
// CHECK-DAG: exec.weight @tok_embeddings.weight : [256, 64] q8_0, layout = row_major {source_dtype = "q8_0"}
// CHECK-DAG: exec.weight @layers.0.attention_norm.weight : [64] f32, layout = row_major {source_dtype = "f32"}
// CHECK-DAG: exec.weight @layers.0.attention.wo.weight : [64, 64] q4_1, layout = row_major {source_dtype = "q4_1"}
// CHECK-DAG: exec.weight @layers.0.ffn_norm.weight : [64] f32, layout = row_major {source_dtype = "f16"}
// CHECK-DAG: exec.weight @layers.0.feed_forward.w2.weight : [64, 128] q4_0, layout = row_major {source_dtype = "q4_0"}
// CHECK-DAG: exec.weight @norm.weight : [64] f32, layout = row_major {source_dtype = "f32"}
// CHECK-DAG: exec.weight @output.weight : [256, 64] f32, layout = row_major {source_dtype = "q6_k"}
// The parts keep their own formats (decode reads them one by one).
// CHECK-DAG: exec.weight @layers.0.attention.wq.weight : [64, 64] q4_1, layout = row_major {source_dtype = "q4_1"}
// CHECK-DAG: exec.weight @layers.0.attention.wk.weight : [32, 64] q4_1, layout = row_major {source_dtype = "q4_1"}
// CHECK-DAG: exec.weight @layers.0.attention.wv.weight : [32, 64] f32, layout = row_major {source_dtype = "q5_0"}
// CHECK-DAG: exec.weight @layers.0.feed_forward.w1.weight : [128, 64] f16, layout = row_major {source_dtype = "f16"}
// CHECK-DAG: exec.weight @layers.0.feed_forward.w3.weight : [128, 64] q8_0, layout = row_major {source_dtype = "q8_0"}
// The fused weights (prefill's qkv_linear and swiglu_linear with norms) stack
// their parts' rows and take the most precise part's format: wqkv (q4_1,
// q4_1, q5_0 -> f32) f32, w13 (f16, q8_0) f16.
// CHECK-DAG: exec.weight @layers.0.attention.wqkv.weight : [128, 64] f32, layout = row_major {concat_of = [@layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight], source_dtypes = ["q4_1", "q4_1", "q5_0"]}
// CHECK-DAG: exec.weight @layers.0.feed_forward.w13.weight : [256, 64] f16, layout = row_major {concat_of = [@layers.0.feed_forward.w1.weight, @layers.0.feed_forward.w3.weight], source_dtypes = ["f16", "q8_0"]}

llama.weight @tok_embeddings.weight : tensor<256x64xf32> {source_dtype = "q8_0"}
llama.weight @layers.0.attention_norm.weight : tensor<64xf32>
llama.weight @layers.0.attention.wq.weight : tensor<64x64xf32> {source_dtype = "q4_1"}
llama.weight @layers.0.attention.wk.weight : tensor<32x64xf32> {source_dtype = "q4_1"}
llama.weight @layers.0.attention.wv.weight : tensor<32x64xf32> {source_dtype = "q5_0"}
llama.weight @layers.0.attention.wo.weight : tensor<64x64xf32> {source_dtype = "q4_1"}
llama.weight @layers.0.ffn_norm.weight : tensor<64xf32> {source_dtype = "f16"}
llama.weight @layers.0.feed_forward.w1.weight : tensor<128x64xf32> {source_dtype = "f16"}
llama.weight @layers.0.feed_forward.w2.weight : tensor<64x128xf32> {source_dtype = "q4_0"}
llama.weight @layers.0.feed_forward.w3.weight : tensor<128x64xf32> {source_dtype = "q8_0"}
llama.weight @norm.weight : tensor<64xf32>
llama.weight @output.weight : tensor<256x64xf32> {source_dtype = "q6_k"}

// CHECK-LABEL: func.func @prefill
// CHECK-SAME: (%[[TOK:.*]]: !exec.buf<?xi32>, %[[POS:.*]]: !exec.buf<?xi32>) -> !exec.buf<1x256xf32>
func.func @prefill(%tokens: tensor<?xi32>, %pos: tensor<?xi32>) -> tensor<1x256xf32> {
  // CHECK: %[[H:.*]] = exec.embed @tok_embeddings.weight[%[[TOK]]] {kernel = "cpu.embed.q8_0"} : !exec.buf<?xi32> -> !exec.buf<?x64xf32>
  %h = llama.embedding @tok_embeddings.weight[%tokens] : tensor<?xi32> -> tensor<?x64xf32>
  // One launch over the fused weight into one [T, q + k + v] buffer.
  // CHECK: %[[QKV:.*]] = exec.rmsnorm_matmul %[[H]], @layers.0.attention_norm.weight, @layers.0.attention.wqkv.weight {eps = 9.99999974E-6 : f32, kernel = "cpu.rmsnorm_matmul.f32"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  %q, %k, %v = llama.qkv_linear %h, @layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight {norm_weight = @layers.0.attention_norm.weight, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
  %qh = llama.split_heads %q : tensor<?x64xf32> -> tensor<?x4x16xf32>
  %kh = llama.split_heads %k : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %vh = llama.split_heads %v : tensor<?x32xf32> -> tensor<?x2x16xf32>
  // CHECK: %[[ATT:.*]] = exec.rope_kv_attention %[[QKV]] positions %[[POS]] {head_dim = 16 : i64, kernel = "cpu.rope_kv_attention", layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, rope_factor = 8.000000e+00 : f32, rope_high_freq_factor = 4.000000e+00 : f32, rope_low_freq_factor = 1.000000e+00 : f32, rope_original_max_position = 8192 : i64, rope_theta = 5.000000e+05 : f32} : (!exec.buf<?x128xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  %att = llama.attention %qh, %kh, %vh, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope = #llama.rope<theta = 500000.0, factor = 8.0, low_freq_factor = 1.0, high_freq_factor = 4.0, original_max_position = 8192>} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  // CHECK: %[[H1:.*]] = exec.matmul_residual %[[ATT]], @layers.0.attention.wo.weight, %[[H]] {kernel = "cpu.matmul_residual.q4_1"} : !exec.buf<?x64xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  %h1 = llama.linear_residual %att, @layers.0.attention.wo.weight, %h : tensor<?x64xf32> -> tensor<?x64xf32>
  // CHECK: %[[FF:.*]] = exec.rmsnorm_gate_up_silu %[[H1]], @layers.0.ffn_norm.weight, @layers.0.feed_forward.w13.weight {eps = 9.99999974E-6 : f32, kernel = "cpu.rmsnorm_gate_up_silu.f16"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  %s = llama.swiglu_linear %h1, @layers.0.feed_forward.w1.weight, @layers.0.feed_forward.w3.weight {norm_weight = @layers.0.ffn_norm.weight, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x128xf32>
  // CHECK: %[[H2:.*]] = exec.matmul_residual %[[FF]], @layers.0.feed_forward.w2.weight, %[[H1]] {kernel = "cpu.matmul_residual.q4_0"} : !exec.buf<?x128xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  %h2 = llama.linear_residual %s, @layers.0.feed_forward.w2.weight, %h1 : tensor<?x128xf32> -> tensor<?x64xf32>
  // CHECK: %[[L:.*]] = exec.final_norm_lm_head %[[H2]], @norm.weight, @output.weight {eps = 9.99999974E-6 : f32, kernel = "cpu.final_norm_lm_head.f32", last_token_only} : !exec.buf<?x64xf32> -> !exec.buf<1x256xf32>
  %logits = llama.lm_head %h2, @output.weight {last_token_only, norm_weight = @norm.weight, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<1x256xf32>
  // CHECK: return %[[L]] : !exec.buf<1x256xf32>
  return %logits : tensor<1x256xf32>
}

// CHECK-LABEL: func.func @decode
// CHECK-SAME: (%[[TOK:.*]]: !exec.buf<1xi32>, %[[POS:.*]]: !exec.buf<1xi32>) -> !exec.buf<1x256xf32>
func.func @decode(%tokens: tensor<1xi32>, %pos: tensor<1xi32>) -> tensor<1x256xf32> {
  // CHECK: %[[H:.*]] = exec.embed @tok_embeddings.weight[%[[TOK]]] {kernel = "cpu.embed.q8_0"}
  %h = llama.embedding @tok_embeddings.weight[%tokens] : tensor<1xi32> -> tensor<1x64xf32>
  // CHECK: %[[N:.*]] = exec.rmsnorm %[[H]], @layers.0.attention_norm.weight {eps = 9.99999974E-6 : f32, kernel = "cpu.rmsnorm"} : !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  %n = llama.rms_norm %h, @layers.0.attention_norm.weight {eps = 1.0e-05 : f32} : tensor<1x64xf32>
  // CHECK: %[[Q:.*]] = exec.matmul %[[N]], @layers.0.attention.wq.weight {kernel = "cpu.matmul.q4_1"} : !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  %q = llama.linear %n, @layers.0.attention.wq.weight : tensor<1x64xf32> -> tensor<1x64xf32>
  // CHECK: %[[K:.*]] = exec.matmul %[[N]], @layers.0.attention.wk.weight {kernel = "cpu.matmul.q4_1"} : !exec.buf<1x64xf32> -> !exec.buf<1x32xf32>
  %k = llama.linear %n, @layers.0.attention.wk.weight : tensor<1x64xf32> -> tensor<1x32xf32>
  // CHECK: %[[V:.*]] = exec.matmul %[[N]], @layers.0.attention.wv.weight {kernel = "cpu.matmul.f32"}
  %v = llama.linear %n, @layers.0.attention.wv.weight : tensor<1x64xf32> -> tensor<1x32xf32>
  %qh = llama.split_heads %q : tensor<1x64xf32> -> tensor<1x4x16xf32>
  %kh = llama.split_heads %k : tensor<1x32xf32> -> tensor<1x2x16xf32>
  %vh = llama.split_heads %v : tensor<1x32xf32> -> tensor<1x2x16xf32>
  %qr = llama.rope %qh, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<1x4x16xf32>, tensor<1xi32>
  %kr = llama.rope %kh, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<1x2x16xf32>, tensor<1xi32>
  // Standalone ropes fold into the attention; split_heads are views.
  // CHECK: %[[ATT:.*]] = exec.rope_kv_attention %[[Q]], %[[K]], %[[V]] positions %[[POS]] {head_dim = 16 : i64, kernel = "cpu.rope_kv_attention", layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, rope_theta = 1.000000e+04 : f32}
  %att = llama.attention %qr, %kr, %vh, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<1x4x16xf32>, tensor<1x2x16xf32>, tensor<1xi32> -> tensor<1x64xf32>
  // CHECK: %[[O:.*]] = exec.matmul %[[ATT]], @layers.0.attention.wo.weight {kernel = "cpu.matmul.q4_1"}
  %o = llama.linear %att, @layers.0.attention.wo.weight : tensor<1x64xf32> -> tensor<1x64xf32>
  // CHECK: %[[H1:.*]] = exec.add %[[H]], %[[O]] {kernel = "cpu.add"} : !exec.buf<1x64xf32>, !exec.buf<1x64xf32> -> !exec.buf<1x64xf32>
  %h1 = llama.add %h, %o : tensor<1x64xf32>
  // (A swiglu_linear without a norm prologue would need exec.silu_mul, which
  // has no runtime kernel: lac-convert-llama-to-exec-invalid.mlir.)
  // CHECK: %[[S:.*]] = exec.rmsnorm_gate_up_silu %[[H1]], @layers.0.ffn_norm.weight, @layers.0.feed_forward.w13.weight {eps = 9.99999974E-6 : f32, kernel = "cpu.rmsnorm_gate_up_silu.f16"} : !exec.buf<1x64xf32> -> !exec.buf<1x128xf32>
  %s = llama.swiglu_linear %h1, @layers.0.feed_forward.w1.weight, @layers.0.feed_forward.w3.weight {norm_weight = @layers.0.ffn_norm.weight, norm_eps = 1.0e-05 : f32} : tensor<1x64xf32> -> tensor<1x128xf32>
  // A linear over one part of a fused weight reads that part.
  // CHECK: exec.matmul %[[H1]], @layers.0.feed_forward.w3.weight {kernel = "cpu.matmul.q8_0"} : !exec.buf<1x64xf32> -> !exec.buf<1x128xf32>
  %u = llama.linear %h1, @layers.0.feed_forward.w3.weight : tensor<1x64xf32> -> tensor<1x128xf32>
  // CHECK: %[[D:.*]] = exec.matmul %[[S]], @layers.0.feed_forward.w2.weight {kernel = "cpu.matmul.q4_0"}
  %d = llama.linear %s, @layers.0.feed_forward.w2.weight : tensor<1x128xf32> -> tensor<1x64xf32>
  %h2 = llama.add %h1, %d : tensor<1x64xf32>
  // A linear with a norm prologue is a one-weight rmsnorm_matmul.
  // CHECK: exec.rmsnorm_matmul %{{.*}}, @layers.0.ffn_norm.weight, @layers.0.feed_forward.w1.weight {eps = 9.99999974E-6 : f32, kernel = "cpu.rmsnorm_matmul.f16"} : !exec.buf<1x64xf32> -> !exec.buf<1x128xf32>
  %g2 = llama.linear %h2, @layers.0.feed_forward.w1.weight {norm_weight = @layers.0.ffn_norm.weight, norm_eps = 1.0e-05 : f32} : tensor<1x64xf32> -> tensor<1x128xf32>
  // CHECK: %[[NF:.*]] = exec.rmsnorm %{{.*}}, @norm.weight
  %nf = llama.rms_norm %h2, @norm.weight {eps = 1.0e-05 : f32} : tensor<1x64xf32>
  // CHECK: %[[L:.*]] = exec.matmul %[[NF]], @output.weight {kernel = "cpu.matmul.f32", last_token_only} : !exec.buf<1x64xf32> -> !exec.buf<1x256xf32>
  %logits = llama.lm_head %nf, @output.weight {last_token_only} : tensor<1x64xf32> -> tensor<1x256xf32>
  // CHECK: return %[[L]] : !exec.buf<1x256xf32>
  return %logits : tensor<1x256xf32>
}
