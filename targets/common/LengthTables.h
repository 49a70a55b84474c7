//===- LengthTables.h - Values of the body at every length ------*- C++ -*-===//
//
// A generated library must know, at each call's L, the value of every
// schedule parameter (and of every budget, for the debugging API). Rather
// than translating arith / math / spattn.budget ops to C, the compiler folds
// the body at every L of the bucket with the ops' own folders (as the
// summary and the specialization do) and stores run-length tables: the
// library's values are the compiler's by construction. A spec with request
// parameters gets one set of tables per combination of request values.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_COMMON_LENGTHTABLES_H
#define SPATTN_TARGETS_COMMON_LENGTHTABLES_H

#include "mlir/IR/Value.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <vector>

namespace mlir::spattn {

/// value[k] holds for L in [start[k], start[k + 1]).
struct LengthRuns {
  std::vector<int64_t> start, value;
  void add(int64_t length, int64_t v) {
    if (value.empty() || value.back() != v) {
      start.push_back(length);
      value.push_back(v);
    }
  }
};

/// Runs of each of `values` (index values of `body`) over L in [lo, hi],
/// once per combination of request values in `requests` (the library's
/// order, core/RequestSpace.h): runs[c * values.size() + v] is value v under
/// combination c.
FailureOr<std::vector<LengthRuns>>
tabulate(Block &body, ArrayRef<Value> values, int64_t lo, int64_t hi,
         ArrayRef<std::vector<int64_t>> requests);

} // namespace mlir::spattn

#endif
