// buildLlamaModule: see llama_builder.h for the module's form.
//
// Cost: one pass over the tensor list (a weight declaration each) plus a fixed
// number of ops per layer per entry point; weight symbols are interned once
// and shared by both entry points.

#include "compiler/build/llama_builder.h"

#include <string>
#include <vector>

#include "dialects/Llama/IR/LlamaOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"

namespace lac::build {
namespace {

using import::ModelConfig;
using import::ModelSpec;
using mlir::FlatSymbolRefAttr;
using mlir::RankedTensorType;
using mlir::Value;
namespace llama = mlir::llama;

//===----------------------------------------------------------------------===//
// Dimensions and the tensors the graph reads
//===----------------------------------------------------------------------===//

struct Dims {
  int64_t D, H, KV, hd, F, V, L;
};

struct LayerWeights {
  FlatSymbolRefAttr attnNorm, wq, wk, wv, wo, ffnNorm, w1, w2, w3;
};

struct GraphWeights {
  FlatSymbolRefAttr tokEmb, norm, lmHead;
  std::vector<LayerWeights> layers;
};

std::string shapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

Result<Dims> checkConfig(const ModelSpec& spec) {
  const ModelConfig& c = spec.config;
  const char* path = spec.path.c_str();
  LAC_CHECK_OR_RETURN(c.dim > 0 && c.n_heads > 0 && c.n_kv_heads > 0 && c.head_dim > 0 &&
                          c.ffn_dim > 0 && c.vocab_size > 0,
                      Error::InvalidCheckpoint,
                      "%s: model config has a zero dimension (dim %u, heads %u, kv heads %u, "
                      "head_dim %u, ffn_dim %u, vocab %u)",
                      path, c.dim, c.n_heads, c.n_kv_heads, c.head_dim, c.ffn_dim, c.vocab_size);
  LAC_CHECK_OR_RETURN(c.n_heads % c.n_kv_heads == 0, Error::Unsupported,
                      "%s: n_heads (%u) is not a multiple of n_kv_heads (%u)", path, c.n_heads,
                      c.n_kv_heads);
  LAC_CHECK_OR_RETURN(c.head_dim % 2 == 0, Error::Unsupported,
                      "%s: head_dim %u is odd (rotary embedding needs pairs)", path, c.head_dim);
  return Dims{c.dim, c.n_heads, c.n_kv_heads, c.head_dim, c.ffn_dim, c.vocab_size, c.n_layers};
}

// The tensor `name` exists with `shape`; its symbol.
Result<FlatSymbolRefAttr> requireTensor(const ModelSpec& spec, mlir::MLIRContext& ctx,
                                        const std::string& name, std::vector<int64_t> shape) {
  const import::TensorView* t = spec.findTensor(name);
  LAC_CHECK_OR_RETURN(t, Error::InvalidCheckpoint, "%s: tensor '%s' is missing",
                      spec.path.c_str(), name.c_str());
  std::vector<int64_t> have(t->shape.begin(), t->shape.end());
  LAC_CHECK_OR_RETURN(have == shape, Error::InvalidCheckpoint,
                      "%s: tensor '%s' has shape %s, expected %s", spec.path.c_str(),
                      name.c_str(), shapeString(have).c_str(), shapeString(shape).c_str());
  return FlatSymbolRefAttr::get(&ctx, name);
}

Result<GraphWeights> graphWeights(const ModelSpec& spec, mlir::MLIRContext& ctx, const Dims& d) {
  GraphWeights w;
  LAC_ASSIGN_OR_RETURN(w.tokEmb, requireTensor(spec, ctx, "tok_embeddings.weight", {d.V, d.D}));
  LAC_ASSIGN_OR_RETURN(w.norm, requireTensor(spec, ctx, "norm.weight", {d.D}));
  if (spec.config.tied_embeddings) {
    w.lmHead = w.tokEmb;
  } else {
    LAC_ASSIGN_OR_RETURN(w.lmHead, requireTensor(spec, ctx, "output.weight", {d.V, d.D}));
  }
  w.layers.reserve(d.L);
  for (int64_t i = 0; i < d.L; ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    LayerWeights& l = w.layers.emplace_back();
    LAC_ASSIGN_OR_RETURN(l.attnNorm, requireTensor(spec, ctx, p + "attention_norm.weight", {d.D}));
    LAC_ASSIGN_OR_RETURN(l.wq, requireTensor(spec, ctx, p + "attention.wq.weight", {d.H * d.hd, d.D}));
    LAC_ASSIGN_OR_RETURN(l.wk, requireTensor(spec, ctx, p + "attention.wk.weight", {d.KV * d.hd, d.D}));
    LAC_ASSIGN_OR_RETURN(l.wv, requireTensor(spec, ctx, p + "attention.wv.weight", {d.KV * d.hd, d.D}));
    LAC_ASSIGN_OR_RETURN(l.wo, requireTensor(spec, ctx, p + "attention.wo.weight", {d.D, d.H * d.hd}));
    LAC_ASSIGN_OR_RETURN(l.ffnNorm, requireTensor(spec, ctx, p + "ffn_norm.weight", {d.D}));
    LAC_ASSIGN_OR_RETURN(l.w1, requireTensor(spec, ctx, p + "feed_forward.w1.weight", {d.F, d.D}));
    LAC_ASSIGN_OR_RETURN(l.w2, requireTensor(spec, ctx, p + "feed_forward.w2.weight", {d.D, d.F}));
    LAC_ASSIGN_OR_RETURN(l.w3, requireTensor(spec, ctx, p + "feed_forward.w3.weight", {d.F, d.D}));
  }
  return w;
}

//===----------------------------------------------------------------------===//
// Weight declarations: one llama.weight per ModelSpec tensor, checkpoint order
//===----------------------------------------------------------------------===//

VoidResult declareWeights(const ModelSpec& spec, const GraphWeights& graph, mlir::OpBuilder& b,
                          mlir::Location loc) {
  mlir::Type f32 = b.getF32Type();
  // Each layer's weights carry its index (plan steps record it; nothing
  // downstream parses it out of a name).
  llvm::StringMap<int32_t> layerOf;
  for (size_t i = 0; i < graph.layers.size(); ++i) {
    const LayerWeights& l = graph.layers[i];
    for (FlatSymbolRefAttr s : {l.attnNorm, l.wq, l.wk, l.wv, l.wo, l.ffnNorm, l.w1, l.w2, l.w3})
      layerOf[s.getValue()] = static_cast<int32_t>(i);
  }
  for (const import::TensorView& t : spec.tensors) {
    LAC_CHECK_OR_RETURN(t.shape.size() == 1 || t.shape.size() == 2, Error::Unsupported,
                        "%s: tensor '%s' has rank %zu; weights are vectors or matrices",
                        spec.path.c_str(), t.name.c_str(), t.shape.size());
    std::vector<int64_t> shape(t.shape.begin(), t.shape.end());
    auto w = b.create<llama::WeightOp>(loc, b.getStringAttr(t.name),
                                       mlir::TypeAttr::get(RankedTensorType::get(shape, f32)),
                                       /*layer=*/nullptr);
    if (auto it = layerOf.find(t.name); it != layerOf.end()) w.setLayer(it->second);
    // How the checkpoint stores it: lowering copies this onto the exec.weight
    // and packing converts from it (docs/DIALECTS.md, "Source dtype").
    w->setAttr("source_dtype", b.getStringAttr(std::string(dtypeName(t.dtype))));
  }
  return {};
}

//===----------------------------------------------------------------------===//
// The graph of one entry point
//===----------------------------------------------------------------------===//

class GraphBuilder {
 public:
  GraphBuilder(mlir::OpBuilder& b, const ModelConfig& config, const Dims& d,
               const GraphWeights& w)
      : b_(b), d_(d), w_(w), f32_(b.getF32Type()) {
    const auto& s = config.rope_scaling;
    rope_ = s ? llama::RopeAttr::get(b.getContext(), config.rope_theta, s->factor,
                                     s->low_freq_factor, s->high_freq_factor,
                                     s->original_max_position)
              : llama::RopeAttr::get(b.getContext(), config.rope_theta);
    eps_ = b.getF32FloatAttr(config.norm_eps);
  }

