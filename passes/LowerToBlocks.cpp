//===- LowerToBlocks.cpp - Patterns to block schedules --------------------===//
//
// Tiles: query tile q covers positions [qs, qe] = [q*Bq, q*Bq + Bq - 1], key
// tile c keys [c*Bk, c*Bk + Bk - 1]. For every primitive the touched range
// is the smallest tile range holding all kept pairs of the tile's positions
// and the full range the largest holding only kept pairs; both are derived
// in the comments next to them. Consumers clip to the key tiles that exist.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/SpAttn/Eval/SpecEvaluator.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IntegerSet.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::spattn {
#define GEN_PASS_DEF_SPATTNLOWERTOBLOCKSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::spattn

using namespace mlir;
using namespace mlir::spattn;

namespace {

/// One affine leaf under construction: maps over (d0 = query tile)[symbols],
/// the keep set over (d0 = position, d1 = key)[symbols].
struct AffineLeaf {
  SmallVector<Value> symbols;
  SmallVector<AffineExpr> touchLower, touchUpper, fullLower, fullUpper;
  SmallVector<AffineExpr> touchWhen, fullWhen; // each >= 0
  SmallVector<AffineExpr> keep;                // each >= 0 ...
  SmallVector<bool> keepIsEquality;            // ... or == 0 where true
  bool fullWhenIsEquality = false;

  void keepAtLeastZero(AffineExpr e) {
    keep.push_back(e);
    keepIsEquality.push_back(false);
  }
  void keepZero(AffineExpr e) {
    keep.push_back(e);
    keepIsEquality.push_back(true);
  }
};

class Lowering {
public:
  Lowering(VariantOp variant)
      : variant(variant), ctx(variant.getContext()), builder(ctx),
        tileQ(variant.getBlockQ()), tileK(variant.getBlockK()),
        q(getAffineDimExpr(0, ctx)), qs(q * tileQ), qe(q * tileQ + tileQ - 1),
        pos(getAffineDimExpr(0, ctx)), key(getAffineDimExpr(1, ctx)) {}

  void run() {
    Block &body = variant.getBody().front();
    SmallVector<Operation *> patternOps;
    size_t site = 0;
    for (Operation &op : body) {
      size_t parameters = getPatternParameters(&op).size();
      if (op.getNumResults() == 1 && isa<PatternType>(op.getResult(0).getType())) {
        builder.setInsertionPoint(&op);
        lowered.map(op.getResult(0), lower(&op, site));
        patternOps.push_back(&op);
      }
      site += parameters;
    }
    auto yield = cast<YieldOp>(body.back());
    builder.setInsertionPoint(yield);
    Value root = lowered.lookup(yield.getPattern());
    if (variant.getCausal())
      root = BlocksIntersectOp::create(builder, yield.getLoc(), blocksType,
                                       ValueRange{root, causal(yield.getLoc())});
    yield.getPatternMutable().assign(root);
    for (Operation *op : llvm::reverse(patternOps))
      op->erase();
  }

private:
  AffineExpr sym(unsigned k) { return getAffineSymbolExpr(k, ctx); }
  AffineExpr tileOf(AffineExpr position) { return position.floorDiv(tileK); }

  Value build(Location loc, AffineLeaf &leaf) {
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
        builder, loc, blocksType, leaf.symbols, map(leaf.touchLower), map(leaf.touchUpper),
        guard(leaf.touchWhen, false), map(leaf.fullLower), map(leaf.fullUpper),
        guard(leaf.fullWhen, leaf.fullWhenIsEquality),
        IntegerSetAttr::get(IntegerSet::get(2, n, leaf.keep, leaf.keepIsEquality)));
  }

  /// The causal mask j <= p: touched up to the diagonal tile; full below it,
  /// where the tile's last key c*Bk + Bk - 1 <= qs, i.e. c < (qs + 1) / Bk.
  Value causal(Location loc) {
    AffineLeaf leaf;
    leaf.touchLower = {getAffineConstantExpr(0, ctx)};
    leaf.touchUpper = {tileOf(qe) + 1};
    leaf.fullLower = {getAffineConstantExpr(0, ctx)};
    leaf.fullUpper = {tileOf(qs + 1)};
    leaf.keepAtLeastZero(pos - key);
    return build(loc, leaf);
  }

