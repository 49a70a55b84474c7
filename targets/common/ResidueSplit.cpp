//===- ResidueSplit.cpp - A residue class united with the rest ------------===//
#include "targets/common/ResidueSplit.h"

#include "targets/common/KeyCandidates.h"

namespace mlir::spattn {

namespace {

using plan::ScheduleNode;

/// An affine leaf of one constraint over (pos, j).
bool isAffineLeaf(const ScheduleNode &node) {
  return node.kind == ScheduleNode::Kind::Affine && node.keep.getNumConstraints() == 1;
}

/// The causal mask's leaf: pos - j >= 0.
bool isCausalLeaf(const ScheduleNode &node) {
  if (!isAffineLeaf(node) || node.keep.isEq(0))
    return false;
  MLIRContext *context = node.keep.getContext();
  return node.keep.getConstraint(0) ==
         getAffineDimExpr(0, context) - getAffineDimExpr(1, context);
}

/// t when `node` keeps exactly the keys with (pos - j) mod t == 0.
AffineExpr residueModulus(const ScheduleNode &node) {
  if (!isAffineLeaf(node) || !node.keep.isEq(0))
    return {};
  KeyCandidates candidates = keyCandidates(node.keep);
  if (!candidates.modulus || !candidates.lower.empty() || !candidates.upper.empty() ||
      candidates.residue != getAffineDimExpr(0, node.keep.getContext()))
    return {};
  return candidates.modulus;
}

} // namespace

std::optional<ResidueSplit> findResidueSplit(const plan::Variant &variant) {
  if (variant.root < 0)
    return std::nullopt;
  const ScheduleNode &root = variant.nodes[variant.root];
  ResidueSplit split;
  int unite = variant.root;
  if (root.kind == ScheduleNode::Kind::Intersect) {
    unite = -1;
    for (int child : root.children) {
      const ScheduleNode &node = variant.nodes[child];
      if (isCausalLeaf(node))
        split.clips.push_back(child);
      else if (unite < 0 && node.kind == ScheduleNode::Kind::Union)
        unite = child;
      else
        return std::nullopt;
    }
    if (unite < 0)
      return std::nullopt;
  }
  const ScheduleNode &node = variant.nodes[unite];
  if (node.kind != ScheduleNode::Kind::Union)
    return std::nullopt;
  for (int child : node.children) {
    AffineExpr modulus =
        split.modulus ? AffineExpr() : residueModulus(variant.nodes[child]);
    if (modulus) {
      split.residue = child;
      split.modulus = modulus;
    } else {
      split.rest.push_back(child);
    }
  }
  if (!split.modulus || split.rest.empty())
    return std::nullopt;
  return split;
}

} // namespace mlir::spattn
