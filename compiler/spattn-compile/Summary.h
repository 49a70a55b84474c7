//===- Summary.h - spattn-compile --emit=summary ----------------*- C++ -*-===//
#ifndef SPATTN_COMPILER_SPATTN_COMPILE_SUMMARY_H
#define SPATTN_COMPILER_SPATTN_COMPILE_SUMMARY_H

#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace spattn {

/// Prints, per bucket of `spec`, what the passes recorded on its variant in
/// `lowered` (after mlir::spattn::lowerToSchedules): length range, strategy,
/// the exact range of every budget, then at the bucket's upper length the
/// kept fraction and the schedule's kept tiles, partial tiles and kept FLOPs
/// relative to dense. Emits a located diagnostic and fails on error.
mlir::LogicalResult printSummary(mlir::ModuleOp lowered,
                                 mlir::spattn::SpecOp spec,
                                 llvm::raw_ostream &os);

} // namespace spattn

#endif