  /// window(w): keys p - w < j <= p, kept for w >= 1. Touched: keys
  /// [qs - w + 1, qe]. Full: c*Bk + Bk - 1 <= qs (below every position) and
  /// c*Bk > qe - w (inside every window): c in [(qe - w) / Bk + 1, (qs + 1) / Bk).
  Value window(Location loc, Value size) {
    AffineLeaf leaf;
    leaf.symbols = {size};
    AffineExpr w = sym(0);
    leaf.touchWhen = {w - 1};
    leaf.touchLower = {tileOf(qs - w + 1), getAffineConstantExpr(0, ctx)};
    leaf.touchUpper = {tileOf(qe) + 1};
    leaf.fullLower = {tileOf(qe - w) + 1};
    leaf.fullUpper = {tileOf(qs + 1)};
    leaf.keepAtLeastZero(pos - key);
    leaf.keepAtLeastZero(w - 1 - pos + key);
    return build(loc, leaf);
  }

  /// symmetric window(w): |p - j| < w. Touched: keys [qs - w + 1, qe + w - 1].
  /// Full: c*Bk >= qe - w + 1 and c*Bk + Bk - 1 <= qs + w - 1.
  Value symmetricWindow(Location loc, Value size) {
    AffineLeaf leaf;
    leaf.symbols = {size};
    AffineExpr w = sym(0);
    leaf.touchWhen = {w - 1};
    leaf.touchLower = {tileOf(qs - w + 1), getAffineConstantExpr(0, ctx)};
    leaf.touchUpper = {tileOf(qe + w - 1) + 1};
    leaf.fullLower = {(qe - w + 1).ceilDiv(tileK)};
    leaf.fullUpper = {tileOf(qs + w)};
    leaf.keepAtLeastZero(w - 1 - pos + key);
    leaf.keepAtLeastZero(w - 1 + pos - key);
    return build(loc, leaf);
  }

  /// sink(s): keys j < s; touched tiles [0, ceil(s / Bk)), full [0, s / Bk).
  Value sink(Location loc, Value count) {
    AffineLeaf leaf;
    leaf.symbols = {count};
    AffineExpr s = sym(0);
    leaf.touchLower = {getAffineConstantExpr(0, ctx)};
    leaf.touchUpper = {s.ceilDiv(tileK)};
    leaf.fullLower = {getAffineConstantExpr(0, ctx)};
    leaf.fullUpper = {s.floorDiv(tileK)};
    leaf.keepAtLeastZero(s - 1 - key);
    return build(loc, leaf);
  }

  /// global_queries(g): positions p < g see every key; the tile is touched
  /// when its first position is global and full when its last one is.
  Value globalQueries(Location loc, Value count) {
    AffineLeaf leaf;
    leaf.symbols = {count, variant.getLength()};
    AffineExpr g = sym(0), length = sym(1);
    leaf.touchWhen = {g - 1 - qs};
    leaf.touchLower = {getAffineConstantExpr(0, ctx)};
    leaf.touchUpper = {length.ceilDiv(tileK)};
    leaf.fullWhen = {g - 1 - qe};
    leaf.fullLower = {getAffineConstantExpr(0, ctx)};
    leaf.fullUpper = {length.ceilDiv(tileK)};
    leaf.keepAtLeastZero(g - 1 - pos);
    return build(loc, leaf);
  }

  /// strided(t): (p - j) mod t == 0 reaches every key tile; all of them are
  /// full when t == 1.
  Value strided(Location loc, Value stride) {
    AffineLeaf leaf;
    leaf.symbols = {stride, variant.getLength()};
    AffineExpr t = sym(0), length = sym(1);
    leaf.touchLower = {getAffineConstantExpr(0, ctx)};
    leaf.touchUpper = {length.ceilDiv(tileK)};
    leaf.fullWhen = {t - 1};
    leaf.fullWhenIsEquality = true;
    leaf.fullLower = {getAffineConstantExpr(0, ctx)};
    leaf.fullUpper = {length.ceilDiv(tileK)};
    leaf.keepZero((pos - key) % t);
    return build(loc, leaf);
  }

  /// dilated_window(w, t): d = p - j in {0, t, ..., (w-1)t}. Touched like a
  /// window of (w - 1)t + 1 keys; full only for t == 1, as window(w).
  Value dilatedWindow(Location loc, Value size, Value dilation) {
    AffineLeaf leaf;
    leaf.symbols = {size, dilation};
    AffineExpr w = sym(0), t = sym(1);
    leaf.touchWhen = {w - 1};
    leaf.touchLower = {tileOf(qs - (w - 1) * t), getAffineConstantExpr(0, ctx)};
    leaf.touchUpper = {tileOf(qe) + 1};
    leaf.fullWhen = {t - 1};
    leaf.fullWhenIsEquality = true;
    leaf.fullLower = {tileOf(qe - w) + 1};
    leaf.fullUpper = {tileOf(qs + 1)};
    leaf.keepAtLeastZero(pos - key);
    leaf.keepAtLeastZero((w - 1) * t - pos + key);
    leaf.keepZero((pos - key) % t);
    return build(loc, leaf);
  }

