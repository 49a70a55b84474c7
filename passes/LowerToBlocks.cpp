//===- LowerToBlocks.cpp - Patterns to block schedules --------------------===//
//
// Each pattern op lowers itself (PatternOpInterface::lowerToBlocks, in
// dialects/SpAttn/IR/SpAttnLowering.cpp); this pass runs the BlockLowering
// over every variant that still yields a pattern.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/SpAttn/IR/SpAttnLowering.h"

namespace mlir::spattn {
#define GEN_PASS_DEF_SPATTNLOWERTOBLOCKSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::spattn

using namespace mlir;
using namespace mlir::spattn;

namespace {

struct LowerToBlocks : mlir::spattn::impl::SpAttnLowerToBlocksPassBase<LowerToBlocks> {
  void runOnOperation() override {
    for (VariantOp variant : getOperation().getOps<VariantOp>())
      if (isa<PatternType>(variant.getResult().getType()))
        BlockLowering(variant).run();
  }
};

} // namespace
