// RUN: lac-opt %s --lac-select-weight-formats | FileCheck %s --check-prefix=AUTO
// RUN: lac-opt %s --lac-select-weight-formats="weight-format=auto" | lac-opt | FileCheck %s --check-prefix=AUTO
// RUN: lac-opt %s --lac-select-weight-formats="weight-format=q4_0" | FileCheck %s --check-prefix=Q40
// RUN: lac-opt %s --lac-select-weight-formats="weight-format=f16" | FileCheck %s --check-prefix=F16
// RUN: lac-opt %s --lac-select-weight-formats="weight-layout=row_major" | FileCheck %s --check-prefix=ROWS
// RUN: lac-opt %s --lac-select-weight-formats="weight-layout=row_major" | not grep 'x8"'
// RUN: not lac-opt %s --lac-select-weight-formats="weight-format=q3_k" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not lac-opt %s --lac-select-weight-formats="weight-layout=tiled" 2>&1 | FileCheck %s --check-prefix=BADLAYOUT
// REQUIRES: compiler

// A lowered one-layer prefill (D = 64, F = 128, V = 256) whose checkpoint
// mixes dtypes, as a K-quant GGUF does. Lowering left the kernel-less
// sources (q4_k, q5_k, q6_k) in f32; source_dtype says what they were.

// BAD: unknown weight format 'q3_k' (expected auto, f32, f16, bf16, q8_0, q4_0, q4_1 or q4_g32)
// BADLAYOUT: unknown weight layout 'tiled' (expected auto or row_major)

// Layouts: on the cpu target a q8_0/q4_0/q4_1 matrix with rows % 8 == 0 is
// interleaved by 8 rows ("<format>x8"), the embedding table included;
// weight-layout=row_major keeps every weight row_major.

// auto: runnable sources kept, K-quants -> q8_0, norms f32; a fused weight
// takes the most precise of its parts' choices (source_dtypes): wqkv
// (q4_1, q4_1, q6_k -> q8_0) is q8_0.
// AUTO-DAG: exec.weight @tok_embeddings.weight : [256, 64] q8_0, layout = x8 {source_dtype = "q8_0"}
// AUTO-DAG: exec.weight @layers.0.attention_norm.weight : [64] f32, layout = row_major {source_dtype = "f16"}
// AUTO-DAG: exec.weight @layers.0.attention.wqkv.weight : [128, 64] q8_0, layout = x8 {concat_of = {{.*}}, source_dtypes = ["q4_1", "q4_1", "q6_k"]}
// AUTO-DAG: exec.weight @layers.0.attention.wo.weight : [64, 64] q4_1, layout = x8 {source_dtype = "q4_1"}
// AUTO-DAG: exec.weight @layers.0.feed_forward.w13.weight : [256, 64] q8_0, layout = x8 {concat_of = {{.*}}, source_dtypes = ["q5_k", "q5_k"]}
// AUTO-DAG: exec.weight @layers.0.feed_forward.w2.weight : [64, 128] q8_0, layout = x8 {source_dtype = "q4_k"}
// AUTO-DAG: exec.weight @output.weight : [256, 64] bf16, layout = row_major{{$}}
// AUTO-LABEL: func.func @prefill
// AUTO: exec.embed {{.*}} {kernel = "cpu.embed.q8_0"}
// AUTO: exec.rmsnorm_matmul {{.*}} {eps = {{.*}}, kernel = "cpu.rmsnorm_matmul.q8_0"}
// AUTO: exec.matmul_residual {{.*}} {kernel = "cpu.matmul_residual.q4_1"}
// AUTO: exec.rmsnorm_gate_up_silu {{.*}} {eps = {{.*}}, kernel = "cpu.rmsnorm_gate_up_silu.q8_0"}
// AUTO: exec.matmul_residual {{.*}} {kernel = "cpu.matmul_residual.q8_0"}
// AUTO: exec.final_norm_lm_head {{.*}} {eps = {{.*}}, kernel = "cpu.final_norm_lm_head.bf16", last_token_only}

// q4_0: every matrix q4_0, the embedding table (gather only) q8_0, norms f32.
// Q40-DAG: exec.weight @tok_embeddings.weight : [256, 64] q8_0, layout = x8
// Q40-DAG: exec.weight @layers.0.attention_norm.weight : [64] f32, layout = row_major
// Q40-DAG: exec.weight @layers.0.attention.wqkv.weight : [128, 64] q4_0, layout = x8
// Q40-DAG: exec.weight @layers.0.feed_forward.w2.weight : [64, 128] q4_0, layout = x8
// Q40-DAG: exec.weight @norm.weight : [64] f32, layout = row_major
// Q40-DAG: exec.weight @output.weight : [256, 64] q4_0, layout = x8
// Q40-LABEL: func.func @prefill
// Q40: exec.embed {{.*}} {kernel = "cpu.embed.q8_0"}
// Q40: exec.rmsnorm_matmul {{.*}} kernel = "cpu.rmsnorm_matmul.q4_0"
// Q40: exec.final_norm_lm_head {{.*}} kernel = "cpu.final_norm_lm_head.q4_0"

// f16: every matrix and the table f16, norms f32.
// F16-DAG: exec.weight @tok_embeddings.weight : [256, 64] f16, layout = row_major
// F16-DAG: exec.weight @layers.0.ffn_norm.weight : [64] f32, layout = row_major
// F16-DAG: exec.weight @layers.0.feed_forward.w13.weight : [256, 64] f16, layout = row_major
// F16-LABEL: func.func @prefill
// ROWS-DAG: exec.weight @tok_embeddings.weight : [256, 64] q8_0, layout = row_major
// ROWS-DAG: exec.weight @layers.0.attention.wo.weight : [64, 64] q4_1, layout = row_major
// ROWS-LABEL: func.func @prefill
// F16: exec.embed {{.*}} {kernel = "cpu.embed.f16"}
// F16: exec.rmsnorm_gate_up_silu {{.*}} kernel = "cpu.rmsnorm_gate_up_silu.f16"

module attributes {exec.target = #exec.target<cpu, formats = [f32, f16, bf16, q8_0, q4_0, q4_1]>} {
exec.weight @tok_embeddings.weight : [256, 64] q8_0, layout = row_major {source_dtype = "q8_0"}
exec.weight @layers.0.attention_norm.weight : [64] f32, layout = row_major {source_dtype = "f16"}
exec.weight @layers.0.attention.wqkv.weight : [128, 64] f32, layout = row_major {concat_of = [@layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight], source_dtypes = ["q4_1", "q4_1", "q6_k"]}
exec.weight @layers.0.attention.wo.weight : [64, 64] q4_1, layout = row_major {source_dtype = "q4_1"}
exec.weight @layers.0.ffn_norm.weight : [64] f32, layout = row_major {source_dtype = "f32"}
exec.weight @layers.0.feed_forward.w2.weight : [64, 128] f32, layout = row_major {source_dtype = "q4_k"}
exec.weight @layers.0.feed_forward.w13.weight : [256, 64] f32, layout = row_major {concat_of = [@layers.0.feed_forward.w1.weight, @layers.0.feed_forward.w3.weight], source_dtypes = ["q5_k", "q5_k"]}
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