  /// The most indices a stage keeps anywhere in the bucket: the budget's
  /// bucket maximum, at most the candidates at the bucket's upper length.
  int64_t capacity(size_t site, int64_t candidates) {
    return std::min(variant.getBudgetMax()[site], candidates);
  }
  int64_t unitsAtHi(int64_t unit) {
    return (variant.getHi() + unit - 1) / unit;
  }

  Value selected(Location loc, Value selection) {
    return BlocksSelectedOp::create(builder, loc, blocksType, selection);
  }

  Value lower(Operation *op, size_t site) {
    Location loc = op->getLoc();
    auto inputs = [&](ValueRange patterns) {
      SmallVector<Value> mapped;
      for (Value p : patterns)
        mapped.push_back(lowered.lookup(p));
      return mapped;
    };
    return llvm::TypeSwitch<Operation *, Value>(op)
        .Case([&](WindowOp o) {
          return o.getSymmetric() ? symmetricWindow(loc, o.getSize())
                                  : window(loc, o.getSize());
        })
        .Case([&](SinkOp o) { return sink(loc, o.getCount()); })
        .Case([&](GlobalQueriesOp o) { return globalQueries(loc, o.getCount()); })
        .Case([&](StridedOp o) { return strided(loc, o.getStride()); })
        .Case([&](DilatedWindowOp o) {
          return dilatedWindow(loc, o.getSize(), o.getDilation());
        })
        .Case([&](BlockLayoutOp o) {
          return BlocksLayoutOp::create(builder, loc, blocksType, o.getLayout(),
                                        o.getBlock());
        })
        .Case([&](RandomBlocksOp o) {
          Value scores = EstimateHashOp::create(builder, loc, scoresType, o.getBlock(),
                                                o.getSeed());
          return selected(loc, SelectTopkOp::create(
                                   builder, loc, selectionType, scores, o.getCount(),
                                   capacity(site, unitsAtHi(o.getBlock()))));
        })
        .Case([&](TopkBlocksOp o) {
          Value scores = EstimatePooledOp::create(builder, loc, scoresType, o.getBlock());
          return selected(loc, SelectTopkOp::create(
                                   builder, loc, selectionType, scores, o.getCount(),
                                   capacity(site, unitsAtHi(o.getBlock()))));
        })
        .Case([&](MassOp o) {
          Value scores = EstimatePooledOp::create(builder, loc, scoresType, o.getBlock());
          return selected(loc, SelectMassOp::create(
                                   builder, loc, selectionType, scores, o.getMaxBlocks(),
                                   o.getGammaAttr(),
                                   builder.getI64IntegerAttr(capacity(
                                       site, unitsAtHi(o.getBlock())))));
        })
        .Case([&](PagesOp o) {
          Value scores = EstimatePageBoundsOp::create(builder, loc, scoresType, o.getPage());
          return selected(loc, SelectTopkOp::create(
                                   builder, loc, selectionType, scores, o.getCount(),
                                   capacity(site, unitsAtHi(o.getPage()))));
        })
        .Case([&](VerticalSlashOp o) {
          Value scores =
              EstimateLastQueriesOp::create(builder, loc, scoresType, o.getLastQueries());
          int64_t hi = variant.getHi();
          int64_t offsets = variant.getCausal() ? hi : 2 * hi - 1;
          return selected(loc, SelectVerticalSlashOp::create(
                                   builder, loc, selectionType, scores, o.getVerticals(),
                                   o.getSlashes(), capacity(site, hi),
                                   capacity(site + 1, offsets)));
        })
        .Case([&](UnionOp o) -> Value {
          return BlocksUnionOp::create(builder, loc, blocksType, inputs(o.getInputs()));
        })
        .Case([&](IntersectOp o) -> Value {
          return BlocksIntersectOp::create(builder, loc, blocksType, inputs(o.getInputs()));
        })
        .Case([&](PerHeadOp o) -> Value {
          return BlocksPerHeadOp::create(builder, loc, blocksType, inputs(o.getInputs()),
                                         o.getHeads());
        });
  }

  VariantOp variant;
  MLIRContext *ctx;
  OpBuilder builder;
  int64_t tileQ, tileK;
  AffineExpr q, qs, qe; // query tile, its first and last position
  AffineExpr pos, key;  // dims of keep sets
  IRMapping lowered;    // pattern value -> blocks value
  Type blocksType = BlocksType::get(ctx);
  Type scoresType = ScoresType::get(ctx);
  Type selectionType = SelectionType::get(ctx);
};

struct LowerToBlocks : mlir::spattn::impl::SpAttnLowerToBlocksPassBase<LowerToBlocks> {
  void runOnOperation() override {
    for (VariantOp variant : getOperation().getOps<VariantOp>())
      if (isa<PatternType>(variant.getResult().getType()))
        Lowering(variant).run();
  }
};

} // namespace
