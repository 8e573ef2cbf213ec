// RUN: lac-opt %s -split-input-file -verify-diagnostics
// REQUIRES: compiler

// One case per verifier rule of the exec dialect.

//===--- !exec.buf ---===//

// expected-error @+1 {{buffer rank must be 1 to 3, got 4}}
func.func @f(%x: !exec.buf<1x2x3x4xf32>) { return }

// -----

// expected-error @+1 {{buffer dimensions must be positive, got 0}}
func.func @f(%x: !exec.buf<0x64xf32>) { return }

// -----

// expected-error @+1 {{buffer element type must be f32, f16, bf16 or i32, got 'i8'}}
func.func @f(%x: !exec.buf<?x64xi8>) { return }

// -----

// expected-error @+1 {{buffer offset must be a non-negative multiple of 64, got 100}}
func.func @f(%x: !exec.buf<?x64xf32, offset = 100>) { return }

//===--- #exec.target and the exec.target attribute ---===//


// -----

// expected-error @+1 {{target lists format 'q4_1' twice}}
module attributes {exec.target = #exec.target<cpu, formats = [q4_1, f32, q4_1]>} {}

// -----

// expected-error @+1 {{'exec.target' must be an #exec.target, got 1 : i64}}
module attributes {exec.target = 1} {}

// -----

// expected-error @+1 {{unknown exec attribute 'exec.targets'}}
module attributes {exec.targets = #exec.target<cpu, formats = [f32]>} {}

//===--- exec.weight ---===//

// -----

// expected-error @+1 {{weights are vectors or matrices, got rank 3}}
exec.weight @w : [2, 2, 32] f32, layout = row_major

// -----

// expected-error @+1 {{weight dimensions must be positive, got [0, 64]}}
exec.weight @w : [0, 64] f32, layout = row_major

// -----

// expected-error @+1 {{unknown weight layout 'column_major' (row_major or x8)}}
exec.weight @w : [64, 64] f32, layout = column_major

// -----

// expected-error @+1 {{layout x8 is for q8_0, q4_0 and q4_1 weights, not f32}}
exec.weight @w : [64, 64] f32, layout = x8

// -----

// expected-error @+1 {{layout x8 needs a matrix whose rows are a multiple of 8, got [12, 64]}}
exec.weight @w : [12, 64] q4_1, layout = x8

// -----

// expected-error @+1 {{'exec.weight' op attribute 'layer' failed to satisfy constraint}}
exec.weight @w : [64, 64] f32, layout = row_major {layer = -1 : i32}

// -----

// expected-error @+1 {{format q4_1 needs a last dimension divisible by 32, got 48}}
exec.weight @w : [64, 48] q4_1, layout = row_major

// -----

module attributes {exec.target = #exec.target<cuda, formats = [f16, q4_0], min_cuda_arch = 80>} {
  // expected-error @+1 {{format q4_1 is not supported by target #exec.target<cuda, formats = [f16, q4_0], min_cuda_arch = 80>}}
  exec.weight @w : [64, 64] q4_1, layout = row_major
}

// -----

// expected-error @+1 {{unknown weight format 'q4_k'}}
exec.weight @w : [64, 64] q4_k, layout = row_major

//===--- common kernel rules ---===//

// -----

func.func @f(%a: !exec.buf<?x64xf32>) {
  // expected-error @+1 {{'kernel' must name a kernel variant}}
  %0 = exec.add %a, %a {kernel = ""} : !exec.buf<?x64xf32>, !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%a: !exec.buf<?x64xi32>) {
  // expected-error @+1 {{activations must be [T, features] float buffers, got '!exec.buf<?x64xi32>'}}
  %0 = exec.add %a, %a {kernel = "generic"} : !exec.buf<?x64xi32>, !exec.buf<?x64xi32> -> !exec.buf<?x64xi32>
  return
}

// -----

func.func @f(%a: !exec.buf<?x64xf32>, %b: !exec.buf<?x64xf16>) {
  // expected-error @+1 {{activations must share one element type, got 'f32' and 'f16'}}
  %0 = exec.add %a, %b {kernel = "generic"} : !exec.buf<?x64xf32>, !exec.buf<?x64xf16> -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%a: !exec.buf<4x64xf32>, %b: !exec.buf<5x64xf32>) {
  // expected-error @+1 {{token dimensions disagree: 4 vs 5}}
  %0 = exec.add %a, %b {kernel = "generic"} : !exec.buf<4x64xf32>, !exec.buf<5x64xf32> -> !exec.buf<4x64xf32>
  return
}

// -----

func.func @f(%a: !exec.buf<?x?xf32>) {
  // expected-error @+1 {{feature dimensions must be static}}
  %0 = exec.silu_mul %a, %a {kernel = "generic"} : !exec.buf<?x?xf32>, !exec.buf<?x?xf32> -> !exec.buf<?x?xf32>
  return
}

// -----

func.func @f(%a: !exec.buf<?x64xf32>, %b: !exec.buf<?x32xf32>) {
  // expected-error @+1 {{operands and result must have one shape and element type}}
  %0 = exec.silu_mul %a, %b {kernel = "generic"} : !exec.buf<?x64xf32>, !exec.buf<?x32xf32> -> !exec.buf<?x64xf32>
  return
}

//===--- weight symbol uses ---===//

// -----

func.func @f(%x: !exec.buf<?x64xf32>) {
  // expected-error @+1 {{weight @missing does not name an exec.weight}}
  %0 = exec.matmul %x, @missing {kernel = "generic"} : !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  return
}

// -----

exec.weight @w : [128, 64] q4_1, layout = row_major
func.func @f(%x: !exec.buf<?x64xf32>) {
  // expected-error @+1 {{weight @w has shape [128, 64], expected [64, 64]}}
  %0 = exec.matmul %x, @w {kernel = "generic"} : !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  return
}

// -----

exec.weight @n : [64] q8_0, layout = row_major
func.func @f(%x: !exec.buf<?x64xf32>) {
  // expected-error @+1 {{weight @n must be stored as f32, got q8_0}}
  %0 = exec.rmsnorm %x, @n {eps = 1.0e-5 : f32, kernel = "generic"} : !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  return
}

//===--- embed, rmsnorm, matmul, matmul_residual ---===//

// -----

func.func @f(%t: !exec.buf<?xf32>) {
  // expected-error @+1 {{tokens must be a [T] i32 buffer, got '!exec.buf<?xf32>'}}
  %0 = exec.embed @tok[%t] {kernel = "generic"} : !exec.buf<?xf32> -> !exec.buf<?x64xf32>
  return
}

// -----

exec.weight @tok : [256, 32] q8_0, layout = row_major
func.func @f(%t: !exec.buf<?xi32>) {
  // expected-error @+1 {{table @tok has shape [256, 32], expected [?, 64]}}
  %0 = exec.embed @tok[%t] {kernel = "generic"} : !exec.buf<?xi32> -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%x: !exec.buf<?x64xf32>) {
  // expected-error @+1 {{'eps' must be positive}}
  %0 = exec.rmsnorm %x, @n {eps = 0.0 : f32, kernel = "generic"} : !exec.buf<?x64xf32> -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%x: !exec.buf<?x64xf32>) {
  // expected-error @+1 {{with 'last_token_only' the result has one row, got '!exec.buf<?x256xf32>'}}
  %0 = exec.matmul %x, @out {kernel = "generic", last_token_only} : !exec.buf<?x64xf32> -> !exec.buf<?x256xf32>
  return
}

// -----

func.func @f(%x: !exec.buf<?x128xf32>, %r: !exec.buf<?x64xf16>) {
  // expected-error @+1 {{activations must share one element type}}
  %0 = exec.matmul_residual %x, @w2, %r {kernel = "generic"} : !exec.buf<?x128xf32>, !exec.buf<?x64xf16> -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%x: !exec.buf<?x128xf32>, %r: !exec.buf<?x32xf32>) {
  // expected-error @+1 {{residual and result must have one shape and element type}}
  %0 = exec.matmul_residual %x, @w2, %r {kernel = "generic"} : !exec.buf<?x128xf32>, !exec.buf<?x32xf32> -> !exec.buf<?x64xf32>
  return
}

//===--- fused kernels ---===//

// -----

exec.weight @n : [64] f32, layout = row_major
exec.weight @wq : [64, 64] q4_1, layout = row_major
func.func @f(%x: !exec.buf<?x64xf32>) {
  // expected-error @+1 {{weight @wq has shape [64, 64], expected [128, 64]}}
  %0 = exec.rmsnorm_matmul %x, @n, @wq {eps = 1.0e-5 : f32, kernel = "generic"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  return
}

// -----

exec.weight @n : [64] f32, layout = row_major
exec.weight @w13 : [128, 64] q4_1, layout = row_major
func.func @f(%x: !exec.buf<?x64xf32>) {
  // expected-error @+1 {{gate_up @w13 has shape [128, 64], expected [256, 64]}}
  %0 = exec.rmsnorm_gate_up_silu %x, @n, @w13 {eps = 1.0e-5 : f32, kernel = "generic"} : !exec.buf<?x64xf32> -> !exec.buf<?x128xf32>
  return
}

// -----

// expected-error @+1 {{'concat_of' must list one or more weight names (@name)}}
exec.weight @w13 : [256, 64] q4_1, layout = row_major {concat_of = []}

// -----

// expected-error @+1 {{a fused weight ('concat_of') must be a matrix}}
exec.weight @v : [256] f32, layout = row_major {concat_of = [@a, @b]}

// -----

exec.weight @n : [32] f32, layout = row_major
exec.weight @out : [256, 64] q8_0, layout = row_major
func.func @f(%x: !exec.buf<?x64xf32>) {
  // expected-error @+1 {{norm_weight @n has shape [32], expected [64]}}
  %0 = exec.final_norm_lm_head %x, @n, @out {eps = 1.0e-5 : f32, kernel = "generic", last_token_only} : !exec.buf<?x64xf32> -> !exec.buf<1x256xf32>
  return
}

//===--- rope_kv_attention ---===//

// -----

func.func @f(%q: !exec.buf<?x64xf32>, %k: !exec.buf<?x32xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{'layer' must be non-negative, got -2}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = -2 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<?x64xf32>, !exec.buf<?x32xf32>, !exec.buf<?x32xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x64xf32>, %k: !exec.buf<?x32xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{n_heads, n_kv_heads and head_dim must be positive}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = 0 : i64, n_heads = 0 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<?x64xf32>, !exec.buf<?x32xf32>, !exec.buf<?x32xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x48xf32>, %k: !exec.buf<?x32xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{n_heads (3) must be a multiple of n_kv_heads (2)}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = 0 : i64, n_heads = 3 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<?x48xf32>, !exec.buf<?x32xf32>, !exec.buf<?x32xf32>, !exec.buf<?xi32>) -> !exec.buf<?x48xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x60xf32>, %k: !exec.buf<?x30xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{head_dim must be even, got 15}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 15 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<?x60xf32>, !exec.buf<?x30xf32>, !exec.buf<?x30xf32>, !exec.buf<?xi32>) -> !exec.buf<?x60xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x64xf32>, %k: !exec.buf<?x32xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{'rope_theta' must be positive}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = -1.0 : f32, kernel = "generic"} : (!exec.buf<?x64xf32>, !exec.buf<?x32xf32>, !exec.buf<?x32xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x64xf32>, %k: !exec.buf<?x32xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{rope scaling needs all of rope_factor, rope_low_freq_factor, rope_high_freq_factor and rope_original_max_position, or none}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 500000.0 : f32, rope_factor = 8.0 : f32, kernel = "generic"} : (!exec.buf<?x64xf32>, !exec.buf<?x32xf32>, !exec.buf<?x32xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x64xf32>, %k: !exec.buf<?x32xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{'rope_high_freq_factor' must exceed 'rope_low_freq_factor'}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 500000.0 : f32, rope_factor = 8.0 : f32, rope_low_freq_factor = 4.0 : f32, rope_high_freq_factor = 1.0 : f32, rope_original_max_position = 8192 : i64, kernel = "generic"} : (!exec.buf<?x64xf32>, !exec.buf<?x32xf32>, !exec.buf<?x32xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x64xf32>, %k: !exec.buf<?x32xf32>, %p: !exec.buf<?x1xi32>) {
  // expected-error @+1 {{positions must be a [T] i32 buffer}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<?x64xf32>, !exec.buf<?x32xf32>, !exec.buf<?x32xf32>, !exec.buf<?x1xi32>) -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<3x64xf32>, %k: !exec.buf<3x32xf32>, %p: !exec.buf<2xi32>) {
  // expected-error @+1 {{token dimensions disagree: 3 vs 2}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<3x64xf32>, !exec.buf<3x32xf32>, !exec.buf<3x32xf32>, !exec.buf<2xi32>) -> !exec.buf<3x64xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x64xf32>, %k: !exec.buf<?x32xf32>, %v: !exec.buf<?x64xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{k and v must have one shape and element type}}
  %0 = exec.rope_kv_attention %q, %k, %v positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<?x64xf32>, !exec.buf<?x32xf32>, !exec.buf<?x64xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x32xf32>, %k: !exec.buf<?x32xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{q and result must be [T, n_heads * head_dim = 64]}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<?x32xf32>, !exec.buf<?x32xf32>, !exec.buf<?x32xf32>, !exec.buf<?xi32>) -> !exec.buf<?x32xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x64xf32>, %k: !exec.buf<?x64xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{k and v must be [T, n_kv_heads * head_dim = 32]}}
  %0 = exec.rope_kv_attention %q, %k, %k positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<?x64xf32>, !exec.buf<?x64xf32>, !exec.buf<?x64xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  return
}

