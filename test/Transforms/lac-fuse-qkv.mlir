// RUN: lac-opt %s --split-input-file --lac-fuse-qkv | FileCheck %s
// REQUIRES: compiler

// D = 64, H = 4, KV = 2, hd = 16.
llama.weight @n : tensor<64xf32>
llama.weight @wq : tensor<64x64xf32>
llama.weight @wk : tensor<32x64xf32>
llama.weight @wv : tensor<32x64xf32>

// Positive: the three projections of one input (q, k roped) become one op.
// CHECK-LABEL: func.func @fuse
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %[[POS:.*]]: tensor<?xi32>)
// CHECK: %[[Q:.*]], %[[K:.*]], %[[V:.*]] = llama.qkv_linear %[[X]], @wq, @wk, @wv : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
// CHECK-NOT: llama.linear
// CHECK: llama.split_heads %[[Q]]
// CHECK: llama.split_heads %[[K]]
// CHECK: llama.split_heads %[[V]]
// CHECK: llama.attention
func.func @fuse(%x: tensor<?x64xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %q = llama.linear %x, @wq : tensor<?x64xf32> -> tensor<?x64xf32>
  %k = llama.linear %x, @wk : tensor<?x64xf32> -> tensor<?x32xf32>
  %v = llama.linear %x, @wv : tensor<?x64xf32> -> tensor<?x32xf32>
  %qh = llama.split_heads %q : tensor<?x64xf32> -> tensor<?x4x16xf32>
  %kh = llama.split_heads %k : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %vh = llama.split_heads %v : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %qr = llama.rope %qh, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<?x4x16xf32>, tensor<?xi32>
  %kr = llama.rope %kh, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<?x2x16xf32>, tensor<?xi32>
  %a = llama.attention %qr, %kr, %vh, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// Positive: equal norm prologues carry over; rope already folded (no rope ops).
// CHECK-LABEL: func.func @fuse_with_prologue
// CHECK: llama.qkv_linear %{{.*}}, @wq, @wk, @wv {norm_eps = 9.99999974E-6 : f32, norm_weight = @n}
// CHECK-NOT: llama.linear
func.func @fuse_with_prologue(%x: tensor<?x64xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %q = llama.linear %x, @wq {norm_weight = @n, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x64xf32>
  %k = llama.linear %x, @wk {norm_weight = @n, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x32xf32>
  %v = llama.linear %x, @wv {norm_weight = @n, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x32xf32>
  %qh = llama.split_heads %q : tensor<?x64xf32> -> tensor<?x4x16xf32>
  %kh = llama.split_heads %k : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %vh = llama.split_heads %v : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %a = llama.attention %qh, %kh, %vh, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope = #llama.rope<theta = 10000.0>} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// -----

llama.weight @n : tensor<64xf32>
llama.weight @wq : tensor<64x64xf32>
llama.weight @wk : tensor<32x64xf32>
llama.weight @wv : tensor<32x64xf32>

// Negative: v projects another input.
// CHECK-LABEL: func.func @different_inputs
// CHECK-NOT: llama.qkv_linear
// CHECK-COUNT-3: llama.linear
func.func @different_inputs(%x: tensor<?x64xf32>, %y: tensor<?x64xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %q = llama.linear %x, @wq : tensor<?x64xf32> -> tensor<?x64xf32>
  %k = llama.linear %x, @wk : tensor<?x64xf32> -> tensor<?x32xf32>
  %v = llama.linear %y, @wv : tensor<?x64xf32> -> tensor<?x32xf32>
  %qh = llama.split_heads %q : tensor<?x64xf32> -> tensor<?x4x16xf32>
  %kh = llama.split_heads %k : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %vh = llama.split_heads %v : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %a = llama.attention %qh, %kh, %vh, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// Negative: only q has the norm prologue.
// CHECK-LABEL: func.func @different_prologues
// CHECK-NOT: llama.qkv_linear
// CHECK-COUNT-3: llama.linear
func.func @different_prologues(%x: tensor<?x64xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %q = llama.linear %x, @wq {norm_weight = @n, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x64xf32>
  %k = llama.linear %x, @wk : tensor<?x64xf32> -> tensor<?x32xf32>
  %v = llama.linear %x, @wv : tensor<?x64xf32> -> tensor<?x32xf32>
  %qh = llama.split_heads %q : tensor<?x64xf32> -> tensor<?x4x16xf32>
  %kh = llama.split_heads %k : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %vh = llama.split_heads %v : tensor<?x32xf32> -> tensor<?x2x16xf32>
  %a = llama.attention %qh, %kh, %vh, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// Negative: three linears of one input that do not feed one attention.
// CHECK-LABEL: func.func @no_attention
// CHECK-NOT: llama.qkv_linear
// CHECK-COUNT-3: llama.linear
func.func @no_attention(%x: tensor<?x64xf32>) -> (tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>) {
  %q = llama.linear %x, @wq : tensor<?x64xf32> -> tensor<?x64xf32>
  %k = llama.linear %x, @wk : tensor<?x64xf32> -> tensor<?x32xf32>
  %v = llama.linear %x, @wv : tensor<?x64xf32> -> tensor<?x32xf32>
  return %q, %k, %v : tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
}
