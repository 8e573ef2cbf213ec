// RUN: lac-opt %s -split-input-file -verify-diagnostics --lac-convert-llama-to-exec
// RUN: not lac-opt %s -split-input-file --lac-convert-llama-to-exec="target=tpu" 2>&1 | FileCheck %s --check-prefix=TARGET
// REQUIRES: compiler

// Inputs lac-convert-llama-to-exec refuses, each with a clear error.

// TARGET: unknown target 'tpu' (known: cpu, cuda)

// expected-error @+1 {{unknown source_dtype 'q3_k'}}
llama.weight @w : tensor<64x64xf32> {source_dtype = "q3_k"}

// -----

llama.weight @w : tensor<64x64xf32>
func.func @f(%x: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{needs rope: either a 'rope' attribute or q and k from llama.rope ops with the same parameters}}
  %a = llama.attention %x, %k, %k, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// -----

func.func @f(%x: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %pos: tensor<?xi32>) -> tensor<?x64xf32> {
  %qr = llama.rope %x, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<?x4x16xf32>, tensor<?xi32>
  // expected-error @+1 {{q or k is rotated twice}}
  %a = llama.attention %qr, %k, %k, %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope = #llama.rope<theta = 10000.0>} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}

// -----

func.func @f(%x: tensor<?x4x16xf32>, %pos: tensor<?xi32>) -> tensor<?x4x16xf32> {
  // expected-error @+1 {{can only be lowered when its result is an attention's q or k}}
  %qr = llama.rope %x, %pos {rope = #llama.rope<theta = 10000.0>} : tensor<?x4x16xf32>, tensor<?xi32>
  return %qr : tensor<?x4x16xf32>
}

// -----

// A fused qkv projection lowers to one buffer (columns q | k | v) that only
// rope_kv_attention can read.
llama.weight @n : tensor<64xf32>
llama.weight @wq : tensor<64x64xf32>
llama.weight @wk : tensor<32x64xf32>
llama.weight @wv : tensor<32x64xf32>
func.func @f(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %q, %k, %v = llama.qkv_linear %x, @wq, @wk, @wv {norm_weight = @n, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
  // expected-error @+1 {{reads one projection of a fused qkv_linear; exec can only feed those to attention}}
  %s = llama.add %q, %x : tensor<?x64xf32>
  return %s : tensor<?x64xf32>
}

// -----

// The kernel registry (runtime/schema/kernels.def) has no silu_mul: an
// unfused swiglu is refused at lowering, not later at emit.
llama.weight @w1 : tensor<128x64xf32>
llama.weight @w3 : tensor<128x64xf32>
func.func @f(%x: tensor<?x64xf32>) -> tensor<?x128xf32> {
  // expected-error @+1 {{target 'cpu' has no kernel for this op}}
  %s = llama.swiglu_linear %x, @w1, @w3 : tensor<?x64xf32> -> tensor<?x128xf32>
  return %s : tensor<?x128xf32>
}
