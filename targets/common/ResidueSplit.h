//===- ResidueSplit.h - A residue class united with the rest -----*- C++ -*-===//
//
// A strided pattern keeps the pairs with (p(i) - j) mod t == 0: row i and
// key j of the same class c = j mod t. Within a class it keeps every key
// (under the causal mask, every earlier one), so the class is dense
// attention over every t-th row and key, which the kernels run at their
// full rate; its pairs taken one by one (the pairs form) cost several
// times more each. Where a schedule's root unites such a class with other
// patterns, a library describes the split (spattn::abi::ResidueClasses):
// the class on its own, and the rest of the root with the class removed.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_COMMON_RESIDUESPLIT_H
#define SPATTN_TARGETS_COMMON_RESIDUESPLIT_H

#include "targets/common/LibraryPlan.h"

#include <optional>
#include <vector>

namespace mlir::spattn {

/// root = union(residue, rest...), or intersect(that union, causal...).
struct ResidueSplit {
  int residue;            // the class leaf: keeps exactly (pos - j) mod t == 0
  std::vector<int> rest;  // the union's other children
  std::vector<int> clips; // the root's causal leaves (empty: no causal mask)
  AffineExpr modulus;     // t, over the residue leaf's symbols
};

/// The split of `variant`'s schedule, if its root has that form.
std::optional<ResidueSplit> findResidueSplit(const plan::Variant &variant);

} // namespace mlir::spattn

#endif
