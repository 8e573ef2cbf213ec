// RUN: lac-opt %S/Inputs/two-layer.mlir | FileCheck %s
// REQUIRES: compiler

// Inputs/two-layer.mlir is buildLlamaModule's output for a synthetic 2-layer
// spec (compiler/build/build_test.cpp keeps it in sync). It parses and
// verifies, and each layer has the unfused op sequence:

// CHECK: llama.weight @tok_embeddings.weight : tensor<256x64xf32>
// CHECK: llama.weight @output.weight : tensor<256x64xf32>
// CHECK-LABEL: func.func @prefill
// CHECK-SAME: (%[[TOK:.*]]: tensor<?xi32>, %[[POS:.*]]: tensor<?xi32>) -> tensor<1x256xf32>
// CHECK-NEXT: %[[H:.*]] = llama.embedding @tok_embeddings.weight[%[[TOK]]] : tensor<?xi32> -> tensor<?x64xf32>
// CHECK-NEXT: %[[N:.*]] = llama.rms_norm %[[H]], @layers.0.attention_norm.weight
// CHECK-NEXT: %[[Q:.*]] = llama.linear %[[N]], @layers.0.attention.wq.weight : tensor<?x64xf32> -> tensor<?x64xf32>
// CHECK-NEXT: %[[K:.*]] = llama.linear %[[N]], @layers.0.attention.wk.weight : tensor<?x64xf32> -> tensor<?x32xf32>
// CHECK-NEXT: %[[V:.*]] = llama.linear %[[N]], @layers.0.attention.wv.weight
// CHECK-NEXT: %[[QH:.*]] = llama.split_heads %[[Q]] : tensor<?x64xf32> -> tensor<?x4x16xf32>
// CHECK-NEXT: %[[KH:.*]] = llama.split_heads %[[K]]
// CHECK-NEXT: %[[VH:.*]] = llama.split_heads %[[V]]
// CHECK-NEXT: %[[QR:.*]] = llama.rope %[[QH]], %[[POS]] {rope = #llama.rope<theta = 5.000000e+05>}
// CHECK-NEXT: %[[KR:.*]] = llama.rope %[[KH]], %[[POS]]
// CHECK-NEXT: %[[A:.*]] = llama.attention %[[QR]], %[[KR]], %[[VH]], %[[POS]] {head_dim = 16 : i64, layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64}
// CHECK-NEXT: %[[O:.*]] = llama.linear %[[A]], @layers.0.attention.wo.weight
// CHECK-NEXT: %[[H1:.*]] = llama.add %[[H]], %[[O]]
// CHECK-NEXT: %[[N2:.*]] = llama.rms_norm %[[H1]], @layers.0.ffn_norm.weight
// CHECK-NEXT: %[[G:.*]] = llama.linear %[[N2]], @layers.0.feed_forward.w1.weight : tensor<?x64xf32> -> tensor<?x128xf32>
// CHECK-NEXT: %[[U:.*]] = llama.linear %[[N2]], @layers.0.feed_forward.w3.weight
// CHECK-NEXT: %[[S:.*]] = llama.swiglu %[[G]], %[[U]]
// CHECK-NEXT: %[[D:.*]] = llama.linear %[[S]], @layers.0.feed_forward.w2.weight : tensor<?x128xf32> -> tensor<?x64xf32>
// CHECK-NEXT: %[[H2:.*]] = llama.add %[[H1]], %[[D]]
// CHECK-NEXT: llama.rms_norm %[[H2]], @layers.1.attention_norm.weight
// CHECK: llama.attention {{.*}} layer = 1 : i64
// CHECK: %[[F:.*]] = llama.rms_norm %{{.*}}, @norm.weight
// CHECK-NEXT: %[[L:.*]] = llama.lm_head %[[F]], @output.weight {last_token_only} : tensor<?x64xf32> -> tensor<1x256xf32>
// CHECK-NEXT: return %[[L]]
// Decode: a row per sequence ([?] tokens), each in the KV slot %slots names,
// logits for every row.
// CHECK-LABEL: func.func @decode
// CHECK-SAME: (%{{[a-z0-9]+}}: tensor<?xi32>, %[[DPOS:[a-z0-9]+]]: tensor<?xi32>, %[[SLOTS:[a-z0-9]+]]: tensor<?xi32>) -> tensor<?x256xf32>
// CHECK: llama.attention {{.*}}, %[[DPOS]] slots(%[[SLOTS]] : tensor<?xi32>) {{.*}} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
// CHECK: llama.lm_head %{{.*}}, @output.weight : tensor<?x64xf32> -> tensor<?x256xf32>
