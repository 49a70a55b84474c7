//===- SpAttnPredicateLowering.cpp - spattn.predicate to block schedules --===//
//
// The predicate's yielded i1 is read as a tree of andi / ori over
// comparisons. A comparison whose sides are affine in (p(i), j), with the
// budget arguments and L as symbols, becomes an affine leaf whose touched
// and full ranges are derived below; andi / ori become blocks.intersect /
// blocks.union. Whatever else (h, unsigned compares, truncating division,
// select, ...) becomes a spattn.blocks.predicate over the same region,
// yielding that sub-value: the library classifies its tiles itself.
//
// Leaf of a comparison e = a*p + b*j + r >= 0 (a, b integers, r free of p
// and j), over a query tile with positions [qs, qe]:
//   b = 0:  a condition on p: touched iff it holds at the better end of
//           [qs, qe], full iff at the worse one; every key tile.
//   b > 0:  j >= ceil((-a*p - r) / b): the touched range starts at the tile
//           of the smallest such bound over [qs, qe], the full range at the
//           first tile starting at or after the largest.
//   b < 0:  j <= floor((a*p + r) / -b): symmetric, on the upper side.
// Otherwise (a floor division or modulo of p or j) the leaf touches every
// key tile and is never full; the keep set is exact in every case.
//
//===----------------------------------------------------------------------===//
#include "dialects/SpAttn/IR/SpAttnLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AffineExprVisitor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::spattn;

namespace {

class PredicateLowering {
public:
  PredicateLowering(PredicateOp op, BlockLowering &l) : op(op), l(l) {
    Block &block = op.getBody().front();
    ctx = op.getContext();
    // Symbols: the budget arguments, then L.
    unsigned numArgs = op.getArgs().size();
    for (unsigned k = 0; k < numArgs; ++k)
      values[block.getArgument(4 + k)] = getAffineSymbolExpr(k, ctx);
    values[block.getArgument(3)] = getAffineSymbolExpr(numArgs, ctx);
    values[block.getArgument(1)] = getAffineDimExpr(0, ctx);
    values[block.getArgument(2)] = getAffineDimExpr(1, ctx);
    symbols.assign(op.getArgs().begin(), op.getArgs().end());
    symbols.push_back(l.getVariant().getLength());
    length = getAffineSymbolExpr(numArgs, ctx);
  }

  Value lower() {
    auto yield = cast<PredicateYieldOp>(op.getBody().front().back());
    return boolean(yield.getKeep());
  }

private:
  /// The affine form of an index value, or null when it has none.
  AffineExpr affine(Value v) {
    auto it = values.find(v);
    if (it != values.end())
      return it->second;
    Operation *def = v.getDefiningOp();
    AffineExpr result;
    if (!def) // %h: the head is not part of tile classification
      return result;
    auto both = [&](auto o) -> std::pair<AffineExpr, AffineExpr> {
      return {affine(o.getLhs()), affine(o.getRhs())};
    };
    auto positiveConstant = [](AffineExpr e) {
      auto c = dyn_cast_if_present<AffineConstantExpr>(e);
      return c && c.getValue() > 0;
    };
    if (auto c = dyn_cast<arith::ConstantOp>(def)) {
      if (auto value = dyn_cast<IntegerAttr>(c.getValue()); value && v.getType().isIndex())
        result = getAffineConstantExpr(value.getValue().getSExtValue(), ctx);
    } else if (auto o = dyn_cast<arith::AddIOp>(def)) {
      auto [x, y] = both(o);
      if (x && y)
        result = x + y;
    } else if (auto o = dyn_cast<arith::SubIOp>(def)) {
      auto [x, y] = both(o);
      if (x && y)
        result = x - y;
    } else if (auto o = dyn_cast<arith::MulIOp>(def)) {
      auto [x, y] = both(o);
      // Affine: one side a constant, or both free of p and j (semi-affine).
      if (x && y && (isa<AffineConstantExpr>(x) || isa<AffineConstantExpr>(y) ||
                     (x.isSymbolicOrConstant() && y.isSymbolicOrConstant())))
        result = x * y;
    } else if (auto o = dyn_cast<arith::FloorDivSIOp>(def)) {
      auto [x, y] = both(o);
      if (x && positiveConstant(y))
        result = x.floorDiv(y);
    } else if (auto o = dyn_cast<arith::CeilDivSIOp>(def)) {
      auto [x, y] = both(o);
      if (x && positiveConstant(y))
        result = x.ceilDiv(y);
    }
    values[v] = result;
    return result;
  }

  /// e = a*p + b*j + r with integer a, b and r free of p and j, if it is.
  bool linear(AffineExpr e, int64_t &a, int64_t &b, AffineExpr &r) {
    AffineExpr zero = getAffineConstantExpr(0, ctx), one = getAffineConstantExpr(1, ctx);
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
    unsigned numSymbols = symbols.size();
    auto simplify = [&](AffineExpr x) { return simplifyAffineExpr(x, 2, numSymbols); };
    r = simplify(e.replaceDims({zero, zero}));
    auto ca = dyn_cast<AffineConstantExpr>(simplify(e.replaceDims({one, zero}) - r));
    auto cb = dyn_cast<AffineConstantExpr>(simplify(e.replaceDims({zero, one}) - r));
    if (!ca || !cb || !r.isSymbolicOrConstant())
      return false;
    a = ca.getValue();
    b = cb.getValue();
    return simplify(e - (d0 * a + d1 * b + r)) == zero;
  }