  // Prefill (one sequence per call):
  //   func.func @prefill(%tokens: [T] i32, %pos: [T] i32) -> [1, V] f32   (the last token's logits)
  // Decode (a row per sequence, each in its own KV slot):
  //   func.func @decode(%tokens: [T] i32, %pos: [T] i32, %slots: [T] i32) -> [T, V] f32
  void buildEntry(mlir::ModuleOp module, llvm::StringRef name, int64_t T, bool perSequenceRows) {
    mlir::Location loc = mlir::NameLoc::get(b_.getStringAttr(name));
    auto ids = RankedTensorType::get({T}, b_.getI32Type());
    auto logitsType = act(perSequenceRows ? T : 1, d_.V);
    llvm::SmallVector<mlir::Type, 3> args = {ids, ids};
    if (perSequenceRows) args.push_back(ids);
    auto func = b_.create<mlir::func::FuncOp>(loc, name, b_.getFunctionType(args, {logitsType}));
    mlir::Block* entry = func.addEntryBlock();
    mlir::OpBuilder::InsertionGuard guard(b_);
    b_.setInsertionPointToStart(entry);
    Value tokens = entry->getArgument(0), pos = entry->getArgument(1);
    Value slots = perSequenceRows ? entry->getArgument(2) : Value();

    Value h = b_.create<llama::EmbeddingOp>(loc, act(T, d_.D), tokens, w_.tokEmb);  // [T, D]
    for (int64_t i = 0; i < d_.L; ++i) h = layer(h, pos, slots, i, T);
    Value n = rmsNorm(loc, h, w_.norm);
    Value logits = b_.create<llama::LmHeadOp>(
        loc, logitsType, n, w_.lmHead, perSequenceRows ? mlir::UnitAttr() : b_.getUnitAttr(),
        FlatSymbolRefAttr(), mlir::FloatAttr());  // [1, V] or [T, V]
    b_.create<mlir::func::ReturnOp>(loc, logits);
  }

