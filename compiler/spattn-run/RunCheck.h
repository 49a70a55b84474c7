//===- RunCheck.h - spattn-run --check --------------------------*- C++ -*-===//
//
// Every row is checked while B * Hq * Lq * Lk stays small; above that, a
// fixed-seed sample of rows per (batch, head), always the first and last.
// Prints the max abs error of O and LSE against the fp64 reference (the
// mask the library applied) and the recall of the kept keys.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_RUN_RUNCHECK_H
#define SPATTN_COMPILER_SPATTN_RUN_RUNCHECK_H

#include "compiler/library/LibraryReference.h"

#include "llvm/Support/raw_ostream.h"

namespace spattn::run {

/// Errors above this fail the check (fp32 kernels, fp64 reference).
constexpr double kTolerance = 1e-4;

/// Checks `call`, prints two lines (errors, recall) on `os`; returns the
/// exit code: 0, or 1 when an error exceeds kTolerance.
int checkAndReport(const LibraryApi &lib, const ref::Pattern &pattern,
                   const ref::AttentionProblem &problem, const CallData &call,
                   llvm::raw_ostream &os);

} // namespace spattn::run

#endif
