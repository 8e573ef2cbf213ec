// RUN: lac-opt %s | lac-opt | FileCheck %s
// RUN: lac-opt %s --mlir-print-op-generic | lac-opt | FileCheck %s
// REQUIRES: compiler

// A one-layer model (D = 64, H = 4, KV = 2, hd = 16, F = 128, V = 256),
// first unfused, then in the fused forms the fusion passes produce.

// CHECK: llama.weight @tok_embeddings.weight : tensor<256x64xf32>
// CHECK: llama.weight @layers.0.attention.wk.weight : tensor<32x64xf32>
llama.weight @tok_embeddings.weight : tensor<256x64xf32>
llama.weight @layers.0.attention_norm.weight : tensor<64xf32>
llama.weight @layers.0.attention.wq.weight : tensor<64x64xf32>
llama.weight @layers.0.attention.wk.weight : tensor<32x64xf32>
llama.weight @layers.0.attention.wv.weight : tensor<32x64xf32>
llama.weight @layers.0.attention.wo.weight : tensor<64x64xf32>
llama.weight @layers.0.ffn_norm.weight : tensor<64xf32>
llama.weight @layers.0.feed_forward.w1.weight : tensor<128x64xf32>
llama.weight @layers.0.feed_forward.w2.weight : tensor<64x128xf32>
llama.weight @layers.0.feed_forward.w3.weight : tensor<128x64xf32>
llama.weight @norm.weight : tensor<64xf32>
llama.weight @output.weight : tensor<256x64xf32>

