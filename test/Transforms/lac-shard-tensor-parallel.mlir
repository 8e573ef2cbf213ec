// RUN: lac-opt %s --lac-shard-tensor-parallel=ranks=2 | FileCheck %s
// RUN: lac-opt %s --lac-shard-tensor-parallel=ranks=1 | FileCheck %s --check-prefix=ONE
// RUN: not lac-opt %s --lac-shard-tensor-parallel=ranks=3 2>&1 | FileCheck %s --check-prefix=THREE
// REQUIRES: compiler

// One rank of two: whole heads and ffn columns per rank (qkv, gate/up and the
// lm_head split by rows), wo and w2 by columns with an all_reduce before the
// residual add, the tied lm_head given its own copy of the table's rows and
// split by vocab with an all_gather; the embedding table and norms whole.

// CHECK: module attributes {{{.*}}exec.tensor_parallel = 2 : i64}
// CHECK-DAG: exec.weight @tok_embeddings.weight : [256, 64] f32, layout = row_major{{$}}
// CHECK-DAG: exec.weight @tok_embeddings.weight.lm_head : [128, 64] f32, layout = row_major {concat_of = [@tok_embeddings.weight], tp_axis = 0 : i64}
// CHECK-DAG: exec.weight @attn_norm : [64] f32, layout = row_major{{$}}
// CHECK-DAG: exec.weight @wqkv : [64, 64] f32, layout = row_major {concat_of = [@wq, @wk, @wv], tp_axis = 0 : i64}
// CHECK-DAG: exec.weight @wo : [64, 32] f32, layout = row_major {tp_axis = 1 : i64}
// CHECK-DAG: exec.weight @w13 : [128, 64] f32, layout = row_major {concat_of = [@w1, @w3], tp_axis = 0 : i64}
// CHECK-DAG: exec.weight @w2 : [64, 64] f32, layout = row_major {tp_axis = 1 : i64}
// CHECK-LABEL: func.func @prefill
// CHECK: %[[X:.*]] = exec.embed @tok_embeddings.weight
// CHECK: %[[QKV:.*]] = exec.rmsnorm_matmul %[[X]], @attn_norm, @wqkv {{.*}} -> !exec.buf<?x64xf32>
// CHECK: %[[O:.*]] = exec.rope_kv_attention %[[QKV]] {{.*}}n_heads = 2 : i64, n_kv_heads = 1 : i64{{.*}} -> !exec.buf<?x32xf32>
// CHECK: %[[P:.*]] = exec.matmul %[[O]], @wo {kernel = "cpu.matmul.f32"} : !exec.buf<?x32xf32> -> !exec.buf<?x64xf32>
// CHECK: %[[S:.*]] = exec.all_reduce %[[P]] {kernel = "cpu.all_reduce"}
// CHECK: %[[H:.*]] = exec.add %[[X]], %[[S]]
// CHECK: %[[G:.*]] = exec.rmsnorm_gate_up_silu %[[H]], @ffn_norm, @w13 {{.*}} -> !exec.buf<?x64xf32>
// CHECK: %[[P2:.*]] = exec.matmul %[[G]], @w2
// CHECK: %[[S2:.*]] = exec.all_reduce %[[P2]]
// CHECK: %[[H2:.*]] = exec.add %[[H]], %[[S2]]
// CHECK: %[[L:.*]] = exec.final_norm_lm_head %[[H2]], @norm, @tok_embeddings.weight.lm_head {{.*}} -> !exec.buf<1x128xf32>
// CHECK: %[[ALL:.*]] = exec.all_gather %[[L]] {kernel = "cpu.all_gather", ranks = 2 : i64} : !exec.buf<1x128xf32> -> !exec.buf<1x256xf32>
// CHECK: return %[[ALL]]

// ONE-NOT: tensor_parallel
// ONE-NOT: all_reduce
// ONE: exec.matmul_residual

// THREE: 'exec.rope_kv_attention' op cannot be split over 3 tensor-parallel ranks: n_heads (4) is not a multiple of the rank count

module attributes {exec.target = #exec.target<cpu, formats = [f32, f16, bf16, q8_0, q4_0, q4_1]>} {
  exec.weight @tok_embeddings.weight : [256, 64] f32, layout = row_major
  exec.weight @attn_norm : [64] f32, layout = row_major
  exec.weight @wqkv : [128, 64] f32, layout = row_major {concat_of = [@wq, @wk, @wv]}
  exec.weight @wo : [64, 64] f32, layout = row_major
  exec.weight @ffn_norm : [64] f32, layout = row_major
  exec.weight @w13 : [256, 64] f32, layout = row_major {concat_of = [@w1, @w3]}
  exec.weight @w2 : [64, 128] f32, layout = row_major
  exec.weight @norm : [64] f32, layout = row_major
  func.func @prefill(%tok: !exec.buf<?xi32>, %pos: !exec.buf<?xi32>) -> !exec.buf<1x256xf32> {
    %0 = exec.embed @tok_embeddings.weight[%tok] {kernel = "cpu.embed.f32"} : !exec.buf<?xi32> -> !exec.buf<?x64xf32>
    %1 = exec.rmsnorm_matmul %0, @attn_norm, @wqkv {eps = 1.0e-5 : f32, kernel = "cpu.rmsnorm_matmul.f32"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
    %2 = exec.rope_kv_attention %1 positions %pos {head_dim = 16 : i64, kernel = "cpu.rope_kv_attention", layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, rope_theta = 5.0e+05 : f32} : (!exec.buf<?x128xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
    %3 = exec.matmul_residual %2, @wo, %0 {kernel = "cpu.matmul_residual.f32"} : !exec.buf<?x64xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
    %4 = exec.rmsnorm_gate_up_silu %3, @ffn_norm, @w13 {eps = 1.0e-5 : f32, kernel = "cpu.rmsnorm_gate_up_silu.f32"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
    %5 = exec.matmul_residual %4, @w2, %3 {kernel = "cpu.matmul_residual.f32"} : !exec.buf<?x128xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
    %6 = exec.final_norm_lm_head %5, @norm, @tok_embeddings.weight {eps = 1.0e-5 : f32, kernel = "cpu.final_norm_lm_head.f32", last_token_only} : !exec.buf<?x64xf32> -> !exec.buf<1x256xf32>
    return %6 : !exec.buf<1x256xf32>
  }
}
