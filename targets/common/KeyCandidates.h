//===- KeyCandidates.h - The keys a row may keep, before testing them -*- C++ -*-===//
//
// A partial span's mask comes from the token predicate, and testing it on
// every (row, key) pair costs int64 arithmetic, and a division per mod, on
// pairs that are mostly not kept (a strided pattern keeps 1 key in
// sqrt(L) of every tile). An affine predicate says more than yes or no:
// its constraints that are linear in the key bound a row's kept keys to an
// interval, and a constraint "(e +- j) mod m == 0" to one residue class mod
// m (strided and dilated patterns). The generated keepRow tests only those
// candidates and leaves the other keys 0.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_COMMON_KEYCANDIDATES_H
#define SPATTN_TARGETS_COMMON_KEYCANDIDATES_H

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/IntegerSet.h"

#include <vector>

namespace mlir::spattn {

/// Affine expressions over the dimensions (pos, j) and the predicate's
/// symbols, free of j, narrowing the keys j one row keeps: lower[i] <= j <
/// upper[i] for every i, and j == residue (mod modulus) when `modulus` is
/// set and positive at the call. `interval`: the row keeps exactly the keys
/// of [lower, upper) (every constraint is linear in j), so they need no
/// test.
struct KeyCandidates {
  std::vector<AffineExpr> lower, upper;
  AffineExpr modulus, residue;
  bool interval = true;
};

/// The candidates of a token predicate `keep` over the dimensions (pos, j).
/// Every key `keep` holds for is a candidate.
KeyCandidates keyCandidates(IntegerSet keep);

} // namespace mlir::spattn

#endif
