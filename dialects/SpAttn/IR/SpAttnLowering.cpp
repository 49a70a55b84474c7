//===- SpAttnLowering.cpp - Each pattern op's block schedule --------------===//
//
// PatternOpInterface::lowerToBlocks for every pattern op, and the
// BlockLowering driver --spattn-lower-to-blocks runs. The tile ranges of
// each primitive are derived in the comment next to them (SpAttnLowering.h
// defines touched and full).
//
//===----------------------------------------------------------------------===//
#include "dialects/SpAttn/IR/SpAttnLowering.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/IntegerSet.h"

using namespace mlir;
using namespace mlir::spattn;

BlockLowering::BlockLowering(VariantOp variant)
    : variant(variant), ctx(variant.getContext()), builder(ctx),
      blockQ(variant.getBlockQ()), blockK(variant.getBlockK()),
      q(getAffineDimExpr(0, ctx)), qs(q * blockQ), qe(q * blockQ + blockQ - 1),
      pos(getAffineDimExpr(0, ctx)), keyDim(getAffineDimExpr(1, ctx)) {}

void BlockLowering::run() {
  Block &body = variant.getBody().front();
  SmallVector<Operation *> patternOps;
  site = 0;
  for (Operation &op : body) {
    size_t parameters = getPatternParameters(&op).size();
    if (auto pattern = dyn_cast<PatternOpInterface>(&op)) {
      builder.setInsertionPoint(&op);
      lowered.map(op.getResult(0), pattern.lowerToBlocks(*this));
      patternOps.push_back(&op);
    }
    site += parameters;
  }
  auto yield = cast<YieldOp>(body.back());
  builder.setInsertionPoint(yield);
  Value root = lowered.lookup(yield.getPattern());
  if (variant.getCausal())
    root = BlocksIntersectOp::create(builder, yield.getLoc(), blocksType(),
                                     ValueRange{root, causal(yield.getLoc())});
  yield.getPatternMutable().assign(root);
  for (Operation *op : llvm::reverse(patternOps))
    op->erase();
}

SmallVector<Value> BlockLowering::schedulesOf(ValueRange patterns) {
  SmallVector<Value> schedules;
  for (Value p : patterns)
    schedules.push_back(lowered.lookup(p));
  return schedules;
}

Value BlockLowering::build(Location loc, AffineLeaf &leaf) {
  unsigned n = leaf.symbols.size();
  auto map = [&](ArrayRef<AffineExpr> exprs) {
    return exprs.empty() ? AffineMapAttr()
                         : AffineMapAttr::get(AffineMap::get(1, n, exprs, ctx));
  };
  auto guard = [&](ArrayRef<AffineExpr> exprs, bool equality) {
    SmallVector<bool> flags(exprs.size(), equality);
    return exprs.empty() ? IntegerSetAttr()
                         : IntegerSetAttr::get(IntegerSet::get(1, n, exprs, flags));
  };
  return BlocksAffineOp::create(
      builder, loc, blocksType(), leaf.symbols, map(leaf.touchLower),
      map(leaf.touchUpper), guard(leaf.touchWhen, false), map(leaf.fullLower),
      map(leaf.fullUpper), guard(leaf.fullWhen, leaf.fullWhenIsEquality),
      IntegerSetAttr::get(IntegerSet::get(2, n, leaf.keep, leaf.keepIsEquality)));
}

/// The causal mask j <= p: touched up to the diagonal tile; full below it,
/// where the tile's last key c*Bk + Bk - 1 <= qs, i.e. c < (qs + 1) / Bk.
Value BlockLowering::causal(Location loc) {
  AffineLeaf leaf;
  leaf.touchLower = {constant(0)};
  leaf.touchUpper = {tileOf(qe) + 1};
  leaf.fullLower = {constant(0)};
  leaf.fullUpper = {tileOf(qs + 1)};
  leaf.keepAtLeastZero(pos - keyDim);
  return build(loc, leaf);
}

int64_t BlockLowering::capacity(unsigned parameter, int64_t candidates) {
  return std::min(variant.getBudgetMax()[site + parameter], candidates);
}

int64_t BlockLowering::unitsAtHi(int64_t unit) {
  return (variant.getHi() + unit - 1) / unit;
}

Value BlockLowering::selected(Location loc, Value selection) {
  return BlocksSelectedOp::create(builder, loc, blocksType(), selection);
}

//===----------------------------------------------------------------------===//
// Token-level primitives: affine leaves
//===----------------------------------------------------------------------===//

