// RUN: lac-opt %s --lac-fold-residual | FileCheck %s
// REQUIRES: compiler

// D = 64, F = 128.
llama.weight @n : tensor<128xf32>
llama.weight @wo : tensor<64x64xf32>
llama.weight @w2 : tensor<64x128xf32>

// Positive: residual on either side of the add.
// CHECK-LABEL: func.func @fold
// CHECK-SAME: (%[[A:.*]]: tensor<?x64xf32>, %[[H:.*]]: tensor<?x64xf32>, %[[S:.*]]: tensor<?x128xf32>)
// CHECK-NEXT: %[[H1:.*]] = llama.linear_residual %[[A]], @wo, %[[H]] : tensor<?x64xf32> -> tensor<?x64xf32>
// CHECK-NEXT: %[[H2:.*]] = llama.linear_residual %[[S]], @w2, %[[H1]] : tensor<?x128xf32> -> tensor<?x64xf32>
// CHECK-NEXT: return %[[H2]]
func.func @fold(%a: tensor<?x64xf32>, %h: tensor<?x64xf32>, %s: tensor<?x128xf32>) -> tensor<?x64xf32> {
  %o = llama.linear %a, @wo : tensor<?x64xf32> -> tensor<?x64xf32>
  %h1 = llama.add %h, %o : tensor<?x64xf32>
  %d = llama.linear %s, @w2 : tensor<?x128xf32> -> tensor<?x64xf32>
  %h2 = llama.add %d, %h1 : tensor<?x64xf32>
  return %h2 : tensor<?x64xf32>
}

// Negative: the linear has another user.
// CHECK-LABEL: func.func @linear_escapes
// CHECK-NOT: llama.linear_residual
// CHECK: llama.add
func.func @linear_escapes(%a: tensor<?x64xf32>, %h: tensor<?x64xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %o = llama.linear %a, @wo : tensor<?x64xf32> -> tensor<?x64xf32>
  %h1 = llama.add %h, %o : tensor<?x64xf32>
  return %h1, %o : tensor<?x64xf32>, tensor<?x64xf32>
}

// Negative: a linear with a norm prologue (linear_residual has none).
// CHECK-LABEL: func.func @prologue
// CHECK-NOT: llama.linear_residual
// CHECK: llama.add
func.func @prologue(%s: tensor<?x128xf32>, %h: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %d = llama.linear %s, @w2 {norm_weight = @n, norm_eps = 1.0e-05 : f32} : tensor<?x128xf32> -> tensor<?x64xf32>
  %h1 = llama.add %h, %d : tensor<?x64xf32>
  return %h1 : tensor<?x64xf32>
}

// Negative: no operand is a linear.
// CHECK-LABEL: func.func @plain_add
// CHECK: llama.add
func.func @plain_add(%a: tensor<?x64xf32>, %h: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %h1 = llama.add %h, %a : tensor<?x64xf32>
  return %h1 : tensor<?x64xf32>
}
