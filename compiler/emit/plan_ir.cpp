// The plan's IR-level parts, from a memory-planned `exec` module: target,
// compiled limits, the weight table, the KV-cache layout and one entry point
// per public func (buffers from the !exec.buf types, one step per kernel op).
#include <algorithm>
#include <map>
#include <tuple>

#include "compiler/emit/plan_parts.h"
#include "dialects/Exec/IR/ExecOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"
#include "runtime/artifact/format.h"
#include "runtime/artifact/weight_layout.h"
#include "runtime/artifact/validate.h"

namespace lac::emit {

namespace {

// The plan kernel an exec op lowers to, from the kernel registry
// (runtime/schema/kernels.def); nullopt for an op with no runtime kernel.
std::optional<plan::Kernel> registryKernel(llvm::StringRef op) {
#define LAC_KERNEL(Name, ExecOp, ...) \
  if (op == ExecOp) return plan::Kernel::Name;
#include "runtime/schema/kernels.def"
  return std::nullopt;
}

using mlir::Operation;
using mlir::Value;
namespace ex = mlir::exec;
using ull = unsigned long long;

// ---------------------------------------------------------------------------
// Messages: "file.mlir:12:3: 'exec.matmul': <what is wrong>"

std::string where(Operation* op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  mlir::FileLineColLoc flc;
  op->getLoc()->walk([&](mlir::Location l) {
    if (!flc) flc = llvm::dyn_cast<mlir::FileLineColLoc>(l);
    return flc ? mlir::WalkResult::interrupt() : mlir::WalkResult::advance();
  });
  if (flc)
    os << flc.getFilename().getValue() << ":" << flc.getLine() << ":" << flc.getColumn();
  else
    op->getLoc().print(os);
  os << ": '" << op->getName().getStringRef() << "'";
  return os.str();
}

#define IR_CHECK(cond, op, fmt, ...)                                                                       \
  LAC_CHECK_OR_RETURN(cond, Error::InvalidArgument, "%s: " fmt, where(op).c_str() __VA_OPT__(, ) __VA_ARGS__)

plan::DType formatDType(ex::WeightFormat f) {
  switch (f) {
    case ex::WeightFormat::f32: return plan::DType::f32;
    case ex::WeightFormat::f16: return plan::DType::f16;
    case ex::WeightFormat::bf16: return plan::DType::bf16;
    case ex::WeightFormat::q8_0: return plan::DType::q8_0;
    case ex::WeightFormat::q4_0: return plan::DType::q4_0;
    case ex::WeightFormat::q4_1: return plan::DType::q4_1;
    case ex::WeightFormat::q4_g32: return plan::DType::q4_g32;
  }
  return plan::DType::f32;
}

std::optional<plan::DType> elementDType(mlir::Type t) {
  if (t.isF32()) return plan::DType::f32;
  if (t.isF16()) return plan::DType::f16;
  if (t.isBF16()) return plan::DType::bf16;
  if (t.isInteger(32)) return plan::DType::i32;
  return std::nullopt;
}

std::optional<uint64_t> intAttr(Operation* op, llvm::StringRef name) {
  if (auto a = op->getAttrOfType<mlir::IntegerAttr>(name)) return a.getValue().getZExtValue();
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Weights: exec.weight ops in module order, packed at 64-byte offsets.

// Each weight's plan index, and the decoder layer its exec.weight names (-1: none).
struct WeightIndex {
  std::map<std::string, uint32_t, std::less<>> ids;
  std::vector<int32_t> layers;
};

// The ranks the module is split over (exec.tensor_parallel; 1 without it).
uint32_t tensorParallel(mlir::ModuleOp m) { return uint32_t(intAttr(m, "exec.tensor_parallel").value_or(1)); }

// A split weight (`tp_axis`): one entry per rank, rank r's named
// "<name>.tp<r>" (rank 0's keeps the name and lists them all in `shards`).
void addShards(plan::PlanT& p, WeightIndex& index, uint32_t first, int64_t axis, uint32_t ranks, uint64_t& cursor) {
  const plan::WeightT& w0 = *p.weights[first];
  std::vector<uint32_t> shards{first};
  for (uint32_t r = 1; r < ranks; ++r) {
    auto e = std::make_unique<plan::WeightT>();
    e->name = w0.name + ".tp" + std::to_string(r);
    e->dtype = w0.dtype;
    e->shape = w0.shape;
    e->layout = w0.layout;
    const uint64_t size = w0.blob->bytes();
    cursor = artifact::alignUp(cursor, artifact::kWeightAlignment);
    e->blob = std::make_unique<plan::BlobSlice>(cursor, size, 0);
    cursor += size;
    shards.push_back(static_cast<uint32_t>(p.weights.size()));
    index.layers.push_back(index.layers[first]);
    p.weights.push_back(std::move(e));
  }
  p.weights[first]->shards = shards;
  p.weights[first]->shard_axis = static_cast<int8_t>(axis);
}

VoidResult addWeights(plan::PlanT& p, mlir::ModuleOp m, WeightIndex& index) {
  uint64_t cursor = 0;
  const uint32_t ranks = tensorParallel(m);
  p.tensor_parallel = ranks;
  for (ex::WeightOp w : m.getOps<ex::WeightOp>()) {
    auto e = std::make_unique<plan::WeightT>();
    e->name = w.getSymName().str();
    e->dtype = formatDType(w.getFormat());
    for (int64_t d : w.getShape()) e->shape.push_back(static_cast<uint64_t>(d));
    // The plan names x8 after its format ("q4_1x8": runtime/artifact/weight_layout.h).
    e->layout = w.getLayout() == ex::WeightLayout::x8 ? artifact::x8LayoutName(artifact::toDType(e->dtype))
                                                      : std::string("row_major");
    std::optional<uint64_t> dense = artifact::denseBytes(artifact::toDType(e->dtype), e->shape);
    IR_CHECK(dense.has_value(), w, "weight '%s' has a shape its format cannot store", e->name.c_str());
    IR_CHECK(artifact::parseWeightLayout(e->layout, artifact::toDType(e->dtype), e->shape).has_value(), w,
             "weight '%s': the runtime has no layout '%s' for this format and shape", e->name.c_str(),
             e->layout.c_str());
    // Both layouts are exactly the dense size.
    const uint64_t size = *dense;
    cursor = artifact::alignUp(cursor, artifact::kWeightAlignment);
    e->blob = std::make_unique<plan::BlobSlice>(cursor, size, 0);
    cursor += size;
    index.ids.emplace(e->name, static_cast<uint32_t>(p.weights.size()));
    index.layers.push_back(w.getLayer() ? static_cast<int32_t>(*w.getLayer()) : -1);
    p.weights.push_back(std::move(e));
    if (std::optional<uint64_t> axis = intAttr(w, "tp_axis"); axis && ranks > 1)
      addShards(p, index, static_cast<uint32_t>(p.weights.size() - 1), int64_t(*axis), ranks, cursor);
  }
  p.weight_blob = std::make_unique<plan::WeightBlob>(artifact::alignUp(cursor, artifact::kWeightAlignment), 0);
  return {};
}

// ---------------------------------------------------------------------------
// Target and KV cache (module attributes)

VoidResult addTarget(plan::PlanT& p, mlir::ModuleOp m) {
  p.target = std::make_unique<plan::TargetInfoT>();
  if (auto t = m->getAttrOfType<ex::TargetAttr>("exec.target")) {
    p.target->target = t.getBackend() == ex::Backend::cuda ? plan::Target::cuda : plan::Target::cpu;
    p.target->min_cuda_arch = t.getMinCudaArch();
  }
  if (auto fs = m->getAttrOfType<mlir::ArrayAttr>("exec.cpu_features")) {
    for (mlir::Attribute a : fs) {
      auto s = llvm::dyn_cast<mlir::StringAttr>(a);
      IR_CHECK(s, m, "exec.cpu_features must be an array of strings");
      p.target->cpu_features.push_back(s.str());
    }
  }
  return {};
}

VoidResult addKvCache(plan::PlanT& p, mlir::ModuleOp m) {
  auto kv = m->getAttrOfType<ex::KvCacheAttr>("exec.kv_cache");
  IR_CHECK(kv, m, "module has no 'exec.kv_cache' attribute (is it memory-planned?)");
  std::optional<plan::DType> dtype = elementDType(kv.getDtype());
  IR_CHECK(dtype.has_value(), m, "exec.kv_cache dtype must be f32, f16 or bf16");
  const plan::ModelConfigT& c = *p.config;
  // A tensor-parallel rank caches its own n_kv_heads / ranks heads.
  const uint64_t ranks = std::max<uint64_t>(1, p.tensor_parallel);
  IR_CHECK(uint64_t(kv.getNKvHeads()) * ranks == c.n_kv_heads && uint64_t(kv.getHeadDim()) == c.head_dim &&
               uint64_t(kv.getNLayers()) == c.n_layers,
           m, "exec.kv_cache (%lld layers x %lld kv heads x %lld, %llu ranks) does not match the model (%u x %u x %u)",
           (long long)kv.getNLayers(), (long long)kv.getNKvHeads(), (long long)kv.getHeadDim(), (ull)ranks,
           c.n_layers, c.n_kv_heads, c.head_dim);
  auto out = std::make_unique<plan::KvCacheLayoutT>();
  out->max_batch = static_cast<uint32_t>(kv.getMaxBatch());
  out->max_seq_len = static_cast<uint32_t>(kv.getMaxSeqLen());
  out->dtype = *dtype;
  out->layout = ex::stringifyKvLayout(kv.getLayout()).str();
  out->bytes_per_layer = static_cast<uint64_t>(kv.getBytesPerLayer());
  p.max_batch = out->max_batch;
  p.max_seq_len = out->max_seq_len;
  p.kv_cache = std::move(out);
  return {};
}

// ---------------------------------------------------------------------------
// Entry points

class EntryPointBuilder {
 public:
  EntryPointBuilder(const WeightIndex& weights, const plan::PlanT& p, mlir::func::FuncOp f, plan::EntryPointT& e)
      : weights_(weights), plan_(p), f_(f), e_(e) {}

  VoidResult build() {
    mlir::Block& body = f_.getBody().front();
    IR_CHECK(body.getNumArguments() >= 2, f_, "entry point @%s needs (tokens, positions) arguments",
             e_.name.c_str());
    auto arena = f_->getAttrOfType<mlir::IntegerAttr>("exec.arena_bytes");
    IR_CHECK(arena, f_, "entry point @%s has no 'exec.arena_bytes' (is it memory-planned?)", e_.name.c_str());
    e_.arena_bytes = arena.getValue().getZExtValue();
    LAC_RETURN_IF_ERROR(maxTokens(body.getArgument(0)));
    LAC_ASSIGN_OR_RETURN(uint32_t tokens, buffer(body.getArgument(0), f_, plan::BufferRole::tokens));
    LAC_ASSIGN_OR_RETURN(positions_, buffer(body.getArgument(1), f_, plan::BufferRole::positions));
    (void)tokens;
    // A third argument: each row's KV slot (decode: a row per sequence).
    IR_CHECK(body.getNumArguments() <= 3, f_, "entry point @%s takes (tokens, positions[, slots])", e_.name.c_str());
    if (body.getNumArguments() == 3) {
      slots_arg_ = body.getArgument(2);
      LAC_ASSIGN_OR_RETURN(uint32_t slots, buffer(slots_arg_, f_, plan::BufferRole::slots));
      (void)slots;
    }
    for (Operation& op : body.getOperations()) LAC_RETURN_IF_ERROR(step(&op));
    return {};
  }

 private:
  VoidResult maxTokens(Value tokens) {
    if (std::optional<uint64_t> t = intAttr(f_, "exec.max_tokens")) {
      max_tokens_ = *t;
    } else {
      auto bt = llvm::dyn_cast<ex::BufferType>(tokens.getType());
      IR_CHECK(bt && bt.getRank() == 1 && !mlir::ShapedType::isDynamic(bt.getDimSize(0)), f_,
               "entry point @%s: tokens are dynamic and there is no 'exec.max_tokens'", e_.name.c_str());
      max_tokens_ = static_cast<uint64_t>(bt.getDimSize(0));
    }
    IR_CHECK(max_tokens_ > 0 && max_tokens_ <= UINT32_MAX, f_, "entry point @%s: max_tokens %llu", e_.name.c_str(),
             (ull)max_tokens_);
    e_.max_tokens = static_cast<uint32_t>(max_tokens_);
    return {};
  }

  // The buffer of `v` (shared by values of the same offset, dtype and shape:
  // an in-place op reads and writes one buffer).
  Result<uint32_t> buffer(Value v, Operation* user, plan::BufferRole role = plan::BufferRole::intermediate) {
    if (auto it = ids_.find(v); it != ids_.end()) return it->second;
    auto bt = llvm::dyn_cast<ex::BufferType>(v.getType());
    IR_CHECK(bt, user, "operand is not an !exec.buf");
    IR_CHECK(bt.getOffset().has_value(), user, "buffer has no arena offset (run memory planning first)");
    std::optional<plan::DType> dt = elementDType(bt.getElementType());
    IR_CHECK(dt.has_value(), user, "buffer element type must be f32, f16, bf16 or i32");
    std::vector<uint64_t> shape;
    for (int64_t d : bt.getShape()) shape.push_back(mlir::ShapedType::isDynamic(d) ? max_tokens_ : uint64_t(d));
    const uint64_t offset = static_cast<uint64_t>(*bt.getOffset());
    std::optional<uint64_t> bytes = artifact::denseBytes(artifact::toDType(*dt), shape);
    IR_CHECK(bytes.has_value(), user, "buffer has an invalid shape");
    IR_CHECK(offset % artifact::kBufferAlignment == 0, user, "buffer offset %llu is not a multiple of 64",
             (ull)offset);
    IR_CHECK(offset <= e_.arena_bytes && *bytes <= e_.arena_bytes - offset, user,
             "buffer (%llu bytes at offset %llu) lies outside the arena of @%s (%llu bytes)", (ull)*bytes,
             (ull)offset, e_.name.c_str(), (ull)e_.arena_bytes);
    auto key = std::make_tuple(offset, *dt, shape);
    auto [it, fresh] = by_key_.emplace(key, static_cast<uint32_t>(e_.buffers.size()));
    if (fresh) {
      auto b = std::make_unique<plan::BufferT>();
      b->id = it->second;
      b->offset = offset;
      b->bytes = *bytes;
      b->dtype = *dt;
      b->shape = shape;
      b->role = role;
      e_.buffers.push_back(std::move(b));
    }
    ids_[v] = it->second;
    return it->second;
  }

  Result<uint32_t> weight(mlir::FlatSymbolRefAttr ref, Operation* op) {
    auto it = weights_.ids.find(ref.getValue());
    IR_CHECK(it != weights_.ids.end(), op, "weight @%s is not an exec.weight of this module", ref.getValue().str().c_str());
    return it->second;
  }

  // rows/cols of a [rows, cols] weight.
  void matrix(plan::StepParamsT& q, uint32_t w) {
    const std::vector<uint64_t>& s = plan_.weights[w]->shape;
    q.rows = s.size() == 2 ? s[0] : 0;
    q.cols = s.back();
  }

  // A step of `op`'s kernel: the registry's (runtime/schema/kernels.def)
  // kernel for that exec op; step() refuses ops the registry lacks first.
  plan::StepT& newStep(Operation* op) {
    auto s = std::make_unique<plan::StepT>();
    s->kernel = *registryKernel(op->getName().getStringRef());
    if (auto v = op->getAttrOfType<mlir::StringAttr>("kernel")) s->variant = v.str();
    s->params = std::make_unique<plan::StepParamsT>();
    e_.steps.push_back(std::move(s));
    return *e_.steps.back();
  }

  // One step: inputs, one output, weights.
  VoidResult simple(Operation* op, llvm::ArrayRef<Value> ins, Value out,
                    llvm::ArrayRef<mlir::FlatSymbolRefAttr> ws, std::optional<float> eps) {
    plan::StepT& s = newStep(op);
    for (Value v : ins) {
      LAC_ASSIGN_OR_RETURN(uint32_t id, buffer(v, op));
      s.inputs.push_back(id);
    }
    LAC_ASSIGN_OR_RETURN(uint32_t o, buffer(out, op));
    s.outputs.push_back(o);
    for (mlir::FlatSymbolRefAttr w : ws) {
      LAC_ASSIGN_OR_RETURN(uint32_t id, weight(w, op));
      s.weights.push_back(id);
    }
    if (eps) s.params->eps = *eps;
    if (!s.weights.empty()) {
      matrix(*s.params, s.weights.back());
      s.layer = weights_.layers[s.weights.back()];  // the exec.weight's `layer`
    }
    return {};
  }

  VoidResult attention(ex::RopeKvAttentionOp op) {
    IR_CHECK(ids_.lookup(op.getPositions()) == positions_ && ids_.count(op.getPositions()), op,
             "positions must be the entry point's positions argument");
    // Attention over a row per sequence reads the entry's slots; over one
    // sequence's tokens it has none. An entry point is one or the other.
    IR_CHECK(op.getSlots() == slots_arg_, op, "%s",
             slots_arg_ ? "slots must be the entry point's slots argument (every attention of a per-sequence "
                          "entry point reads it)"
                        : "slots given, but the entry point has no slots argument");
    llvm::SmallVector<Value> qkv(op.getQkv());  // one fused [T, (H+2KV)hd] buffer, or q, k, v
    LAC_RETURN_IF_ERROR(simple(op, qkv, op.getResult(), {}, std::nullopt));
    plan::StepT& s = *e_.steps.back();
    s.layer = static_cast<int32_t>(op.getLayer());
    plan::StepParamsT& q = *s.params;
    q.n_heads = static_cast<uint32_t>(op.getNHeads());
    q.n_kv_heads = static_cast<uint32_t>(op.getNKvHeads());
    q.head_dim = static_cast<uint32_t>(op.getHeadDim());
    q.rope_theta = op.getRopeTheta().convertToFloat();
    if (op.getRopeFactor()) {
      IR_CHECK(op.getRopeLowFreqFactor() && op.getRopeHighFreqFactor() && op.getRopeOriginalMaxPosition(), op,
               "rope scaling attributes must be all present or all absent");
      q.rope_scaling = std::make_unique<plan::RopeScaling>(
          op.getRopeFactor()->convertToFloat(), op.getRopeLowFreqFactor()->convertToFloat(),
          op.getRopeHighFreqFactor()->convertToFloat(),
          static_cast<uint32_t>(*op.getRopeOriginalMaxPosition()));
    }
    return {};
  }

  VoidResult markLogits(mlir::func::ReturnOp ret) {
    IR_CHECK(ret.getNumOperands() == 1, ret, "an entry point returns exactly its logits buffer");
    LAC_ASSIGN_OR_RETURN(uint32_t id, buffer(ret.getOperand(0), ret));
    e_.buffers[id]->role = plan::BufferRole::logits;
    return {};
  }

  VoidResult step(Operation* op) {
    if (!llvm::isa<mlir::func::ReturnOp>(op) && !registryKernel(op->getName().getStringRef()))
      LAC_FAIL(Error::Unsupported, "%s: has no runtime kernel in plan.fbs (Kernel); cannot emit it",
               where(op).c_str());
    return llvm::TypeSwitch<Operation*, VoidResult>(op)
        .Case([&](ex::EmbedOp o) {
          return simple(o, {o.getTokens()}, o.getResult(), {o.getTableAttr()}, std::nullopt);
        })
        .Case([&](ex::RmsNormOp o) {
          return simple(o, {o.getInput()}, o.getResult(), {o.getWeightAttr()},
                        o.getEps().convertToFloat());
        })
        .Case([&](ex::MatmulOp o) {
          return simple(o, {o.getInput()}, o.getResult(), {o.getWeightAttr()}, std::nullopt);
        })
        .Case([&](ex::MatmulResidualOp o) {
          return simple(o, {o.getInput(), o.getResidual()}, o.getResult(), {o.getWeightAttr()},
                        std::nullopt);
        })
        .Case([&](ex::RmsNormMatmulOp o) {
          return simple(o, {o.getInput()}, o.getResult(), {o.getNormWeightAttr(), o.getWeightAttr()},
                        o.getEps().convertToFloat());
        })
        .Case([&](ex::RmsNormGateUpSiluOp o) -> VoidResult {
          // Weights [norm, fused gate_up [2F, D]]; rows = F (the output features).
          LAC_RETURN_IF_ERROR(simple(o, {o.getInput()}, o.getResult(),
                                     {o.getNormWeightAttr(), o.getGateUpAttr()}, o.getEps().convertToFloat()));
          plan::StepT& s = *e_.steps.back();
          s.params->rows = e_.buffers[s.outputs[0]]->shape.back();
          return VoidResult();
        })
        .Case([&](ex::FinalNormLmHeadOp o) {
          return simple(o, {o.getInput()}, o.getResult(),
                        {o.getNormWeightAttr(), o.getWeightAttr()}, o.getEps().convertToFloat());
        })
        .Case([&](ex::RopeKvAttentionOp o) { return attention(o); })
        .Case([&](ex::AddOp o) -> VoidResult {
          LAC_RETURN_IF_ERROR(simple(o, {o.getLhs(), o.getRhs()}, o.getResult(), {}, std::nullopt));
          e_.steps.back()->params->cols = e_.buffers[e_.steps.back()->outputs[0]]->shape.back();
          return VoidResult();
        })
        .Case([&](ex::AllReduceOp o) -> VoidResult {
          LAC_RETURN_IF_ERROR(simple(o, {o.getInput()}, o.getResult(), {}, std::nullopt));
          e_.steps.back()->params->cols = e_.buffers[e_.steps.back()->outputs[0]]->shape.back();
          return VoidResult();
        })
        .Case([&](ex::AllGatherOp o) -> VoidResult {
          // cols: one rank's columns (the input's width).
          LAC_RETURN_IF_ERROR(simple(o, {o.getInput()}, o.getResult(), {}, std::nullopt));
          e_.steps.back()->params->cols = e_.buffers[e_.steps.back()->inputs[0]]->shape.back();
          return VoidResult();
        })
        .Case([&](mlir::func::ReturnOp o) { return markLogits(o); })
        .Default([&](Operation* o) -> VoidResult {
          LAC_FAIL(Error::Unsupported, "%s: has no runtime kernel in plan.fbs (Kernel); cannot emit it",
                   where(o).c_str());
        });
  }

  const WeightIndex& weights_;
  const plan::PlanT& plan_;
  mlir::func::FuncOp f_;
  plan::EntryPointT& e_;
  uint64_t max_tokens_ = 0;
  uint32_t positions_ = 0;
  Value slots_arg_;  // the entry point's slots argument, or null
  llvm::DenseMap<Value, uint32_t> ids_;
  std::map<std::tuple<uint64_t, plan::DType, std::vector<uint64_t>>, uint32_t> by_key_;
};

VoidResult addEntryPoints(plan::PlanT& p, mlir::ModuleOp m, const WeightIndex& weights) {
  for (mlir::func::FuncOp f : m.getOps<mlir::func::FuncOp>()) {
    if (f.isPrivate() || f.isExternal()) continue;
    llvm::StringRef name = f.getSymName();
    IR_CHECK(name == "prefill" || name == "decode", f,
             "public func @%s is not an entry point (prefill, decode); make it private or rename it",
             name.str().c_str());
    auto e = std::make_unique<plan::EntryPointT>();
    e->name = name.str();
    LAC_RETURN_IF_ERROR(EntryPointBuilder(weights, p, f, *e).build());
    p.entry_points.push_back(std::move(e));
  }
  IR_CHECK(!p.entry_points.empty(), m, "module has no entry point (func @prefill or @decode)");
  return {};
}

}  // namespace

VoidResult addIrParts(plan::PlanT& p, mlir::ModuleOp module, const EmitOptions& opts) {
  WeightIndex index;
  LAC_RETURN_IF_ERROR(addTarget(p, module));
  LAC_RETURN_IF_ERROR(addWeights(p, module, index));
  LAC_RETURN_IF_ERROR(addKvCache(p, module));
  return addEntryPoints(p, module, index);
}

std::vector<ExecWeightInfo> weightInfos(const plan::PlanT& p, mlir::ModuleOp module) {
  std::map<std::string, std::vector<std::string>, std::less<>> concat;  // fused name -> parts
  for (ex::WeightOp w : module.getOps<ex::WeightOp>())
    if (auto parts = w->getAttrOfType<mlir::ArrayAttr>("concat_of"))
      for (auto ref : parts.getAsRange<mlir::FlatSymbolRefAttr>())
        concat[w.getSymName().str()].push_back(ref.getValue().str());
  std::vector<ExecWeightInfo> out;
  for (const auto& w : p.weights) {
    out.push_back(ExecWeightInfo{w->name, artifact::toDType(w->dtype), w->shape, w->layout, w->blob->bytes(), {}});
    if (auto it = concat.find(w->name); it != concat.end()) out.back().concat_of = it->second;
  }
  // Every rank's slice reads the checkpoint tensors of rank 0's entry.
  for (const auto& w : p.weights)
    for (size_t r = 0; r < w->shards.size(); ++r) {
      ExecWeightInfo& info = out[w->shards[r]];
      info.name = w->name;
      info.concat_of = out[w->shards[0]].concat_of;
      info.shard = {w->shard_axis, uint32_t(r), uint32_t(w->shards.size())};
    }
  return out;
}

}  // namespace lac::emit
