//===- Summary.h - spattn-compile --emit=summary ----------------*- C++ -*-===//
#ifndef SPATTN_COMPILER_SPATTN_COMPILE_SUMMARY_H
#define SPATTN_COMPILER_SPATTN_COMPILE_SUMMARY_H

#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "llvm/Support/raw_ostream.h"

namespace spattn {

/// Prints, per bucket of `spec`: its length range, the range every budget
/// takes over it, and the kept fraction at the bucket's upper length. Emits
/// a located diagnostic and fails if a budget cannot be evaluated.
mlir::LogicalResult printSummary(mlir::spattn::SpecOp spec,
                                 llvm::raw_ostream &os);

} // namespace spattn

#endif
