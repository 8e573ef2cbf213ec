// RUN: lac-opt %S/../Build/Inputs/two-layer.mlir --lac-llama-fusions | FileCheck %s
// RUN: lac-opt %S/../Build/Inputs/two-layer.mlir --lac-llama-fusions | FileCheck %s --check-prefix=NONE
// REQUIRES: compiler

// The whole pipeline on buildLlamaModule's output (see test/Build/): every
// layer becomes qkv_linear{norm}, split_heads x3, attention{rope},
// linear_residual (wo), swiglu_linear{norm}, linear_residual (w2).

// CHECK-LABEL: func.func @prefill
// CHECK-SAME: (%[[TOK:.*]]: tensor<?xi32>, %[[POS:.*]]: tensor<?xi32>) -> tensor<1x256xf32>
// CHECK-NEXT: %[[H:.*]] = llama.embedding @tok_embeddings.weight[%[[TOK]]]
// CHECK-NEXT: %[[Q:.*]], %[[K:.*]], %[[V:.*]] = llama.qkv_linear %[[H]], @layers.0.attention.wq.weight, @layers.0.attention.wk.weight, @layers.0.attention.wv.weight {norm_eps = 9.99999974E-6 : f32, norm_weight = @layers.0.attention_norm.weight} : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
// CHECK-NEXT: %[[QH:.*]] = llama.split_heads %[[Q]] : tensor<?x64xf32> -> tensor<?x4x16xf32>
// CHECK-NEXT: %[[KH:.*]] = llama.split_heads %[[K]]
// CHECK-NEXT: %[[VH:.*]] = llama.split_heads %[[V]]
// CHECK-NEXT: %[[A:.*]] = llama.attention %[[QH]], %[[KH]], %[[VH]], %[[POS]] {head_dim = 16 : i64, layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64, rope = #llama.rope<theta = 5.000000e+05>}
// CHECK-NEXT: %[[H1:.*]] = llama.linear_residual %[[A]], @layers.0.attention.wo.weight, %[[H]] : tensor<?x64xf32> -> tensor<?x64xf32>
// CHECK-NEXT: %[[S:.*]] = llama.swiglu_linear %[[H1]], @layers.0.feed_forward.w1.weight, @layers.0.feed_forward.w3.weight {norm_eps = 9.99999974E-6 : f32, norm_weight = @layers.0.ffn_norm.weight} : tensor<?x64xf32> -> tensor<?x128xf32>
// CHECK-NEXT: %[[H2:.*]] = llama.linear_residual %[[S]], @layers.0.feed_forward.w2.weight, %[[H1]] : tensor<?x128xf32> -> tensor<?x64xf32>
// CHECK-NEXT: llama.qkv_linear %[[H2]], @layers.1.attention.wq.weight
// CHECK: llama.attention {{.*}} layer = 1 : i64, {{.*}} rope = #llama.rope<theta = 5.000000e+05>
// CHECK: %[[L:.*]] = llama.lm_head %{{.*}}, @output.weight {last_token_only, norm_eps = 9.99999974E-6 : f32, norm_weight = @norm.weight} : tensor<?x64xf32> -> tensor<1x256xf32>
// CHECK-NEXT: return %[[L]]
// CHECK-LABEL: func.func @decode
// CHECK: llama.qkv_linear {{.*}} : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
// CHECK: llama.lm_head %{{.*}}, @output.weight {norm_eps = 9.99999974E-6 : f32, norm_weight = @norm.weight} : tensor<?x64xf32> -> tensor<?x256xf32>

// Nothing unfused is left.
// NONE-NOT: llama.rms_norm
// NONE-NOT: llama.linear %
// NONE-NOT: llama.rope %
// NONE-NOT: llama.add
// NONE-NOT: llama.swiglu %
