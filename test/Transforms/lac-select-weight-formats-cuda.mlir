// RUN: lac-opt %s --lac-select-weight-formats | FileCheck %s --check-prefix=AUTO
// RUN: lac-opt %s --lac-select-weight-formats="weight-format=q4_g32" | FileCheck %s --check-prefix=G32
// RUN: lac-opt %s --lac-select-weight-formats="weight-format=bf16" | FileCheck %s --check-prefix=BF16
// RUN: not lac-opt %s --lac-select-weight-formats="weight-format=q4_0" 2>&1 | FileCheck %s --check-prefix=Q40
// REQUIRES: compiler

// The cuda target (KernelTable.cpp) has no kernel for GGML's q4_0/q4_1
// blocks: a q4_0 or q4_1 source repacks losslessly into q4_g32, the other
// quantized sources become q8_0, runnable sources are kept, norms are f32.

// AUTO-DAG: exec.weight @tok_embeddings.weight : [256, 64] q4_g32, layout = row_major {source_dtype = "q4_0"}
// AUTO-DAG: exec.weight @layers.0.attention_norm.weight : [64] f32, layout = row_major {source_dtype = "f16"}
// AUTO-DAG: exec.weight @layers.0.attention.wqkv.weight : [128, 64] q4_g32, layout = row_major {concat_of = {{.*}}, source_dtypes = ["q4_0", "q4_1", "q4_1"]}
// AUTO-DAG: exec.weight @layers.0.attention.wo.weight : [64, 64] q4_g32, layout = row_major {source_dtype = "q4_1"}
// AUTO-DAG: exec.weight @layers.0.feed_forward.w13.weight : [256, 64] q8_0, layout = row_major {concat_of = {{.*}}, source_dtypes = ["q4_0", "q6_k"]}
// AUTO-DAG: exec.weight @layers.0.feed_forward.w2.weight : [64, 128] q8_0, layout = row_major {source_dtype = "q5_k"}
// AUTO-DAG: exec.weight @output.weight : [256, 64] bf16, layout = row_major{{$}}
// AUTO-LABEL: func.func @prefill
// AUTO: exec.embed {{.*}} {kernel = "cuda.embed.q4_g32"}
// AUTO: exec.rmsnorm_matmul {{.*}} {eps = {{.*}}, kernel = "cuda.rmsnorm_matmul.q4_g32"}
// AUTO: exec.rope_kv_attention {{.*}} kernel = "cuda.rope_kv_attention"
// AUTO: exec.matmul_residual {{.*}} {kernel = "cuda.matmul_residual.q4_g32"}
// AUTO: exec.rmsnorm_gate_up_silu {{.*}} {eps = {{.*}}, kernel = "cuda.rmsnorm_gate_up_silu.q8_0"}
// AUTO: exec.matmul_residual {{.*}} {kernel = "cuda.matmul_residual.q8_0"}
// AUTO: exec.final_norm_lm_head {{.*}} {eps = {{.*}}, kernel = "cuda.final_norm_lm_head.bf16", last_token_only}

// q4_g32: every matrix q4_g32, the embedding table (gather only) q8_0.
// G32-DAG: exec.weight @tok_embeddings.weight : [256, 64] q8_0, layout = row_major
// G32-DAG: exec.weight @layers.0.attention.wqkv.weight : [128, 64] q4_g32, layout = row_major
// G32-DAG: exec.weight @layers.0.feed_forward.w2.weight : [64, 128] q4_g32, layout = row_major
// G32-DAG: exec.weight @norm.weight : [64] f32, layout = row_major
// G32-DAG: exec.weight @output.weight : [256, 64] q4_g32, layout = row_major
// G32-LABEL: func.func @prefill
// G32: exec.embed {{.*}} {kernel = "cuda.embed.q8_0"}
// G32: exec.final_norm_lm_head {{.*}} kernel = "cuda.final_norm_lm_head.q4_g32"

// bf16: every matrix and the table bf16.
// BF16-DAG: exec.weight @tok_embeddings.weight : [256, 64] bf16, layout = row_major
// BF16-DAG: exec.weight @layers.0.feed_forward.w13.weight : [256, 64] bf16, layout = row_major
// BF16: exec.rmsnorm_gate_up_silu {{.*}} kernel = "cuda.rmsnorm_gate_up_silu.bf16"

// Q40: cannot run weights in format q4_0 (use q4_g32, GGML's q4_0/q4_1 repack into it losslessly)

module attributes {exec.target = #exec.target<cuda, formats = [f32, f16, bf16, q8_0, q4_g32], min_cuda_arch = 80>} {
exec.weight @tok_embeddings.weight : [256, 64] f32, layout = row_major {source_dtype = "q4_0"}
exec.weight @layers.0.attention_norm.weight : [64] f32, layout = row_major {source_dtype = "f16"}
exec.weight @layers.0.attention.wqkv.weight : [128, 64] f32, layout = row_major {concat_of = [@layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight], source_dtypes = ["q4_0", "q4_1", "q4_1"]}
exec.weight @layers.0.attention.wo.weight : [64, 64] f32, layout = row_major {source_dtype = "q4_1"}
exec.weight @layers.0.ffn_norm.weight : [64] f32, layout = row_major {source_dtype = "f32"}
exec.weight @layers.0.feed_forward.w2.weight : [64, 128] f32, layout = row_major {source_dtype = "q5_k"}
exec.weight @layers.0.feed_forward.w13.weight : [256, 64] f32, layout = row_major {concat_of = [@layers.0.feed_forward.w1.weight, @layers.0.feed_forward.w3.weight], source_dtypes = ["q4_0", "q6_k"]}
exec.weight @norm.weight : [64] f32, layout = row_major
exec.weight @output.weight : [256, 64] bf16, layout = row_major

func.func @prefill(%tokens: !exec.buf<?xi32>, %pos: !exec.buf<?xi32>) -> !exec.buf<1x256xf32> {
  %h = exec.embed @tok_embeddings.weight[%tokens] {kernel = "pending"} : !exec.buf<?xi32> -> !exec.buf<?x64xf32>
  %qkv = exec.rmsnorm_matmul %h, @layers.0.attention_norm.weight, @layers.0.attention.wqkv.weight {eps = 1.0e-05 : f32, kernel = "pending"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  %att = exec.rope_kv_attention %qkv positions %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "pending"} : (!exec.buf<?x128xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  %h1 = exec.matmul_residual %att, @layers.0.attention.wo.weight, %h {kernel = "pending"} : !exec.buf<?x64xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  %ff = exec.rmsnorm_gate_up_silu %h1, @layers.0.ffn_norm.weight, @layers.0.feed_forward.w13.weight {eps = 1.0e-05 : f32, kernel = "pending"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  %h2 = exec.matmul_residual %ff, @layers.0.feed_forward.w2.weight, %h1 {kernel = "pending"} : !exec.buf<?x128xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  %logits = exec.final_norm_lm_head %h2, @norm.weight, @output.weight {eps = 1.0e-05 : f32, last_token_only, kernel = "pending"} : !exec.buf<?x64xf32> -> !exec.buf<1x256xf32>
  return %logits : !exec.buf<1x256xf32>
}
}
