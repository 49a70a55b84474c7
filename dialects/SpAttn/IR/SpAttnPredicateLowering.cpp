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
// Leaf of a comparison e = A(p) + b*B(j) + r >= 0, r free of p and j, A a
// sum of monotone terms of p of one sign (c*p, c*(p floordiv m),
// c*(p ceildiv m)), B(j) one of j, j floordiv m, j ceildiv m (m > 0
// constants), over a query tile with positions [qs, qe]:
//   b = 0:  a condition on p: touched iff it holds where A is largest in
//           [qs, qe], full iff where it is smallest; every key tile.
//   b > 0:  B(j) >= ceil((-A(p) - r) / b): the touched range starts at the
//           tile of the least key meeting the smallest such bound over
//           [qs, qe], the full range at the first tile starting at or after
//           the least key meeting the largest.
//   b < 0:  B(j) <= floor((A(p) + r) / -b): symmetric, on the upper side.
// Otherwise (a modulo, a product of p and j, terms of p of both signs, two
// terms of j) the leaf touches every key tile and is never full; the keep
// set is exact in every case.
//
//===----------------------------------------------------------------------===//
#include "dialects/SpAttn/IR/SpAttnLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AffineExprVisitor.h"
#include "mlir/IR/IRMapping.h"

#include <functional>
#include <optional>

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

  /// One monotone term of a dimension: coeff * d, coeff * (d floordiv m)
  /// or coeff * (d ceildiv m), m a positive constant.
  struct Term {
    int64_t coeff = 0;
    AffineExprKind kind = AffineExprKind::DimId; // DimId, FloorDiv or CeilDiv
    int64_t divisor = 1;
    /// The term's value (without coeff) at `d`.
    AffineExpr at(AffineExpr d) const {
      return kind == AffineExprKind::FloorDiv  ? d.floorDiv(divisor)
             : kind == AffineExprKind::CeilDiv ? d.ceilDiv(divisor)
                                               : d;
    }
  };

  /// Splits e into position terms, at most one key term and r (free of p
  /// and j); fails when e is not such a sum.
  bool decompose(AffineExpr e, SmallVector<Term> &positionTerms,
                 std::optional<Term> &keyTerm, AffineExpr &r) {
    SmallVector<AffineExpr> summands;
    std::function<void(AffineExpr)> flatten = [&](AffineExpr x) {
      if (x.getKind() == AffineExprKind::Add) {
        auto add = cast<AffineBinaryOpExpr>(x);
        flatten(add.getLHS());
        flatten(add.getRHS());
        return;
      }
      summands.push_back(x);
    };
    flatten(simplifyAffineExpr(e, 2, symbols.size()));
    r = getAffineConstantExpr(0, ctx);
    for (AffineExpr x : summands) {
      if (x.isSymbolicOrConstant()) {
        r = r + x;
        continue;
      }
      Term term;
      term.coeff = 1;
      if (x.getKind() == AffineExprKind::Mul) {
        auto mul = cast<AffineBinaryOpExpr>(x);
        auto c = dyn_cast<AffineConstantExpr>(mul.getRHS());
        if (!c)
          return false;
        term.coeff = c.getValue();
        x = mul.getLHS();
      }
      if (x.getKind() == AffineExprKind::FloorDiv || x.getKind() == AffineExprKind::CeilDiv) {
        auto div = cast<AffineBinaryOpExpr>(x);
        auto m = dyn_cast<AffineConstantExpr>(div.getRHS());
        if (!m || m.getValue() <= 0)
          return false;
        term.kind = x.getKind();
        term.divisor = m.getValue();
        x = div.getLHS();
      }
      auto dim = dyn_cast<AffineDimExpr>(x);
      if (!dim)
        return false;
      if (dim.getPosition() == 0) {
        positionTerms.push_back(term);
      } else {
        if (keyTerm)
          return false;
        keyTerm = term;
      }
    }
    return true;
  }

  /// Every key tile of the call: [0, ceil(L / Bk)).
  void everyTile(SmallVector<AffineExpr> &lower, SmallVector<AffineExpr> &upper) {
    lower = {getAffineConstantExpr(0, ctx)};
    upper = {length.ceilDiv(l.tileK())};
  }

  /// The leaf keeping pairs with e >= 0, e = A(p) + B(j) + r.
  Value atLeastZero(AffineExpr e) {
    AffineLeaf leaf;
    leaf.symbols = symbols;
    leaf.keepAtLeastZero(e);
    everyTile(leaf.touchLower, leaf.touchUpper);
    SmallVector<Term> positionTerms;
    std::optional<Term> keyTerm;
    AffineExpr r;
    // A(p) must be monotone: every position term's coefficient of one sign.
    if (!decompose(e, positionTerms, keyTerm, r) ||
        !(llvm::all_of(positionTerms, [](Term t) { return t.coeff >= 0; }) ||
          llvm::all_of(positionTerms, [](Term t) { return t.coeff <= 0; })))
      return l.build(op.getLoc(), leaf); // touched everywhere, never full
    bool increasing = llvm::all_of(positionTerms, [](Term t) { return t.coeff >= 0; });
    AffineExpr qs = l.firstPosition(), qe = l.lastPosition();
    // The ends of [qs, qe] where A is smallest and largest.
    AffineExpr low = increasing ? qs : qe, high = increasing ? qe : qs;
    auto A = [&](AffineExpr p) {
      AffineExpr sum = getAffineConstantExpr(0, ctx);
      for (const Term &t : positionTerms)
        sum = sum + t.at(p) * t.coeff;
      return sum;
    };
    int64_t tileK = l.tileK();
    everyTile(leaf.fullLower, leaf.fullUpper);
    if (!keyTerm || keyTerm->coeff == 0) {
      leaf.touchWhen = {A(high) + r};
      leaf.fullWhen = {A(low) + r};
      return l.build(op.getLoc(), leaf);
    }
    int64_t b = keyTerm->coeff, m = keyTerm->divisor;
    if (b > 0) {
      // B(j) >= X(p) = ceil((-A(p) - r) / b): smallest at p = high, largest
      // at p = low; then the least j whose term reaches X.
      auto leastKey = [&](AffineExpr x) {
        switch (keyTerm->kind) {
        case AffineExprKind::FloorDiv: return x * m;
        case AffineExprKind::CeilDiv: return (x - 1) * m + 1;
        default: return x;
        }
      };
      leaf.touchLower = {l.tileOf(leastKey((A(high) * -1 - r).ceilDiv(b))), l.constant(0)};
      leaf.fullLower = {leastKey((A(low) * -1 - r).ceilDiv(b)).ceilDiv(tileK),
                        l.constant(0)};
    } else {
      // B(j) <= Y(p) = floor((A(p) + r) / -b): largest at p = high,
      // smallest at p = low; then the greatest j whose term stays <= Y.
      auto greatestKey = [&](AffineExpr y) {
        switch (keyTerm->kind) {
        case AffineExprKind::FloorDiv: return y * m + (m - 1);
        case AffineExprKind::CeilDiv: return y * m;
        default: return y;
        }
      };
      leaf.touchUpper.push_back(l.tileOf(greatestKey((A(high) + r).floorDiv(-b))) + 1);
      leaf.fullUpper.push_back((greatestKey((A(low) + r).floorDiv(-b)) + 1).floorDiv(tileK));
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