/// window(w): keys p - w < j <= p, kept for w >= 1. Touched: keys
/// [qs - w + 1, qe]. Full: c*Bk + Bk - 1 <= qs (below every position) and
/// c*Bk > qe - w (inside every window): c in [(qe - w) / Bk + 1, (qs + 1) / Bk).
/// Symmetric, |p - j| < w: touched keys [qs - w + 1, qe + w - 1]; full
/// c*Bk >= qe - w + 1 and c*Bk + Bk - 1 <= qs + w - 1.
Value WindowOp::lowerToBlocks(BlockLowering &l) {
  AffineLeaf leaf;
  leaf.symbols = {getSize()};
  AffineExpr w = l.symbol(0), qs = l.firstPosition(), qe = l.lastPosition();
  AffineExpr pos = l.position(), key = l.key();
  leaf.touchWhen = {w - 1};
  leaf.touchLower = {l.tileOf(qs - w + 1), l.constant(0)};
  if (getSymmetric()) {
    leaf.touchUpper = {l.tileOf(qe + w - 1) + 1};
    leaf.fullLower = {(qe - w + 1).ceilDiv(l.tileK())};
    leaf.fullUpper = {l.tileOf(qs + w)};
    leaf.keepAtLeastZero(w - 1 - pos + key);
    leaf.keepAtLeastZero(w - 1 + pos - key);
  } else {
    leaf.touchUpper = {l.tileOf(qe) + 1};
    leaf.fullLower = {l.tileOf(qe - w) + 1};
    leaf.fullUpper = {l.tileOf(qs + 1)};
    leaf.keepAtLeastZero(pos - key);
    leaf.keepAtLeastZero(w - 1 - pos + key);
  }
  return l.build(getLoc(), leaf);
}

/// sink(s): keys j < s; touched tiles [0, ceil(s / Bk)), full [0, s / Bk).
Value SinkOp::lowerToBlocks(BlockLowering &l) {
  AffineLeaf leaf;
  leaf.symbols = {getCount()};
  AffineExpr s = l.symbol(0);
  leaf.touchLower = {l.constant(0)};
  leaf.touchUpper = {s.ceilDiv(l.tileK())};
  leaf.fullLower = {l.constant(0)};
  leaf.fullUpper = {s.floorDiv(l.tileK())};
  leaf.keepAtLeastZero(s - 1 - l.key());
  return l.build(getLoc(), leaf);
}

/// global_queries(g): positions p < g see every key; the tile is touched
/// when its first position is global and full when its last one is.
Value GlobalQueriesOp::lowerToBlocks(BlockLowering &l) {
  AffineLeaf leaf;
  leaf.symbols = {getCount(), l.getVariant().getLength()};
  AffineExpr g = l.symbol(0), length = l.symbol(1);
  leaf.touchWhen = {g - 1 - l.firstPosition()};
  leaf.touchLower = {l.constant(0)};
  leaf.touchUpper = {length.ceilDiv(l.tileK())};
  leaf.fullWhen = {g - 1 - l.lastPosition()};
  leaf.fullLower = {l.constant(0)};
  leaf.fullUpper = {length.ceilDiv(l.tileK())};
  leaf.keepAtLeastZero(g - 1 - l.position());
  return l.build(getLoc(), leaf);
}

/// strided(t): (p - j) mod t == 0 reaches every key tile; all of them are
/// full when t == 1.
Value StridedOp::lowerToBlocks(BlockLowering &l) {
  AffineLeaf leaf;
  leaf.symbols = {getStride(), l.getVariant().getLength()};
  AffineExpr t = l.symbol(0), length = l.symbol(1);
  leaf.touchLower = {l.constant(0)};
  leaf.touchUpper = {length.ceilDiv(l.tileK())};
  leaf.fullWhen = {t - 1};
  leaf.fullWhenIsEquality = true;
  leaf.fullLower = {l.constant(0)};
  leaf.fullUpper = {length.ceilDiv(l.tileK())};
  leaf.keepZero((l.position() - l.key()) % t);
  return l.build(getLoc(), leaf);
}