 private:
  RankedTensorType act(int64_t T, int64_t n) { return RankedTensorType::get({T, n}, f32_); }
  RankedTensorType heads(int64_t T, int64_t h) {
    return RankedTensorType::get({T, h, d_.hd}, f32_);
  }

  Value rmsNorm(mlir::Location loc, Value x, FlatSymbolRefAttr w) {
    return b_.create<llama::RmsNormOp>(loc, x.getType(), x, w, eps_);
  }
  Value linear(mlir::Location loc, Value x, FlatSymbolRefAttr w, int64_t T, int64_t out) {
    return b_.create<llama::LinearOp>(loc, act(T, out), x, w, FlatSymbolRefAttr(),
                                      mlir::FloatAttr());
  }

  // One transformer block: h [T, D] -> [T, D]; `slots` (decode) gives each
  // row's KV slot.
  Value layer(Value h, Value pos, Value slots, int64_t i, int64_t T) {
    const LayerWeights& w = w_.layers[i];
    mlir::Location loc = mlir::NameLoc::get(b_.getStringAttr("layers." + std::to_string(i)));
    // Attention.
    Value n = rmsNorm(loc, h, w.attnNorm);
    Value q = linear(loc, n, w.wq, T, d_.H * d_.hd);   // [T, H*hd]
    Value k = linear(loc, n, w.wk, T, d_.KV * d_.hd);  // [T, KV*hd]
    Value v = linear(loc, n, w.wv, T, d_.KV * d_.hd);  // [T, KV*hd]
    Value qh = b_.create<llama::SplitHeadsOp>(loc, heads(T, d_.H), q);   // [T, H, hd]
    Value kh = b_.create<llama::SplitHeadsOp>(loc, heads(T, d_.KV), k);  // [T, KV, hd]
    Value vh = b_.create<llama::SplitHeadsOp>(loc, heads(T, d_.KV), v);  // [T, KV, hd]
    Value qr = b_.create<llama::RopeOp>(loc, qh.getType(), qh, pos, rope_);
    Value kr = b_.create<llama::RopeOp>(loc, kh.getType(), kh, pos, rope_);
    Value a = b_.create<llama::AttentionOp>(
        loc, act(T, d_.H * d_.hd), qr, kr, vh, pos, slots, b_.getI64IntegerAttr(i),
        b_.getI64IntegerAttr(d_.H), b_.getI64IntegerAttr(d_.KV), b_.getI64IntegerAttr(d_.hd),
        llama::RopeAttr());                              // [T, H*hd]
    Value o = linear(loc, a, w.wo, T, d_.D);             // [T, D]
    h = b_.create<llama::AddOp>(loc, h.getType(), h, o);
    // Feed-forward (SwiGLU).
    n = rmsNorm(loc, h, w.ffnNorm);
    Value g = linear(loc, n, w.w1, T, d_.F);  // [T, F]
    Value u = linear(loc, n, w.w3, T, d_.F);  // [T, F]
    Value s = b_.create<llama::SwigluOp>(loc, g.getType(), g, u);
    Value down = linear(loc, s, w.w2, T, d_.D);  // [T, D]
    return b_.create<llama::AddOp>(loc, h.getType(), h, down);
  }

