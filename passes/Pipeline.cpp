//===- Pipeline.cpp - The passes every emitter runs first -----------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace mlir::spattn;

LogicalResult mlir::spattn::lowerToSchedules(ModuleOp module) {
  PassManager pm(module.getContext());
  pm.addPass(createSpAttnSpecializeBucketsPass());
  pm.addPass(createSpAttnLowerToBlocksPass());
  return pm.run(module);
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
