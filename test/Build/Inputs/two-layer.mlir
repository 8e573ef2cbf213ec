// Printed by buildLlamaModule for a synthetic 2-layer spec (D = 64, H = 4,
// KV = 2, hd = 16, F = 128, V = 256, untied); compared by
// compiler/build/build_test.cpp (LAC_UPDATE_GOLDENS=1 rewrites it).
module {
  llama.weight @tok_embeddings.weight : tensor<256x64xf32> {source_dtype = "f32"}
  llama.weight @layers.0.attention_norm.weight : tensor<64xf32> {layer = 0 : i32, source_dtype = "f32"}
  llama.weight @layers.0.attention.wq.weight : tensor<64x64xf32> {layer = 0 : i32, source_dtype = "f32"}
  llama.weight @layers.0.attention.wk.weight : tensor<32x64xf32> {layer = 0 : i32, source_dtype = "f32"}
  llama.weight @layers.0.attention.wv.weight : tensor<32x64xf32> {layer = 0 : i32, source_dtype = "f32"}
  llama.weight @layers.0.attention.wo.weight : tensor<64x64xf32> {layer = 0 : i32, source_dtype = "f32"}
  llama.weight @layers.0.ffn_norm.weight : tensor<64xf32> {layer = 0 : i32, source_dtype = "f32"}
  llama.weight @layers.0.feed_forward.w1.weight : tensor<128x64xf32> {layer = 0 : i32, source_dtype = "f32"}
  llama.weight @layers.0.feed_forward.w2.weight : tensor<64x128xf32> {layer = 0 : i32, source_dtype = "f32"}
  llama.weight @layers.0.feed_forward.w3.weight : tensor<128x64xf32> {layer = 0 : i32, source_dtype = "f32"}
  llama.weight @layers.1.attention_norm.weight : tensor<64xf32> {layer = 1 : i32, source_dtype = "f32"}
  llama.weight @layers.1.attention.wq.weight : tensor<64x64xf32> {layer = 1 : i32, source_dtype = "f32"}
  llama.weight @layers.1.attention.wk.weight : tensor<32x64xf32> {layer = 1 : i32, source_dtype = "f32"}
  llama.weight @layers.1.attention.wv.weight : tensor<32x64xf32> {layer = 1 : i32, source_dtype = "f32"}
  llama.weight @layers.1.attention.wo.weight : tensor<64x64xf32> {layer = 1 : i32, source_dtype = "f32"}
  llama.weight @layers.1.ffn_norm.weight : tensor<64xf32> {layer = 1 : i32, source_dtype = "f32"}
  llama.weight @layers.1.feed_forward.w1.weight : tensor<128x64xf32> {layer = 1 : i32, source_dtype = "f32"}
  llama.weight @layers.1.feed_forward.w2.weight : tensor<64x128xf32> {layer = 1 : i32, source_dtype = "f32"}
  llama.weight @layers.1.feed_forward.w3.weight : tensor<128x64xf32> {layer = 1 : i32, source_dtype = "f32"}
  llama.weight @norm.weight : tensor<64xf32> {source_dtype = "f32"}
  llama.weight @output.weight : tensor<256x64xf32> {source_dtype = "f32"}
  func.func @prefill(%arg0: tensor<?xi32>, %arg1: tensor<?xi32>) -> tensor<1x256xf32> {
    %0 = llama.embedding @tok_embeddings.weight[%arg0] : tensor<?xi32> -> tensor<?x64xf32>
    %1 = llama.rms_norm %0, @layers.0.attention_norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
    %2 = llama.linear %1, @layers.0.attention.wq.weight : tensor<?x64xf32> -> tensor<?x64xf32>
    %3 = llama.linear %1, @layers.0.attention.wk.weight : tensor<?x64xf32> -> tensor<?x32xf32>
    %4 = llama.linear %1, @layers.0.attention.wv.weight : tensor<?x64xf32> -> tensor<?x32xf32>
    %5 = llama.split_heads %2 : tensor<?x64xf32> -> tensor<?x4x16xf32>
    %6 = llama.split_heads %3 : tensor<?x32xf32> -> tensor<?x2x16xf32>
    %7 = llama.split_heads %4 : tensor<?x32xf32> -> tensor<?x2x16xf32>
    %8 = llama.rope %5, %arg1 {rope = #llama.rope<theta = 5.000000e+05>} : tensor<?x4x16xf32>, tensor<?xi32>
    %9 = llama.rope %6, %arg1 {rope = #llama.rope<theta = 5.000000e+05>} : tensor<?x2x16xf32>, tensor<?xi32>
    %10 = llama.attention %8, %9, %7, %arg1 {head_dim = 16 : i64, layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
    %11 = llama.linear %10, @layers.0.attention.wo.weight : tensor<?x64xf32> -> tensor<?x64xf32>
    %12 = llama.add %0, %11 : tensor<?x64xf32>
    %13 = llama.rms_norm %12, @layers.0.ffn_norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
    %14 = llama.linear %13, @layers.0.feed_forward.w1.weight : tensor<?x64xf32> -> tensor<?x128xf32>
    %15 = llama.linear %13, @layers.0.feed_forward.w3.weight : tensor<?x64xf32> -> tensor<?x128xf32>
    %16 = llama.swiglu %14, %15 : tensor<?x128xf32>
    %17 = llama.linear %16, @layers.0.feed_forward.w2.weight : tensor<?x128xf32> -> tensor<?x64xf32>
    %18 = llama.add %12, %17 : tensor<?x64xf32>
    %19 = llama.rms_norm %18, @layers.1.attention_norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
    %20 = llama.linear %19, @layers.1.attention.wq.weight : tensor<?x64xf32> -> tensor<?x64xf32>
    %21 = llama.linear %19, @layers.1.attention.wk.weight : tensor<?x64xf32> -> tensor<?x32xf32>
    %22 = llama.linear %19, @layers.1.attention.wv.weight : tensor<?x64xf32> -> tensor<?x32xf32>
    %23 = llama.split_heads %20 : tensor<?x64xf32> -> tensor<?x4x16xf32>
    %24 = llama.split_heads %21 : tensor<?x32xf32> -> tensor<?x2x16xf32>
    %25 = llama.split_heads %22 : tensor<?x32xf32> -> tensor<?x2x16xf32>
    %26 = llama.rope %23, %arg1 {rope = #llama.rope<theta = 5.000000e+05>} : tensor<?x4x16xf32>, tensor<?xi32>
    %27 = llama.rope %24, %arg1 {rope = #llama.rope<theta = 5.000000e+05>} : tensor<?x2x16xf32>, tensor<?xi32>
    %28 = llama.attention %26, %27, %25, %arg1 {head_dim = 16 : i64, layer = 1 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
    %29 = llama.linear %28, @layers.1.attention.wo.weight : tensor<?x64xf32> -> tensor<?x64xf32>
    %30 = llama.add %18, %29 : tensor<?x64xf32>
    %31 = llama.rms_norm %30, @layers.1.ffn_norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
    %32 = llama.linear %31, @layers.1.feed_forward.w1.weight : tensor<?x64xf32> -> tensor<?x128xf32>
    %33 = llama.linear %31, @layers.1.feed_forward.w3.weight : tensor<?x64xf32> -> tensor<?x128xf32>
    %34 = llama.swiglu %32, %33 : tensor<?x128xf32>
    %35 = llama.linear %34, @layers.1.feed_forward.w2.weight : tensor<?x128xf32> -> tensor<?x64xf32>
    %36 = llama.add %30, %35 : tensor<?x64xf32>
    %37 = llama.rms_norm %36, @norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
    %38 = llama.lm_head %37, @output.weight {last_token_only} : tensor<?x64xf32> -> tensor<1x256xf32>
    return %38 : tensor<1x256xf32>
  }
  func.func @decode(%arg0: tensor<?xi32>, %arg1: tensor<?xi32>, %arg2: tensor<?xi32>) -> tensor<?x256xf32> {
    %0 = llama.embedding @tok_embeddings.weight[%arg0] : tensor<?xi32> -> tensor<?x64xf32>
    %1 = llama.rms_norm %0, @layers.0.attention_norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
    %2 = llama.linear %1, @layers.0.attention.wq.weight : tensor<?x64xf32> -> tensor<?x64xf32>
    %3 = llama.linear %1, @layers.0.attention.wk.weight : tensor<?x64xf32> -> tensor<?x32xf32>
    %4 = llama.linear %1, @layers.0.attention.wv.weight : tensor<?x64xf32> -> tensor<?x32xf32>
    %5 = llama.split_heads %2 : tensor<?x64xf32> -> tensor<?x4x16xf32>
    %6 = llama.split_heads %3 : tensor<?x32xf32> -> tensor<?x2x16xf32>
    %7 = llama.split_heads %4 : tensor<?x32xf32> -> tensor<?x2x16xf32>
    %8 = llama.rope %5, %arg1 {rope = #llama.rope<theta = 5.000000e+05>} : tensor<?x4x16xf32>, tensor<?xi32>
    %9 = llama.rope %6, %arg1 {rope = #llama.rope<theta = 5.000000e+05>} : tensor<?x2x16xf32>, tensor<?xi32>
    %10 = llama.attention %8, %9, %7, %arg1 slots(%arg2 : tensor<?xi32>) {head_dim = 16 : i64, layer = 0 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
    %11 = llama.linear %10, @layers.0.attention.wo.weight : tensor<?x64xf32> -> tensor<?x64xf32>
    %12 = llama.add %0, %11 : tensor<?x64xf32>
    %13 = llama.rms_norm %12, @layers.0.ffn_norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
    %14 = llama.linear %13, @layers.0.feed_forward.w1.weight : tensor<?x64xf32> -> tensor<?x128xf32>
    %15 = llama.linear %13, @layers.0.feed_forward.w3.weight : tensor<?x64xf32> -> tensor<?x128xf32>
    %16 = llama.swiglu %14, %15 : tensor<?x128xf32>
    %17 = llama.linear %16, @layers.0.feed_forward.w2.weight : tensor<?x128xf32> -> tensor<?x64xf32>
    %18 = llama.add %12, %17 : tensor<?x64xf32>
    %19 = llama.rms_norm %18, @layers.1.attention_norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
    %20 = llama.linear %19, @layers.1.attention.wq.weight : tensor<?x64xf32> -> tensor<?x64xf32>
    %21 = llama.linear %19, @layers.1.attention.wk.weight : tensor<?x64xf32> -> tensor<?x32xf32>
    %22 = llama.linear %19, @layers.1.attention.wv.weight : tensor<?x64xf32> -> tensor<?x32xf32>
    %23 = llama.split_heads %20 : tensor<?x64xf32> -> tensor<?x4x16xf32>
    %24 = llama.split_heads %21 : tensor<?x32xf32> -> tensor<?x2x16xf32>
    %25 = llama.split_heads %22 : tensor<?x32xf32> -> tensor<?x2x16xf32>
    %26 = llama.rope %23, %arg1 {rope = #llama.rope<theta = 5.000000e+05>} : tensor<?x4x16xf32>, tensor<?xi32>
    %27 = llama.rope %24, %arg1 {rope = #llama.rope<theta = 5.000000e+05>} : tensor<?x2x16xf32>, tensor<?xi32>
    %28 = llama.attention %26, %27, %25, %arg1 slots(%arg2 : tensor<?xi32>) {head_dim = 16 : i64, layer = 1 : i64, n_heads = 4 : i64, n_kv_heads = 2 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?xi32> -> tensor<?x64xf32>
    %29 = llama.linear %28, @layers.1.attention.wo.weight : tensor<?x64xf32> -> tensor<?x64xf32>
    %30 = llama.add %18, %29 : tensor<?x64xf32>
    %31 = llama.rms_norm %30, @layers.1.ffn_norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
    %32 = llama.linear %31, @layers.1.feed_forward.w1.weight : tensor<?x64xf32> -> tensor<?x128xf32>
    %33 = llama.linear %31, @layers.1.feed_forward.w3.weight : tensor<?x64xf32> -> tensor<?x128xf32>
    %34 = llama.swiglu %32, %33 : tensor<?x128xf32>
    %35 = llama.linear %34, @layers.1.feed_forward.w2.weight : tensor<?x128xf32> -> tensor<?x64xf32>
    %36 = llama.add %30, %35 : tensor<?x64xf32>
    %37 = llama.rms_norm %36, @norm.weight {eps = 9.99999974E-6 : f32} : tensor<?x64xf32>
    %38 = llama.lm_head %37, @output.weight : tensor<?x64xf32> -> tensor<?x256xf32>
    return %38 : tensor<?x256xf32>
  }
}
