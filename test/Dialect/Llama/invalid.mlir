// RUN: lac-opt %s -split-input-file -verify-diagnostics
// REQUIRES: compiler

// One case per verifier rule of the llama dialect.

//===--- llama.weight ---===//

// expected-error @+1 {{weight type must be a statically shaped tensor}}
llama.weight @w : tensor<?x64xf32>

// -----

// expected-error @+1 {{weights are vectors or matrices, got rank 3}}
llama.weight @w : tensor<2x2x2xf32>

// -----

// expected-error @+1 {{weight element type must be a float, got 'i32'}}
llama.weight @w : tensor<64xi32>

// -----

func.func @f() {
  // expected-error @+1 {{expects parent op 'builtin.module'}}
  llama.weight @w : tensor<64xf32>
  return
}

//===--- weight symbol uses ---===//

// -----

func.func @f(%t: tensor<?xi32>) {
  // expected-error @+1 {{table @missing does not name a llama.weight}}
  %0 = llama.embedding @missing[%t] : tensor<?xi32> -> tensor<?x64xf32>
  return
}

// -----

func.func @g() { return }
func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{weight @g does not name a llama.weight}}
  %0 = llama.linear %x, @g : tensor<?x64xf32> -> tensor<?x64xf32>
  return
}

// -----

llama.weight @tok : tensor<256x64xf32>
func.func @f(%t: tensor<?xi32>) {
  // expected-error @+1 {{table @tok has shape [256, 64], expected [256, 32]}}
  %0 = llama.embedding @tok[%t] : tensor<?xi32> -> tensor<?x32xf32>
  return
}

// -----

llama.weight @w : tensor<128x64xf32>
func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{weight @w has shape [128, 64], expected [64, 64]}}
  %0 = llama.linear %x, @w : tensor<?x64xf32> -> tensor<?x64xf32>
  return
}

// -----

llama.weight @w : tensor<64x64xf32>
func.func @f(%x: tensor<?x64xf16>) {
  // expected-error @+1 {{weight @w has element type 'f32', expected 'f16'}}
  %0 = llama.linear %x, @w : tensor<?x64xf16> -> tensor<?x64xf16>
  return
}

//===--- activations ---===//

// -----

func.func @f(%x: tensor<4x64xf32>) {
  // expected-error @+1 {{token dimensions disagree: 4 vs 5}}
  %0 = llama.linear %x, @w : tensor<4x64xf32> -> tensor<5x64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x?xf32>) {
  // expected-error @+1 {{feature dimensions must be static}}
  %0 = llama.linear %x, @w : tensor<?x?xf32> -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{operands and results must share one element type, got 'f32' and 'f16'}}
  %0 = llama.linear %x, @w : tensor<?x64xf32> -> tensor<?x64xf16>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{op result #0 must be 2D tensor of floating-point values}}
  %0 = llama.linear %x, @w : tensor<?x64xf32> -> tensor<?x64x1xf32>
  return
}

//===--- rms_norm and the norm prologue ---===//

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{'eps' must be positive}}
  %0 = llama.rms_norm %x, @n {eps = 0.0 : f32} : tensor<?x64xf32>
  return
}

// -----

llama.weight @n : tensor<32xf32>
func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{weight @n has shape [32], expected [64]}}
  %0 = llama.rms_norm %x, @n {eps = 1.0e-5 : f32} : tensor<?x64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{needs both 'norm_weight' and 'norm_eps', or neither}}
  %0 = llama.linear %x, @w {norm_weight = @n} : tensor<?x64xf32> -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{'norm_eps' must be positive}}
  %0 = llama.swiglu_linear %x, @w1, @w3 {norm_weight = @n, norm_eps = -1.0 : f32} : tensor<?x64xf32> -> tensor<?x128xf32>
  return
}

// -----

llama.weight @n : tensor<128xf32>
llama.weight @w : tensor<64x64xf32>
func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{norm_weight @n has shape [128], expected [64]}}
  %0 = llama.linear %x, @w {norm_weight = @n, norm_eps = 1.0e-5 : f32} : tensor<?x64xf32> -> tensor<?x64xf32>
  return
}

//===--- split_heads, rope ---===//

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{result heads x head_dim (4 x 8) must equal the input's last dimension 64}}
  %0 = llama.split_heads %x : tensor<?x64xf32> -> tensor<?x4x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x15xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{head_dim must be even, got 15}}
  %0 = llama.rope %x, %p {rope = #llama.rope<theta = 10000.0>} : tensor<?x4x15xf32>, tensor<?xi32>
  return
}

// -----

