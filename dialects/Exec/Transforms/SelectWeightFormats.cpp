//===- SelectWeightFormats.cpp - lac-select-weight-formats -----------------===//
//
// Chooses format + layout of every exec.weight (rules in Passes.td), then
// renames the kernel variants after the formats. The source format comes from
// the weight's `source_dtype` attribute (set by lowering from llama.weight);
// without it, the current format is the source.
//
//===----------------------------------------------------------------------===//

#include "dialects/Exec/Transforms/KernelTable.h"
#include "dialects/Exec/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace lac {
#define GEN_PASS_DEF_LACSELECTWEIGHTFORMATS
#include "dialects/Exec/Transforms/Passes.h.inc"
} // namespace lac

using namespace mlir;
using namespace mlir::exec;

namespace {

bool isBlocked(WeightFormat f) {
  return f == WeightFormat::q8_0 || f == WeightFormat::q4_0 || f == WeightFormat::q4_1 ||
         f == WeightFormat::q4_g32;
}

bool isFourBit(WeightFormat f) {
  return f == WeightFormat::q4_0 || f == WeightFormat::q4_1 || f == WeightFormat::q4_g32;
}

//===----------------------------------------------------------------------===//
// GPU targets (cuda): GGML's q4_0/q4_1 blocks have no kernel there, but both
// repack into q4_g32 without changing a value (q4_0: m = -8 d; q4_1: d, m
// as they are), so a 4-bit checkpoint stays 4-bit.
//===----------------------------------------------------------------------===//

// The format that holds every value of `source` exactly when the target
// lacks `source` itself: q4_g32 for q4_0/q4_1 on a target that runs it.
std::optional<WeightFormat> losslessRepack(StringRef source, TargetAttr target) {
  if ((source == "q4_0" || source == "q4_1") && target.supports(WeightFormat::q4_g32))
    return WeightFormat::q4_g32;
  return std::nullopt;
}

// A hint for an explicit format the target lacks.
std::string unsupportedHint(WeightFormat f, TargetAttr target) {
  if ((f == WeightFormat::q4_0 || f == WeightFormat::q4_1) &&
      target.supports(WeightFormat::q4_g32))
    return " (use q4_g32, GGML's q4_0/q4_1 repack into it losslessly)";
  if (f == WeightFormat::q4_g32 && target.supports(WeightFormat::q4_1))
    return " (q4_g32 is the GPU format; use q4_0 or q4_1)";
  return "";
}

struct Roles {
  llvm::DenseSet<StringAttr> norm, matrix, embed;
};

Roles collectRoles(ModuleOp module) {
  Roles roles;
  module.walk([&](Operation *op) {
    for (FlatSymbolRefAttr ref : lac::exec_kernels::normWeights(op))
      roles.norm.insert(ref.getAttr());
    for (FlatSymbolRefAttr ref : lac::exec_kernels::matrixWeights(op))
      (isa<EmbedOp>(op) ? roles.embed : roles.matrix).insert(ref.getAttr());
  });
  return roles;
}

struct SelectWeightFormats
    : lac::impl::LacSelectWeightFormatsBase<SelectWeightFormats> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr target = module->getAttrOfType<TargetAttr>(ExecDialect::kTargetAttrName);
    if (!target) {
      module.emitError("lac-select-weight-formats needs an #exec.target on the "
                       "module (run lac-convert-llama-to-exec first)");
      return signalPassFailure();
    }
    const auto *kernels = lac::exec_kernels::lookupTargetKernels(target.getBackend());
    if (!kernels) {
      module.emitError("no kernel table for target ") << target;
      return signalPassFailure();
    }
    std::optional<WeightFormat> forced;
    if (weightFormat != "auto") {
      forced = symbolizeWeightFormat(weightFormat);
      if (!forced) {
        module.emitError("unknown weight format '")
            << weightFormat << "' (expected auto, f32, f16, bf16, q8_0, q4_0, q4_1 or q4_g32)";
        return signalPassFailure();
      }
      if (!target.supports(*forced)) {
        module.emitError("target ") << target << " cannot run weights in format "
                                    << weightFormat << unsupportedHint(*forced, target);
        return signalPassFailure();
      }
    }

