// RUN: lac-opt %s --cse --canonicalize | FileCheck %s
// REQUIRES: compiler

// Pure llama ops are CSE'd and dropped when unused; attention writes the KV
// cache, so it stays.

llama.weight @w : tensor<32x32xf32>

// CHECK-LABEL: func.func @f
func.func @f(%x: tensor<?x32xf32>, %p: tensor<?xi32>) -> tensor<?x32xf32> {
  // CHECK-COUNT-1: llama.linear
  // CHECK-NOT: llama.linear
  %a = llama.linear %x, @w : tensor<?x32xf32> -> tensor<?x32xf32>
  %b = llama.linear %x, @w : tensor<?x32xf32> -> tensor<?x32xf32>
  %unused = llama.linear %b, @w : tensor<?x32xf32> -> tensor<?x32xf32>
  %s = llama.add %a, %b : tensor<?x32xf32>
  %h = llama.split_heads %x : tensor<?x32xf32> -> tensor<?x2x16xf32>
  // CHECK-COUNT-2: llama.attention
  %att0 = llama.attention %h, %h, %h, %p {layer = 0 : i64, n_heads = 2 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x2x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x32xf32>
  %att1 = llama.attention %h, %h, %h, %p {layer = 0 : i64, n_heads = 2 : i64, n_kv_heads = 2 : i64, head_dim = 16 : i64} : tensor<?x2x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x32xf32>
  return %s : tensor<?x32xf32>
}
