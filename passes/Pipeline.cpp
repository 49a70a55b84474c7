//===- Pipeline.cpp - The passes every emitter runs first -----------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace mlir::spattn;

/// Whether the variants of `spec` are one per bucket, in order, each serving
/// exactly its bucket's lengths: what every emitter reads. Input may hold
/// hand-written variants, so this is checked, not assumed.
static LogicalResult checkVariantsCoverBuckets(ModuleOp module, SpecOp spec) {
  ArrayRef<int64_t> buckets = spec.getBuckets();
  SmallVector<VariantOp> variants = variantsOf(module, spec);
  if (variants.size() != buckets.size())
    return spec.emitError() << "spec @" << spec.getSymName() << " has "
                            << buckets.size() << " buckets but "
                            << variants.size() << " lowered variants";
  int64_t lo = 1;
  for (auto [bucket, variant] : llvm::enumerate(variants)) {
    if (variant.getBucket() != bucket ||
        static_cast<int64_t>(variant.getLo()) != lo ||
        static_cast<int64_t>(variant.getHi()) != buckets[bucket])
      return variant.emitError()
             << "variant of bucket " << bucket << " of spec @"
             << spec.getSymName() << " must serve L in [" << lo << ", "
             << buckets[bucket] << "]";
    lo = buckets[bucket] + 1;
  }
  return success();
}

LogicalResult mlir::spattn::lowerToSchedules(ModuleOp module) {
  PassManager pm(module.getContext());
  pm.addPass(createSpAttnSpecializeBucketsPass());
  pm.addPass(createSpAttnLowerToBlocksPass());
  if (failed(pm.run(module)))
    return failure();
  for (SpecOp spec : module.getOps<SpecOp>())
    if (failed(checkVariantsCoverBuckets(module, spec)))
      return failure();
  return success();
}

SmallVector<VariantOp> mlir::spattn::variantsOf(ModuleOp module, SpecOp spec) {
  SmallVector<VariantOp> variants;
  for (VariantOp variant : module.getOps<VariantOp>())
    if (variant.getSpec() == spec.getSymName())
      variants.push_back(variant);
  llvm::sort(variants, [](VariantOp a, VariantOp b) {
    return a.getBucket() < b.getBucket();
  });
  return variants;
}
