// RUN: lac-opt %s --lac-fuse-gate-up | FileCheck %s
// REQUIRES: compiler

// D = 64, F = 128.
llama.weight @n : tensor<64xf32>
llama.weight @w1 : tensor<128x64xf32>
llama.weight @w3 : tensor<128x64xf32>

// Positive: gate and up projections of one input feeding swiglu.
// CHECK-LABEL: func.func @fuse
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>)
// CHECK-NEXT: %[[S:.*]] = llama.swiglu_linear %[[X]], @w1, @w3 : tensor<?x64xf32> -> tensor<?x128xf32>
// CHECK-NEXT: return %[[S]]
func.func @fuse(%x: tensor<?x64xf32>) -> tensor<?x128xf32> {
  %g = llama.linear %x, @w1 : tensor<?x64xf32> -> tensor<?x128xf32>
  %u = llama.linear %x, @w3 : tensor<?x64xf32> -> tensor<?x128xf32>
  %s = llama.swiglu %g, %u : tensor<?x128xf32>
  return %s : tensor<?x128xf32>
}

// Positive: a shared norm prologue carries over.
// CHECK-LABEL: func.func @fuse_with_prologue
// CHECK-NEXT: llama.swiglu_linear %{{.*}}, @w1, @w3 {norm_eps = 9.99999974E-6 : f32, norm_weight = @n}
func.func @fuse_with_prologue(%x: tensor<?x64xf32>) -> tensor<?x128xf32> {
  %g = llama.linear %x, @w1 {norm_weight = @n, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x128xf32>
  %u = llama.linear %x, @w3 {norm_weight = @n, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x128xf32>
  %s = llama.swiglu %g, %u : tensor<?x128xf32>
  return %s : tensor<?x128xf32>
}

// Negative: the gate projection has another user.
// CHECK-LABEL: func.func @gate_escapes
// CHECK-NOT: llama.swiglu_linear
// CHECK: llama.swiglu
func.func @gate_escapes(%x: tensor<?x64xf32>) -> (tensor<?x128xf32>, tensor<?x128xf32>) {
  %g = llama.linear %x, @w1 : tensor<?x64xf32> -> tensor<?x128xf32>
  %u = llama.linear %x, @w3 : tensor<?x64xf32> -> tensor<?x128xf32>
  %s = llama.swiglu %g, %u : tensor<?x128xf32>
  return %s, %g : tensor<?x128xf32>, tensor<?x128xf32>
}

// Negative: gate and up read different inputs.
// CHECK-LABEL: func.func @different_inputs
// CHECK-NOT: llama.swiglu_linear
// CHECK: llama.swiglu
func.func @different_inputs(%x: tensor<?x64xf32>, %y: tensor<?x64xf32>) -> tensor<?x128xf32> {
  %g = llama.linear %x, @w1 : tensor<?x64xf32> -> tensor<?x128xf32>
  %u = llama.linear %y, @w3 : tensor<?x64xf32> -> tensor<?x128xf32>
  %s = llama.swiglu %g, %u : tensor<?x128xf32>
  return %s : tensor<?x128xf32>
}

// Negative: up is not a linear.
// CHECK-LABEL: func.func @up_not_linear
// CHECK-NOT: llama.swiglu_linear
// CHECK: llama.swiglu
func.func @up_not_linear(%x: tensor<?x64xf32>, %u: tensor<?x128xf32>) -> tensor<?x128xf32> {
  %g = llama.linear %x, @w1 : tensor<?x64xf32> -> tensor<?x128xf32>
  %s = llama.swiglu %g, %u : tensor<?x128xf32>
  return %s : tensor<?x128xf32>
}