func.func @f(%x: tensor<5x4x16xf32>, %p: tensor<4xi32>) {
  // expected-error @+1 {{has 4 positions for 5 tokens}}
  %0 = llama.rope %x, %p {rope = #llama.rope<theta = 10000.0>} : tensor<5x4x16xf32>, tensor<4xi32>
  return
}

// -----

func.func @f(%x: tensor<?x4x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{rope theta must be positive}}
  %0 = llama.rope %x, %p {rope = #llama.rope<theta = 0.0>} : tensor<?x4x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @f(%x: tensor<?x4x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{rope high_freq_factor (1.000000e+00) must exceed low_freq_factor (4.000000e+00)}}
  %0 = llama.rope %x, %p {rope = #llama.rope<theta = 500000.0, factor = 8.0, low_freq_factor = 4.0, high_freq_factor = 1.0, original_max_position = 8192>} : tensor<?x4x16xf32>, tensor<?xi32>
  return
}

// -----

func.func @f(%x: tensor<?x4x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{rope original_max_position must be positive}}
  %0 = llama.rope %x, %p {rope = #llama.rope<theta = 500000.0, factor = 8.0, low_freq_factor = 1.0, high_freq_factor = 4.0, original_max_position = 0>} : tensor<?x4x16xf32>, tensor<?xi32>
  return
}

//===--- attention ---===//

// -----

func.func @f(%q: tensor<?x6x16xf32>, %k: tensor<?x4x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{n_heads (6) must be a multiple of n_kv_heads (4)}}
  %0 = llama.attention %q, %k, %k, %p {layer = 0 : i64, n_heads = 6 : i64, n_kv_heads = 4 : i64, head_dim = 16 : i64} : tensor<?x6x16xf32>, tensor<?x4x16xf32>, tensor<?xi32> -> tensor<?x96xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x15xf32>, %k: tensor<?x2x15xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{head_dim must be even, got 15}}
  %0 = llama.attention %q, %k, %k, %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 15 : i64} : tensor<?x4x15xf32>, tensor<?x2x15xf32>, tensor<?xi32> -> tensor<?x60xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{n_heads, n_kv_heads and head_dim must be positive}}
  %0 = llama.attention %q, %k, %k, %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 0 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{'layer' must be non-negative, got -1}}
  %0 = llama.attention %q, %k, %k, %p {layer = -1 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x4x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{k must be [T, 2, 16], got 'tensor<?x4x16xf32>'}}
  %0 = llama.attention %q, %k, %k, %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x4x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %p: tensor<?xi32>) {
  // expected-error @+1 {{result must be [T, n_heads * head_dim = 64]}}
  %0 = llama.attention %q, %k, %k, %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%q: tensor<3x4x16xf32>, %k: tensor<3x2x16xf32>, %p: tensor<2xi32>) {
  // expected-error @+1 {{has 2 positions for 3 tokens}}
  %0 = llama.attention %q, %k, %k, %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<3x4x16xf32>, tensor<3x2x16xf32>, tensor<2xi32> -> tensor<3x64xf32>
  return
}

// -----

func.func @f(%q: tensor<3x4x16xf32>, %k: tensor<3x2x16xf32>, %p: tensor<3xi32>, %s: tensor<2xi32>) {
  // expected-error @+1 {{has 2 slots for 3 rows}}
  %0 = llama.attention %q, %k, %k, %p slots(%s : tensor<2xi32>) {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<3x4x16xf32>, tensor<3x2x16xf32>, tensor<3xi32> -> tensor<3x64xf32>
  return
}

//===--- lm_head, fused ops, elementwise ---===//

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{with 'last_token_only' the result has one row}}
  %0 = llama.lm_head %x, @out {last_token_only} : tensor<?x64xf32> -> tensor<?x256xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{k and v must have one type}}
  %q, %k, %v = llama.qkv_linear %x, @wq, @wk, @wv : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x16xf32>
  return
}

// -----

llama.weight @wq : tensor<64x64xf32>
llama.weight @wk : tensor<16x64xf32>
llama.weight @wv : tensor<32x64xf32>
func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{wk @wk has shape [16, 64], expected [32, 64]}}
  %q, %k, %v = llama.qkv_linear %x, @wq, @wk, @wv : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
  return
}

// -----

llama.weight @w1 : tensor<128x64xf32>
llama.weight @w3 : tensor<64x64xf32>
func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{up_weight @w3 has shape [64, 64], expected [128, 64]}}
  %0 = llama.swiglu_linear %x, @w1, @w3 : tensor<?x64xf32> -> tensor<?x128xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %r: tensor<?x32xf32>) {
  // expected-error @+1 {{failed to verify that all of {residual, result} have same type}}
  %0 = "llama.linear_residual"(%x, %r) <{weight = @w}> : (tensor<?x64xf32>, tensor<?x32xf32>) -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%a: tensor<?x64xf32>, %b: tensor<?x64xf32>) {
  // expected-error @+1 {{failed to verify that all of {gate, up, result} have same type}}
  %0 = "llama.swiglu"(%a, %b) : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x32xf32>
  return
}