  /// Every key tile of the call: [0, ceil(L / Bk)).
  void everyTile(SmallVector<AffineExpr> &lower, SmallVector<AffineExpr> &upper) {
    lower = {getAffineConstantExpr(0, ctx)};
    upper = {length.ceilDiv(l.tileK())};
  }

  /// The leaf keeping pairs with e >= 0.
  Value atLeastZero(AffineExpr e) {
    AffineLeaf leaf;
    leaf.symbols = symbols;
    leaf.keepAtLeastZero(e);
    everyTile(leaf.touchLower, leaf.touchUpper);
    int64_t a, b;
    AffineExpr r;
    if (!linear(e, a, b, r))
      return l.build(op.getLoc(), leaf); // touched everywhere, never full
    AffineExpr qs = l.firstPosition(), qe = l.lastPosition();
    // The ends of [qs, qe] where a*p is smallest and largest.
    AffineExpr low = a >= 0 ? qs : qe, high = a >= 0 ? qe : qs;
    int64_t tileK = l.tileK();
    everyTile(leaf.fullLower, leaf.fullUpper);
    if (b == 0) {
      leaf.touchWhen = {high * a + r};
      leaf.fullWhen = {low * a + r};
    } else if (b > 0) {
      // j >= ceil((-a*p - r) / b), smallest at p = high, largest at p = low.
      leaf.touchLower = {l.tileOf((high * -a - r).ceilDiv(b)), l.constant(0)};
      leaf.fullLower = {(low * -a - r).ceilDiv(b).ceilDiv(tileK), l.constant(0)};
    } else {
      // j <= floor((a*p + r) / -b), largest at p = high, smallest at p = low.
      leaf.touchUpper.push_back(l.tileOf((high * a + r).floorDiv(-b)) + 1);
      leaf.fullUpper.push_back(((low * a + r).floorDiv(-b) + 1).floorDiv(tileK));
    }
    return l.build(op.getLoc(), leaf);
  }

  Value combine(bool unite, ValueRange inputs) {
    OpBuilder &builder = l.getBuilder();
    if (unite)
      return BlocksUnionOp::create(builder, op.getLoc(), l.blocksType(), inputs);
    return BlocksIntersectOp::create(builder, op.getLoc(), l.blocksType(), inputs);
  }

  /// A comparison x (pred) y as leaves, or null when a side is not affine.
  Value compare(arith::CmpIOp cmp) {
    AffineExpr x = affine(cmp.getLhs()), y = affine(cmp.getRhs());
    if (!x || !y)
      return Value();
    switch (cmp.getPredicate()) {
    case arith::CmpIPredicate::sge: return atLeastZero(x - y);
    case arith::CmpIPredicate::sgt: return atLeastZero(x - y - 1);
    case arith::CmpIPredicate::sle: return atLeastZero(y - x);
    case arith::CmpIPredicate::slt: return atLeastZero(y - x - 1);
    case arith::CmpIPredicate::eq:
      return combine(false, {atLeastZero(x - y), atLeastZero(y - x)});
    case arith::CmpIPredicate::ne:
      return combine(true, {atLeastZero(x - y - 1), atLeastZero(y - x - 1)});
    default: // unsigned: not a comparison of affine values
      return Value();
    }
  }

  /// The schedule of an i1 value of the region.
  Value boolean(Value keep) {
    Operation *def = keep.getDefiningOp();
    if (def) {
      if (auto c = dyn_cast<arith::ConstantOp>(def)) {
        bool all = cast<IntegerAttr>(c.getValue()).getValue().getBoolValue();
        return atLeastZero(getAffineConstantExpr(all ? 0 : -1, ctx));
      }
      if (isa<arith::AndIOp, arith::OrIOp>(def)) {
        Value lhs = boolean(def->getOperand(0)), rhs = boolean(def->getOperand(1));
        return combine(isa<arith::OrIOp>(def), {lhs, rhs});
      }
      if (auto cmp = dyn_cast<arith::CmpIOp>(def))
        if (Value leaves = compare(cmp))
          return leaves;
    }
    return fallback(keep);
  }

  /// A blocks.predicate over a copy of the region that yields `keep`.
  Value fallback(Value keep) {
    OpBuilder &builder = l.getBuilder();
    auto node = BlocksPredicateOp::create(builder, op.getLoc(), l.blocksType(),
                                          op.getArgs());
    IRMapping mapping;
    op.getBody().cloneInto(&node.getBody(), mapping);
    auto yield = cast<PredicateYieldOp>(node.getBody().front().back());
    yield.getKeepMutable().assign(mapping.lookupOrDefault(keep));
    return node;
  }

  PredicateOp op;
  BlockLowering &l;
  MLIRContext *ctx;
  llvm::DenseMap<Value, AffineExpr> values;
  SmallVector<Value> symbols;
  AffineExpr length;
};

} // namespace

Value PredicateOp::lowerToBlocks(BlockLowering &lowering) {
  return PredicateLowering(*this, lowering).lower();
}
