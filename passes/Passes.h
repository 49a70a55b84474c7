//===- Passes.h - spattn passes ---------------------------------*- C++ -*-===//
#ifndef SPATTN_PASSES_PASSES_H
#define SPATTN_PASSES_PASSES_H

#include "dialects/SpAttn/IR/SpAttnOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::spattn {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Runs --spattn-specialize-buckets then --spattn-lower-to-blocks on
/// `module` (what spattn-compile does before any emitter). Diagnostics go to
/// the context's handler.
LogicalResult lowerToSchedules(ModuleOp module);

/// The variants of spec `spec` in `module`, in bucket order.
SmallVector<VariantOp> variantsOf(ModuleOp module, SpecOp spec);

} // namespace mlir::spattn

#endif
