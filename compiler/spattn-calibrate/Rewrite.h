//===- Rewrite.h - The fitted spec ------------------------------*- C++ -*-===//
//
// Writes the fitted values into the spec (the `tune` marks stay, so the
// output can be calibrated again) and, for proposed head groups, turns the
// pattern into a `spattn.per_head` whose inputs carry their own budget ops.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_CALIBRATE_REWRITE_H
#define SPATTN_COMPILER_SPATTN_CALIBRATE_REWRITE_H

#include "Fit.h"

#include "llvm/Support/raw_ostream.h"

namespace spattn::calibrate {

/// Writes `values` (per tunable index in `which`) into the spec.
void applyValues(const std::vector<Tunable> &tunables,
                 const std::vector<size_t> &which,
                 const std::vector<double> &values);

/// Makes the yielded pattern of `spec` (which must not be a per_head) a
/// `spattn.per_head` over `groups` (contiguous, from head 0). Group 0 uses
/// the existing ops; each further group gets clones of every op between a
/// tunable budget and the yielded pattern; ops that depend on no tunable
/// stay shared. Each group's tunables (every one of `tunables`) get its
/// fitted values. With one group, only the values are written. Fails
/// (diagnostic emitted) if the result does not verify.
mlir::LogicalResult splitIntoGroups(mlir::spattn::SpecOp spec,
                                    const std::vector<Tunable> &tunables,
                                    const std::vector<ProposedGroup> &groups);

/// The spec as spattn-opt prints it (custom assembly forms).
void printSpec(mlir::spattn::SpecOp spec, llvm::raw_ostream &os);

} // namespace spattn::calibrate

#endif