/// dilated_window(w, t): d = p - j in {0, t, ..., (w-1)t}. Touched like a
/// window of (w - 1)t + 1 keys; full only for t == 1, as window(w).
Value DilatedWindowOp::lowerToBlocks(BlockLowering &l) {
  AffineLeaf leaf;
  leaf.symbols = {getSize(), getDilation()};
  AffineExpr w = l.symbol(0), t = l.symbol(1);
  AffineExpr qs = l.firstPosition(), qe = l.lastPosition();
  AffineExpr pos = l.position(), key = l.key();
  leaf.touchWhen = {w - 1};
  leaf.touchLower = {l.tileOf(qs - (w - 1) * t), l.constant(0)};
  leaf.touchUpper = {l.tileOf(qe) + 1};
  leaf.fullWhen = {t - 1};
  leaf.fullWhenIsEquality = true;
  leaf.fullLower = {l.tileOf(qe - w) + 1};
  leaf.fullUpper = {l.tileOf(qs + 1)};
  leaf.keepAtLeastZero(pos - key);
  leaf.keepAtLeastZero((w - 1) * t - pos + key);
  leaf.keepZero((pos - key) % t);
  return l.build(getLoc(), leaf);
}

//===----------------------------------------------------------------------===//
// Block-level primitives: layouts and selection stages
//===----------------------------------------------------------------------===//

Value BlockLayoutOp::lowerToBlocks(BlockLowering &l) {
  return BlocksLayoutOp::create(l.getBuilder(), getLoc(), l.blocksType(), getLayout(),
                                getBlock());
}

Value RandomBlocksOp::lowerToBlocks(BlockLowering &l) {
  OpBuilder &b = l.getBuilder();
  Value scores = EstimateHashOp::create(b, getLoc(), l.scoresType(), getBlock(), getSeed());
  return l.selected(getLoc(), SelectTopkOp::create(
                                  b, getLoc(), l.selectionType(), scores, getCount(),
                                  l.capacity(0, l.unitsAtHi(getBlock()))));
}

Value TopkBlocksOp::lowerToBlocks(BlockLowering &l) {
  OpBuilder &b = l.getBuilder();
  Value scores = EstimatePooledOp::create(b, getLoc(), l.scoresType(), getBlock());
  return l.selected(getLoc(), SelectTopkOp::create(
                                  b, getLoc(), l.selectionType(), scores, getCount(),
                                  l.capacity(0, l.unitsAtHi(getBlock()))));
}

Value MassOp::lowerToBlocks(BlockLowering &l) {
  OpBuilder &b = l.getBuilder();
  Value scores = EstimatePooledOp::create(b, getLoc(), l.scoresType(), getBlock());
  return l.selected(getLoc(),
                    SelectMassOp::create(b, getLoc(), l.selectionType(), scores,
                                         getMaxBlocks(), getGammaAttr(),
                                         b.getI64IntegerAttr(l.capacity(
                                             0, l.unitsAtHi(getBlock())))));
}

Value PagesOp::lowerToBlocks(BlockLowering &l) {
  OpBuilder &b = l.getBuilder();
  Value scores = EstimatePageBoundsOp::create(b, getLoc(), l.scoresType(), getPage());
  return l.selected(getLoc(), SelectTopkOp::create(
                                  b, getLoc(), l.selectionType(), scores, getCount(),
                                  l.capacity(0, l.unitsAtHi(getPage()))));
}

/// Columns: at most every key at the bucket's end; offsets: 0 .. hi-1 under
/// causal, -(hi-1) .. hi-1 otherwise.
Value VerticalSlashOp::lowerToBlocks(BlockLowering &l) {
  OpBuilder &b = l.getBuilder();
  Value scores =
      EstimateLastQueriesOp::create(b, getLoc(), l.scoresType(), getLastQueries());
  int64_t hi = l.getVariant().getHi();
  int64_t offsets = l.getVariant().getCausal() ? hi : 2 * hi - 1;
  return l.selected(getLoc(), SelectVerticalSlashOp::create(
                                  b, getLoc(), l.selectionType(), scores, getVerticals(),
                                  getSlashes(), l.capacity(0, hi),
                                  l.capacity(1, offsets)));
}

//===----------------------------------------------------------------------===//
// Combinators
//===----------------------------------------------------------------------===//

Value UnionOp::lowerToBlocks(BlockLowering &l) {
  return BlocksUnionOp::create(l.getBuilder(), getLoc(), l.blocksType(),
                               l.schedulesOf(getInputs()));
}

Value IntersectOp::lowerToBlocks(BlockLowering &l) {
  return BlocksIntersectOp::create(l.getBuilder(), getLoc(), l.blocksType(),
                                   l.schedulesOf(getInputs()));
}

Value PerHeadOp::lowerToBlocks(BlockLowering &l) {
  return BlocksPerHeadOp::create(l.getBuilder(), getLoc(), l.blocksType(),
                                 l.schedulesOf(getInputs()), getHeads());
}