    if (weightLayout != "auto" && weightLayout != "row_major") {
      module.emitError("unknown weight layout '")
          << weightLayout << "' (expected auto or row_major)";
      return signalPassFailure();
    }
    const bool interleave = weightLayout == "auto" && target.getBackend() == Backend::cpu;

    Roles roles = collectRoles(module);
    llvm::DenseMap<StringAttr, WeightFormat> chosen;
    for (WeightOp w : module.getOps<WeightOp>()) {
      FailureOr<WeightFormat> f = choose(w, roles, forced, target);
      if (failed(f))
        return signalPassFailure();
      chosen[w.getSymNameAttr()] = *f;
    }

    for (WeightOp w : module.getOps<WeightOp>()) {
      WeightFormat f = chosen[w.getSymNameAttr()];
      if (isBlocked(f) && w.getShape().back() % 32 != 0) {
        w.emitOpError("cannot be stored as ")
            << stringifyWeightFormat(f) << ": its last dimension ("
            << w.getShape().back() << ") is not a multiple of 32";
        return signalPassFailure();
      }
      w.setFormatAttr(WeightFormatAttr::get(&getContext(), f));
      w.setLayoutAttr(WeightLayoutAttr::get(&getContext(), layoutOf(w, f, interleave)));
    }
    if (failed(lac::exec_kernels::assignKernels(module, *kernels)))
      signalPassFailure();
  }

  // x8 for a blocked matrix whose rows come in groups of 8 when
  // interleaving, else row_major.
  static WeightLayout layoutOf(WeightOp w, WeightFormat f, bool interleave) {
    ArrayRef<int64_t> shape = w.getShape();
    if (interleave && isBlocked(f) && shape.size() == 2 && shape[0] > 0 && shape[0] % 8 == 0)
      return WeightLayout::x8;
    return WeightLayout::row_major;
  }

  // The format of one weight before fused groups are unified.
  FailureOr<WeightFormat> choose(WeightOp w, const Roles &roles,
                                 std::optional<WeightFormat> forced,
                                 TargetAttr target) {
    StringAttr name = w.getSymNameAttr();
    if (roles.norm.contains(name) || w.getShape().size() == 1)
      return WeightFormat::f32;
    bool embedOnly = roles.embed.contains(name) && !roles.matrix.contains(name);
    if (forced) {
      if (embedOnly && isFourBit(*forced) &&
          target.supports(WeightFormat::q8_0))
        return WeightFormat::q8_0;
      return *forced;
    }
    // auto: keep a runnable source format, else q8_0 (else f32). A fused
    // weight (`source_dtypes`, one per part) takes the most precise of its
    // parts' choices, as a fused group does.
    SmallVector<StringRef> sources;
    if (auto parts = w->getAttrOfType<ArrayAttr>("source_dtypes")) {
      for (Attribute a : parts)
        if (auto s = dyn_cast<StringAttr>(a))
          sources.push_back(s.getValue());
    } else if (auto attr = w->getAttrOfType<StringAttr>("source_dtype")) {
      sources.push_back(attr.getValue());
    } else {
      sources.push_back(stringifyWeightFormat(w.getFormat()));
    }
    std::optional<WeightFormat> best;
    for (StringRef source : sources) {
      std::optional<WeightFormat> pick = runnable(w, source, target);
      if (!pick) {
        best.reset();
        break;
      }
      best = best ? lac::exec_kernels::morePrecise(*best, *pick) : *pick;
    }
    if (best)
      return *best;
    w.emitOpError("target ") << target << " can run neither q8_0 nor f32 weights";
    return failure();
  }

  // `source` if the target runs it for this shape, else its lossless
  // repacking (q4_0/q4_1 -> q4_g32), else q8_0, else f32.
  static std::optional<WeightFormat> runnable(WeightOp w, StringRef source,
                                              TargetAttr target) {
    auto fits = [&](WeightFormat f) {
      return target.supports(f) && (!isBlocked(f) || w.getShape().back() % 32 == 0);
    };
    if (std::optional<WeightFormat> f = symbolizeWeightFormat(source); f && fits(*f))
      return *f;
    if (std::optional<WeightFormat> f = losslessRepack(source, target); f && fits(*f))
      return *f;
    for (WeightFormat f : {WeightFormat::q8_0, WeightFormat::f32})
      if (fits(f))
        return f;
    return std::nullopt;
  }

};

} // namespace
