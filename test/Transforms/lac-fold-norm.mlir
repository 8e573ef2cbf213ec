// RUN: lac-opt %s --lac-fold-norm | FileCheck %s
// REQUIRES: compiler

// D = 64, F = 128, V = 256.
llama.weight @n : tensor<64xf32>
llama.weight @n2 : tensor<64xf32>
llama.weight @w : tensor<64x64xf32>
llama.weight @w1 : tensor<128x64xf32>
llama.weight @w3 : tensor<128x64xf32>
llama.weight @wk : tensor<32x64xf32>
llama.weight @out : tensor<256x64xf32>

// Positive: every user of the norm is a linear-family op.
// CHECK-LABEL: func.func @fold_all_kinds
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>)
// CHECK-NOT: llama.rms_norm
// CHECK: llama.linear %[[X]], @w {norm_eps = 9.99999974E-6 : f32, norm_weight = @n}
// CHECK: llama.qkv_linear %[[X]], @w, @wk, @wk {norm_eps = 9.99999974E-6 : f32, norm_weight = @n}
// CHECK: llama.swiglu_linear %[[X]], @w1, @w3 {norm_eps = 9.99999974E-6 : f32, norm_weight = @n}
// CHECK: llama.lm_head %[[X]], @out {last_token_only, norm_eps = 9.99999974E-6 : f32, norm_weight = @n}
func.func @fold_all_kinds(%x: tensor<?x64xf32>) -> (tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x128xf32>, tensor<1x256xf32>) {
  %n = llama.rms_norm %x, @n {eps = 1.0e-05 : f32} : tensor<?x64xf32>
  %a = llama.linear %n, @w : tensor<?x64xf32> -> tensor<?x64xf32>
  %q, %k, %v = llama.qkv_linear %n, @w, @wk, @wk : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
  %s = llama.swiglu_linear %n, @w1, @w3 : tensor<?x64xf32> -> tensor<?x128xf32>
  %l = llama.lm_head %n, @out {last_token_only} : tensor<?x64xf32> -> tensor<1x256xf32>
  return %a, %k, %s, %l : tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x128xf32>, tensor<1x256xf32>
}

// Negative: one user (an add) cannot take the norm, so it stays for all.
// CHECK-LABEL: func.func @non_foldable_user
// CHECK: %[[N:.*]] = llama.rms_norm
// CHECK: llama.linear %[[N]], @w : tensor
// CHECK: llama.add %[[N]]
func.func @non_foldable_user(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %n = llama.rms_norm %x, @n {eps = 1.0e-05 : f32} : tensor<?x64xf32>
  %a = llama.linear %n, @w : tensor<?x64xf32> -> tensor<?x64xf32>
  %s = llama.add %n, %a : tensor<?x64xf32>
  return %s : tensor<?x64xf32>
}

// Negative: the norm is returned (a user outside the linear family).
// CHECK-LABEL: func.func @returned
// CHECK: llama.rms_norm
func.func @returned(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %n = llama.rms_norm %x, @n {eps = 1.0e-05 : f32} : tensor<?x64xf32>
  return %n : tensor<?x64xf32>
}

// Negative: the user already has a prologue (norm of a norm).
// CHECK-LABEL: func.func @user_has_prologue
// CHECK: %[[N:.*]] = llama.rms_norm
// CHECK: llama.linear %[[N]], @w {norm_eps = 9.99999974E-6 : f32, norm_weight = @n2}
func.func @user_has_prologue(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %n = llama.rms_norm %x, @n {eps = 1.0e-05 : f32} : tensor<?x64xf32>
  %a = llama.linear %n, @w {norm_weight = @n2, norm_eps = 1.0e-05 : f32} : tensor<?x64xf32> -> tensor<?x64xf32>
  return %a : tensor<?x64xf32>
}
