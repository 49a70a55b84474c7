//===- SpAttnBlocksOps.cpp - Each schedule op described as data -----------===//
//
// ScheduleOpInterface::describe for every `spattn.blocks.*` op and
// SelectionOpInterface::describeSelection for every `spattn.select.*` op.
//
//===----------------------------------------------------------------------===//
#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "dialects/SpAttn/IR/SpAttnPredicate.h"

using namespace mlir;
using namespace mlir::spattn;

namespace {

BlocksNode node(BlocksNode::Kind kind, ValueRange inputs = {}) {
  BlocksNode n;
  n.kind = kind;
  n.inputs.assign(inputs.begin(), inputs.end());
  return n;
}

} // namespace

BlocksNode BlocksAffineOp::describe() {
  BlocksNode n = node(BlocksNode::Kind::Affine);
  n.symbols.assign(getSymbols().begin(), getSymbols().end());
  n.touchLower = getTouchLower();
  n.touchUpper = getTouchUpper();
  n.touchWhen = getTouchWhen();
  if (getFullLowerAttr()) {
    n.fullLower = *getFullLower();
    n.fullUpper = *getFullUpper();
    n.fullWhen = getFullWhen();
  }
  n.keep = getKeep();
  return n;
}

BlocksNode BlocksLayoutOp::describe() {
  BlocksNode n = node(BlocksNode::Kind::Layout);
  n.block = getBlock();
  layoutRowsAsGroups(getLayout(), n.layoutOffsets, n.layoutIndices);
  return n;
}

BlocksNode BlocksSelectedOp::describe() {
  BlocksNode n = node(BlocksNode::Kind::Selected);
  n.selection = getSelection().getDefiningOp();
  return n;
}

BlocksNode BlocksPredicateOp::describe() {
  BlocksNode n = node(BlocksNode::Kind::Predicate);
  n.symbols.assign(getArgs().begin(), getArgs().end());
  n.program = *compilePredicate(getBody(), /*emitErrors=*/false);
  return n;
}

BlocksNode BlocksUnionOp::describe() {
  return node(BlocksNode::Kind::Union, getInputs());
}

BlocksNode BlocksIntersectOp::describe() {
  return node(BlocksNode::Kind::Intersect, getInputs());
}

BlocksNode BlocksPerHeadOp::describe() {
  BlocksNode n = node(BlocksNode::Kind::PerHead, getInputs());
  n.headStarts.assign(getHeads().begin(), getHeads().end());
  return n;
}

SelectionNode SelectTopkOp::describeSelection() {
  SelectionNode n;
  n.counts = {getCount()};
  n.capacities = {static_cast<int64_t>(getCapacity())};
  Operation *estimate = getScores().getDefiningOp();
  if (auto hash = dyn_cast<EstimateHashOp>(estimate)) {
    n.kind = SelectionNode::Kind::RandomBlocks;
    n.block = hash.getBlock();
    n.seed = static_cast<uint64_t>(hash.getSeed());
  } else if (auto pages = dyn_cast<EstimatePageBoundsOp>(estimate)) {
    n.kind = SelectionNode::Kind::Pages;
    n.block = pages.getPage();
  } else {
    n.kind = SelectionNode::Kind::TopkBlocks;
    n.block = cast<EstimatePooledOp>(estimate).getBlock();
  }
  return n;
}

SelectionNode SelectMassOp::describeSelection() {
  SelectionNode n;
  n.kind = SelectionNode::Kind::Mass;
  n.block = cast<EstimatePooledOp>(getScores().getDefiningOp()).getBlock();
  n.gamma = getGamma().convertToDouble();
  n.counts = {getMaxBlocks()};
  n.capacities = {static_cast<int64_t>(getCapacity())};
  return n;
}

SelectionNode SelectVerticalSlashOp::describeSelection() {
  SelectionNode n;
  n.kind = SelectionNode::Kind::VerticalSlash;
  auto estimate = cast<EstimateLastQueriesOp>(getScores().getDefiningOp());
  n.counts = {getVerticals(), getSlashes(), estimate.getLastQueries()};
  n.capacities = {static_cast<int64_t>(getCapacityVerticals()),
                  static_cast<int64_t>(getCapacitySlashes())};
  return n;
}
