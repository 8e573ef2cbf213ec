// A memory-planned exec module for the tiny model's shapes (D = 64, H = 4,
// KV = 2, hd = 16, F = 192, V = 128256; 2 layers), layer 0 only: a fused prefill
// (T <= 16) and a less fused decode. Hand-written (the planner is not merged
// yet); shared by test/Emit/plan-json.mlir and compiler/emit/emit_test.cpp.
module attributes {
  exec.target = #exec.target<cpu, formats = [f32, bf16, q8_0]>,
  exec.cpu_features = ["avx2", "fma"],
  exec.kv_cache = #exec.kv_cache<layout = blhd, dtype = f32, n_layers = 2, n_kv_heads = 2, head_dim = 16, max_seq_len = 256, max_batch = 1>
} {

exec.weight @tok_embeddings.weight : [128256, 64] bf16, layout = row_major
exec.weight @layers.0.attention_norm.weight : [64] f32, layout = row_major {layer = 0 : i32}
exec.weight @layers.0.attention.wq.weight : [64, 64] bf16, layout = row_major {layer = 0 : i32}
exec.weight @layers.0.attention.wk.weight : [32, 64] bf16, layout = row_major {layer = 0 : i32}
exec.weight @layers.0.attention.wv.weight : [32, 64] bf16, layout = row_major {layer = 0 : i32}
exec.weight @layers.0.attention.wqkv.weight : [128, 64] bf16, layout = row_major {layer = 0 : i32, concat_of = [@layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight]}
exec.weight @layers.0.attention.wo.weight : [64, 64] bf16, layout = row_major {layer = 0 : i32}
exec.weight @layers.0.ffn_norm.weight : [64] f32, layout = row_major {layer = 0 : i32}
exec.weight @layers.0.feed_forward.w13.weight : [384, 64] bf16, layout = row_major {layer = 0 : i32, concat_of = [@layers.0.feed_forward.w1.weight, @layers.0.feed_forward.w3.weight]}
exec.weight @layers.0.feed_forward.w2.weight : [64, 192] bf16, layout = row_major {layer = 0 : i32}
exec.weight @norm.weight : [64] f32, layout = row_major
exec.weight @output.weight : [128256, 64] bf16, layout = row_major

// Arena: tokens @0, positions @64, h/h1/h2 @128 (in place), qkv [16, 128]
// @4224, att @12416, ff @4224 (qkv is dead), logits @16512.
func.func @prefill(%tokens: !exec.buf<?xi32, offset = 0>, %pos: !exec.buf<?xi32, offset = 64>) -> !exec.buf<1x128256xf32, offset = 16512>
    attributes {exec.arena_bytes = 529536 : i64, exec.max_tokens = 16 : i64} {
  %h = exec.embed @tok_embeddings.weight[%tokens] {kernel = "generic"} : !exec.buf<?xi32, offset = 0> -> !exec.buf<?x64xf32, offset = 128>
  %qkv = exec.rmsnorm_matmul %h, @layers.0.attention_norm.weight, @layers.0.attention.wqkv.weight {eps = 1.0e-05 : f32, kernel = "avx2_bf16"} : !exec.buf<?x64xf32, offset = 128> -> !exec.buf<?x128xf32, offset = 4224>
  %att = exec.rope_kv_attention %qkv positions %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 500000.0 : f32, rope_factor = 8.0 : f32, rope_low_freq_factor = 1.0 : f32, rope_high_freq_factor = 4.0 : f32, rope_original_max_position = 8192 : i64, kernel = "generic"} : (!exec.buf<?x128xf32, offset = 4224>, !exec.buf<?xi32, offset = 64>) -> !exec.buf<?x64xf32, offset = 12416>
  %h1 = exec.matmul_residual %att, @layers.0.attention.wo.weight, %h {kernel = "avx2_bf16"} : !exec.buf<?x64xf32, offset = 12416>, !exec.buf<?x64xf32, offset = 128> -> !exec.buf<?x64xf32, offset = 128>
  %ff = exec.rmsnorm_gate_up_silu %h1, @layers.0.ffn_norm.weight, @layers.0.feed_forward.w13.weight {eps = 1.0e-05 : f32, kernel = "avx2_bf16"} : !exec.buf<?x64xf32, offset = 128> -> !exec.buf<?x192xf32, offset = 4224>
  %h2 = exec.matmul_residual %ff, @layers.0.feed_forward.w2.weight, %h1 {kernel = "avx2_bf16"} : !exec.buf<?x192xf32, offset = 4224>, !exec.buf<?x64xf32, offset = 128> -> !exec.buf<?x64xf32, offset = 128>
  %logits = exec.final_norm_lm_head %h2, @norm.weight, @output.weight {eps = 1.0e-05 : f32, last_token_only, kernel = "avx2_bf16"} : !exec.buf<?x64xf32, offset = 128> -> !exec.buf<1x128256xf32, offset = 16512>
  return %logits : !exec.buf<1x128256xf32, offset = 16512>
}

