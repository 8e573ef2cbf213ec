// RUN: lac-opt %s -split-input-file -verify-diagnostics --lac-plan-memory="max-seq-len=16"
// REQUIRES: compiler

// One KV cache shape for every layer.
func.func @prefill(%q: !exec.buf<?x64xf32>, %k: !exec.buf<?x32xf32>, %k2: !exec.buf<?x64xf32>, %pos: !exec.buf<?xi32>) -> !exec.buf<?x64xf32> {
  %a = exec.rope_kv_attention %q, %k, %k positions %pos {layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "cpu.rope_kv_attention"} : (!exec.buf<?x64xf32>, !exec.buf<?x32xf32>, !exec.buf<?x32xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  // expected-error @+1 {{every layer's KV cache must have one shape; got n_kv_heads=4 head_dim=16 after 2/16}}
  %b = exec.rope_kv_attention %a, %k2, %k2 positions %pos {layer = 1 : i64, n_heads = 4 : i64, n_kv_heads = 4 : i64, head_dim = 16 : i64, rope_theta = 10000.0 : f32, kernel = "cpu.rope_kv_attention"} : (!exec.buf<?x64xf32>, !exec.buf<?x64xf32>, !exec.buf<?x64xf32>, !exec.buf<?xi32>) -> !exec.buf<?x64xf32>
  return %b : !exec.buf<?x64xf32>
}