  mlir::OpBuilder& b_;
  const Dims& d_;
  const GraphWeights& w_;
  mlir::Type f32_;
  llama::RopeAttr rope_;
  mlir::FloatAttr eps_;
};

// Verifies `module`, returning the first diagnostic as the error message.
VoidResult verifyModule(mlir::ModuleOp module, const ModelSpec& spec) {
  std::string message;
  mlir::ScopedDiagnosticHandler handler(module.getContext(), [&](mlir::Diagnostic& diag) {
    if (message.empty()) message = diag.str();
    return mlir::success();
  });
  LAC_CHECK_OR_RETURN(mlir::succeeded(mlir::verify(module)), Error::Internal,
                      "%s: the built llama module does not verify: %s", spec.path.c_str(),
                      message.c_str());
  return {};
}

}  // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

Result<mlir::OwningOpRef<mlir::ModuleOp>> buildLlamaModuleOrError(const ModelSpec& spec,
                                                                  mlir::MLIRContext& context,
                                                                  const BuildOptions& options) {
  LAC_CHECK_OR_RETURN(options.prefill || options.decode, Error::InvalidArgument,
                      "no entry point requested (prefill and decode are both off)");
  context.loadDialect<llama::LlamaDialect, mlir::func::FuncDialect>();
  LAC_ASSIGN_OR_RETURN(Dims dims, checkConfig(spec));
  LAC_ASSIGN_OR_RETURN(GraphWeights weights, graphWeights(spec, context, dims));

  mlir::OpBuilder b(&context);
  mlir::Location loc = mlir::FileLineColLoc::get(&context, spec.path, 0, 0);
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  LAC_RETURN_IF_ERROR(declareWeights(spec, weights, b, loc));

  GraphBuilder graph(b, spec.config, dims, weights);
  if (options.prefill)
    graph.buildEntry(*module, "prefill", mlir::ShapedType::kDynamic, /*perSequenceRows=*/false);
  // decode: one row per sequence of a batch (lac-plan-memory bounds ? by max-batch).
  if (options.decode) graph.buildEntry(*module, "decode", mlir::ShapedType::kDynamic, /*perSequenceRows=*/true);
  if (options.verify) LAC_RETURN_IF_ERROR(verifyModule(*module, spec));
  return module;
}

mlir::OwningOpRef<mlir::ModuleOp> buildLlamaModule(const ModelSpec& spec,
                                                   mlir::MLIRContext& context,
                                                   const BuildOptions& options) {
  auto result = buildLlamaModuleOrError(spec, context, options);
  if (!result.ok()) {
    mlir::emitError(mlir::UnknownLoc::get(&context)) << result.status().toString();
    return {};
  }
  return std::move(result).value();
}

}  // namespace lac::build