// Arena: tokens @0, positions @64, h/h1/h2 @128, n @384, q @640, k @896,
// v @1024, att @1152, o @1408, ff @384, nf @1152, logits @1408.
func.func @decode(%tokens: !exec.buf<1xi32, offset = 0>, %pos: !exec.buf<1xi32, offset = 64>) -> !exec.buf<1x128256xf32, offset = 1408>
    attributes {exec.arena_bytes = 514432 : i64} {
  %h = exec.embed @tok_embeddings.weight[%tokens] {kernel = "generic"} : !exec.buf<1xi32, offset = 0> -> !exec.buf<1x64xf32, offset = 128>
  %n = exec.rmsnorm %h, @layers.0.attention_norm.weight {eps = 1.0e-05 : f32, kernel = "generic"} : !exec.buf<1x64xf32, offset = 128> -> !exec.buf<1x64xf32, offset = 384>
  %q = exec.matmul %n, @layers.0.attention.wq.weight {kernel = "generic"} : !exec.buf<1x64xf32, offset = 384> -> !exec.buf<1x64xf32, offset = 640>
  %k = exec.matmul %n, @layers.0.attention.wk.weight {kernel = "generic"} : !exec.buf<1x64xf32, offset = 384> -> !exec.buf<1x32xf32, offset = 896>
  %v = exec.matmul %n, @layers.0.attention.wv.weight {kernel = "generic"} : !exec.buf<1x64xf32, offset = 384> -> !exec.buf<1x32xf32, offset = 1024>
  %att = exec.rope_kv_attention %q, %k, %v positions %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 500000.0 : f32, kernel = "generic"} : (!exec.buf<1x64xf32, offset = 640>, !exec.buf<1x32xf32, offset = 896>, !exec.buf<1x32xf32, offset = 1024>, !exec.buf<1xi32, offset = 64>) -> !exec.buf<1x64xf32, offset = 1152>
  %o = exec.matmul %att, @layers.0.attention.wo.weight {kernel = "generic"} : !exec.buf<1x64xf32, offset = 1152> -> !exec.buf<1x64xf32, offset = 1408>
  %h1 = exec.add %h, %o {kernel = "generic"} : !exec.buf<1x64xf32, offset = 128>, !exec.buf<1x64xf32, offset = 1408> -> !exec.buf<1x64xf32, offset = 128>
  %ff = exec.rmsnorm_gate_up_silu %h1, @layers.0.ffn_norm.weight, @layers.0.feed_forward.w13.weight {eps = 1.0e-05 : f32, kernel = "generic"} : !exec.buf<1x64xf32, offset = 128> -> !exec.buf<1x192xf32, offset = 384>
  %h2 = exec.matmul_residual %ff, @layers.0.feed_forward.w2.weight, %h1 {kernel = "generic"} : !exec.buf<1x192xf32, offset = 384>, !exec.buf<1x64xf32, offset = 128> -> !exec.buf<1x64xf32, offset = 128>
  %nf = exec.rmsnorm %h2, @norm.weight {eps = 1.0e-05 : f32, kernel = "generic"} : !exec.buf<1x64xf32, offset = 128> -> !exec.buf<1x64xf32, offset = 1152>
  %logits = exec.matmul %nf, @output.weight {kernel = "generic", last_token_only} : !exec.buf<1x64xf32, offset = 1152> -> !exec.buf<1x128256xf32, offset = 1408>
  return %logits : !exec.buf<1x128256xf32, offset = 1408>
}

}