// CHECK-LABEL: func.func @unfused
// CHECK-SAME: (%[[TOK:.*]]: tensor<?xi32>, %[[POS:.*]]: tensor<?xi32>) -> tensor<?x256xf32>
func.func @unfused(%tokens: tensor<?xi32>, %pos: tensor<?xi32>) -> tensor<?x256xf32> {
  // CHECK: %[[H:.*]] = llama.embedding @tok_embeddings.weight[%[[TOK]]] : tensor<?xi32> -> tensor<?x64xf32>
  %h = llama.embedding @tok_embeddings.weight[%tokens] : tensor<?xi32> -> tensor<?x64xf32>
  // CHECK: %[[N:.*]] = llama.rms_norm %[[H]], @layers.0.attention_norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
  %n = llama.rms_norm %h, @layers.0.attention_norm.weight {eps = 1.0e-05 : f32} : tensor<?x64xf32>
  // CHECK: %[[Q:.*]] = llama.linear %[[N]], @layers.0.attention.wq.weight : tensor<?x64xf32> -> tensor<?x64xf32>
  %q = llama.linear %n, @layers.0.attention.wq.weight : tensor<?x64xf32> -> tensor<?x64xf32>
  // CHECK: llama.linear %[[N]], @layers.0.attention.wk.weight : tensor<?x64xf32> -> tensor<?x32xf32>
  %k = llama.linear %n, @layers.0.attention.wk.weight : tensor<?x64xf32> -> tensor<?x32xf32>
  %v = llama.linear %n, @layers.0.attention.wv.weight : tensor<?x64xf32> -> tensor<?x32xf32>
  // CHECK: %[[QH:.*]] = llama.split_heads %[[Q]] : tensor<?x64xf32> -> tensor<?x4x16xf32>
  %qh = llama.split_heads %q : tensor<?x64xf32> -> tensor<?x4x16xf32>
  %kh = llama.split_heads %k : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %vh = llama.split_heads %v : tensor<?x32xf32> -> tensor<?x2x16xf32>
  // CHECK: %[[QR:.*]] = llama.rope %[[QH]], %[[POS]] {rope = #llama.rope<theta = 5.000000e+05, factor = 8.000000e+00, low_freq_factor = 1.000000e+00, high_freq_factor = 4.000000e+00, original_max_position = 8192>} : tensor<?x4x16xf32>, tensor<?xi32>
  %qr = llama.rope %qh, %pos {rope = #llama.rope<theta = 500000.0, factor = 8.0, low_freq_factor = 1.0, high_freq_factor = 4.0, original_max_position = 8192>} : tensor<?x4x16xf32>, tensor<?xi32>
  // CHECK: %[[KR:.*]] = llama.rope {{.*}} {rope = #llama.rope<theta = 1.000000e+04>} : tensor<?x2x16xf32>, tensor<?xi32>
  %kr = llama.rope %kh, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<?x2x16xf32>, tensor<?xi32>
  // CHECK: %[[ATT:.*]] = llama.attention %[[QR]], %[[KR]], %{{.*}}, %[[POS]] {head_dim = 16 : i64, layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  %att = llama.attention %qr, %kr, %vh, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  %o = llama.linear %att, @layers.0.attention.wo.weight : tensor<?x64xf32> -> tensor<?x64xf32>
  // CHECK: %[[H1:.*]] = llama.add %[[H]], %{{.*}} : tensor<?x64xf32>
  %h1 = llama.add %h, %o : tensor<?x64xf32>
  %n2 = llama.rms_norm %h1, @layers.0.ffn_norm.weight {eps = 1.0e-05 : f32} : tensor<?x64xf32>
  %g = llama.linear %n2, @layers.0.feed_forward.w1.weight : tensor<?x64xf32> -> tensor<?x128xf32>
  %u = llama.linear %n2, @layers.0.feed_forward.w3.weight : tensor<?x64xf32> -> tensor<?x128xf32>
  // CHECK: llama.swiglu %{{.*}}, %{{.*}} : tensor<?x128xf32>
  %s = llama.swiglu %g, %u : tensor<?x128xf32>
  %d = llama.linear %s, @layers.0.feed_forward.w2.weight : tensor<?x128xf32> -> tensor<?x64xf32>
  %h2 = llama.add %h1, %d : tensor<?x64xf32>
  %nf = llama.rms_norm %h2, @norm.weight {eps = 1.0e-05 : f32} : tensor<?x64xf32>
  // CHECK: llama.lm_head %{{.*}}, @output.weight : tensor<?x64xf32> -> tensor<?x256xf32>
  %logits = llama.lm_head %nf, @output.weight : tensor<?x64xf32> -> tensor<?x256xf32>
  return %logits : tensor<?x256xf32>
}

// CHECK-LABEL: func.func @fused
func.func @fused(%tokens: tensor<?xi32>, %pos: tensor<?xi32>) -> tensor<1x256xf32> {
  %h = llama.embedding @tok_embeddings.weight[%tokens] : tensor<?xi32> -> tensor<?x64xf32>
  // CHECK: %[[Q:.*]], %[[K:.*]], %[[V:.*]] = llama.qkv_linear %{{.*}}, @layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight {norm_eps = 9.99999974E-6 : f32, norm_weight = @layers.0.attention_norm.weight} : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
  %q, %k, %v = llama.qkv_linear %h, @layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight {norm_weight = @layers.0.attention_norm.weight, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
  %qh = llama.split_heads %q : tensor<?x64xf32> -> tensor<?x4x16xf32>
  %kh = llama.split_heads %k : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %vh = llama.split_heads %v : tensor<?x32xf32> -> tensor<?x2x16xf32>
  // CHECK: llama.attention {{.*}} {head_dim = 16 : i64, layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, rope = #llama.rope<theta = 1.000000e+04>}
  %att = llama.attention %qh, %kh, %vh, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope = #llama.rope<theta = 10000.0>} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  // CHECK: %[[H1:.*]] = llama.linear_residual %{{.*}}, @layers.0.attention.wo.weight, %{{.*}} : tensor<?x64xf32> -> tensor<?x64xf32>
  %h1 = llama.linear_residual %att, @layers.0.attention.wo.weight, %h : tensor<?x64xf32> -> tensor<?x64xf32>
  // CHECK: llama.swiglu_linear %[[H1]], @layers.0.feed_forward.w1.weight, @layers.0.feed_forward.w3.weight {norm_eps = 9.99999974E-6 : f32, norm_weight = @layers.0.ffn_norm.weight} : tensor<?x64xf32> -> tensor<?x128xf32>
  %s = llama.swiglu_linear %h1, @layers.0.feed_forward.w1.weight, @layers.0.feed_forward.w3.weight {norm_weight = @layers.0.ffn_norm.weight, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x128xf32>
  %h2 = llama.linear_residual %s, @layers.0.feed_forward.w2.weight, %h1 : tensor<?x128xf32> -> tensor<?x64xf32>
  // CHECK: llama.lm_head %{{.*}}, @output.weight {last_token_only, norm_eps = 9.99999974E-6 : f32, norm_weight = @norm.weight} : tensor<?x64xf32> -> tensor<1x256xf32>
  %logits = llama.lm_head %h2, @output.weight {last_token_only, norm_weight = @norm.weight, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<1x256xf32>
  return %logits : tensor<1x256xf32>
}

// Decode: one token, static shapes.
// CHECK-LABEL: func.func @decode_step
func.func @decode_step(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
  // CHECK: llama.linear %{{.*}}, @layers.0.attention.wq.weight : tensor<1x64xf32> -> tensor<1x64xf32>
  %q = llama.linear %x, @layers.0.attention.wq.weight : tensor<1x64xf32> -> tensor<1x64xf32>
  return %q : tensor<1x64xf32>
}
