// RUN: lac-opt %s --lac-fold-rope | FileCheck %s
// REQUIRES: compiler

// H = 4, KV = 2, hd = 16.

// Positive: q and k roped with the same parameters at the attention's positions.
// CHECK-LABEL: func.func @fold
// CHECK-SAME: (%[[Q:.*]]: tensor<?x4x16xf32>, %[[K:.*]]: tensor<?x2x16xf32>, %[[V:.*]]: tensor<?x2x16xf32>, %[[POS:.*]]: tensor<?xi32>)
// CHECK-NOT: llama.rope
// CHECK: llama.attention %[[Q]], %[[K]], %[[V]], %[[POS]] {head_dim = 16 : i64, layer = 3 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, rope = #llama.rope<theta = 5.000000e+05, factor = 8.000000e+00, low_freq_factor = 1.000000e+00, high_freq_factor = 4.000000e+00, original_max_position = 8192>}
func.func @fold(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %v: tensor<?x2x16xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %qr = llama.rope %q, %pos {rope = #llama.rope<theta = 500000.0, factor = 8.0, low_freq_factor = 1.0, high_freq_factor = 4.0, original_max_position = 8192>} : tensor<?x4x16xf32>, tensor<?xi32>
  %kr = llama.rope %k, %pos {rope = #llama.rope<theta = 500000.0, factor = 8.0, low_freq_factor = 1.0, high_freq_factor = 4.0, original_max_position = 8192>} : tensor<?x2x16xf32>, tensor<?xi32>
  %a = llama.attention %qr, %kr, %v, %pos {layer = 3 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// Negative: only q is roped.
// CHECK-LABEL: func.func @only_q
// CHECK: llama.rope
// CHECK: llama.attention
// CHECK-NOT: rope =
// CHECK-SAME: -> tensor<?x64xf32>
func.func @only_q(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %v: tensor<?x2x16xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %qr = llama.rope %q, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<?x4x16xf32>, tensor<?xi32>
  %a = llama.attention %qr, %k, %v, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// Negative: different rope parameters on q and k.
// CHECK-LABEL: func.func @different_params
// CHECK-COUNT-2: llama.rope
func.func @different_params(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %v: tensor<?x2x16xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %qr = llama.rope %q, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<?x4x16xf32>, tensor<?xi32>
  %kr = llama.rope %k, %pos {rope = #llama.rope<theta = 500000.0>} : tensor<?x2x16xf32>, tensor<?xi32>
  %a = llama.attention %qr, %kr, %v, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// Negative: the ropes use other positions than the attention.
// CHECK-LABEL: func.func @other_positions
// CHECK-COUNT-2: llama.rope
func.func @other_positions(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %v: tensor<?x2x16xf32>, %pos: tensor<?xi32>, %pos2: tensor<?xi32>) -> tensor<?x64xf32> {
  %qr = llama.rope %q, %pos2 {rope = #llama.rope<theta = 10000.0>} : tensor<?x4x16xf32>, tensor<?xi32>
  %kr = llama.rope %k, %pos2 {rope = #llama.rope<theta = 10000.0>} : tensor<?x2x16xf32>, tensor<?xi32>
  %a = llama.attention %qr, %kr, %v, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// Negative: the roped k is also returned.
// CHECK-LABEL: func.func @rope_escapes
// CHECK-COUNT-2: llama.rope
func.func @rope_escapes(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %v: tensor<?x2x16xf32>, %pos: tensor<?xi32>) -> (tensor<?x64xf32>, tensor<?x2x16xf32>) {
  %qr = llama.rope %q, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<?x4x16xf32>, tensor<?xi32>
  %kr = llama.rope %k, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<?x2x16xf32>, tensor<?xi32>
  %a = llama.attention %qr, %kr, %v, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a, %kr : tensor<?x64xf32>, tensor<?x2x16xf32>
}