// -----

// Memory planning's attributes are checked too.
// expected-error @+1 {{'exec.arena_bytes' must be a non-negative integer}}
func.func @f() attributes {exec.arena_bytes = -64 : i64} {
  return
}

// -----

// expected-error @+1 {{'exec.kv_cache' must be an #exec.kv_cache, got 3 : i64}}
module attributes {exec.kv_cache = 3 : i64} {
}

// -----

// expected-error @+1 {{kv_cache dtype must be f32, f16 or bf16, got 'i8'}}
module attributes {exec.kv_cache = #exec.kv_cache<layout = blhd, dtype = i8, n_layers = 1, n_kv_heads = 2, head_dim = 16, max_seq_len = 4, max_batch = 1>} {
}

// -----

// expected-error @+1 {{kv_cache dimensions must be positive, got n_layers=1 n_kv_heads=2 head_dim=16 max_seq_len=0 max_batch=1}}
module attributes {exec.kv_cache = #exec.kv_cache<layout = blhd, dtype = f32, n_layers = 1, n_kv_heads = 2, head_dim = 16, max_seq_len = 0, max_batch = 1>} {
}

// -----

// expected-error @+1 {{a cpu target has no min_cuda_arch}}
module attributes {exec.target = #exec.target<cpu, formats = [f32], min_cuda_arch = 80>} {
}

// -----

// expected-error @+1 {{a cuda target needs min_cuda_arch (a compute capability such as 80 for sm_80), got 0}}
module attributes {exec.target = #exec.target<cuda, formats = [f32]>} {
}

// -----

func.func @f(%qkv: !exec.buf<?x96xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{qkv must be [T, (n_heads + 2 * n_kv_heads) * head_dim = 128]}}
  %0 = exec.rope_kv_attention %qkv positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<?x96xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  return
}

// -----

func.func @f(%q: !exec.buf<?x64xf32>, %p: !exec.buf<?xi32>) {
  // expected-error @+1 {{takes one fused qkv buffer or three (q, k, v), got 2}}
  %0 = exec.rope_kv_attention %q, %q positions %p {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "generic"} : (!exec.buf<?x64xf32>, !exec.buf<?x64xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  return
}
