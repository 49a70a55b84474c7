//===- SpAttnAffine.h - One walk over schedule affine expressions -*- C++ -*-===//
//
// Block schedules carry their tile bounds and token predicates as affine
// maps and integer sets. Two things are done with them: evaluate at a call
// (the schedule evaluator) and print as source (every target's generated
// code). Both are this one fold, with the floor/ceil/mod semantics of
// core/IntegerMath.h, so the two can never disagree on an operator.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_DIALECT_SPATTN_IR_SPATTNAFFINE_H
#define SPATTN_DIALECT_SPATTN_IR_SPATTNAFFINE_H

#include "core/IntegerMath.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/IntegerSet.h"
#include "llvm/Support/ErrorHandling.h"

#include <string>

namespace mlir::spattn {

/// Folds `expr` bottom-up: `leaf(dimOrSymbolOrConstant)` gives the value of
/// a leaf, `binary(kind, lhs, rhs)` of an operator node.
template <typename T, typename Leaf, typename Binary>
T foldAffineExpr(AffineExpr expr, Leaf &&leaf, Binary &&binary) {
  auto node = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!node)
    return leaf(expr);
  T lhs = foldAffineExpr<T>(node.getLHS(), leaf, binary);
  T rhs = foldAffineExpr<T>(node.getRHS(), leaf, binary);
  return binary(expr.getKind(), std::move(lhs), std::move(rhs));
}

/// The value of an affine or semi-affine expression.
inline int64_t evaluateAffine(AffineExpr expr, ArrayRef<int64_t> dims,
                              ArrayRef<int64_t> symbols) {
  return foldAffineExpr<int64_t>(
      expr,
      [&](AffineExpr e) -> int64_t {
        if (auto c = dyn_cast<AffineConstantExpr>(e))
          return c.getValue();
        if (auto d = dyn_cast<AffineDimExpr>(e))
          return dims[d.getPosition()];
        return symbols[cast<AffineSymbolExpr>(e).getPosition()];
      },
      [](AffineExprKind kind, int64_t lhs, int64_t rhs) -> int64_t {
        switch (kind) {
        case AffineExprKind::Add:
          return lhs + rhs;
        case AffineExprKind::Mul:
          return lhs * rhs;
        case AffineExprKind::Mod:
          return ::spattn::core::modulo(lhs, rhs);
        case AffineExprKind::FloorDiv:
          return ::spattn::core::floorDiv(lhs, rhs);
        case AffineExprKind::CeilDiv:
          return ::spattn::core::ceilDiv(lhs, rhs);
        default:
          llvm_unreachable("not a binary affine expression");
        }
      });
}

/// Whether every constraint of `set` holds.
inline bool integerSetHolds(IntegerSet set, ArrayRef<int64_t> dims,
                            ArrayRef<int64_t> symbols) {
  for (unsigned c = 0; c < set.getNumConstraints(); ++c) {
    int64_t value = evaluateAffine(set.getConstraint(c), dims, symbols);
    if (set.isEq(c) ? value != 0 : value < 0)
      return false;
  }
  return true;
}

/// C++ for `expr` (int64_t arithmetic calling spattn::core's floor, ceil and
/// mod), given the C++ spelling of each dimension and symbol.
inline std::string printAffineCpp(AffineExpr expr, ArrayRef<std::string> dims,
                                  ArrayRef<std::string> symbols) {
  return foldAffineExpr<std::string>(
      expr,
      [&](AffineExpr e) -> std::string {
        if (auto c = dyn_cast<AffineConstantExpr>(e))
          return "int64_t(" + std::to_string(c.getValue()) + ")";
        if (auto d = dyn_cast<AffineDimExpr>(e))
          return dims[d.getPosition()];
        return symbols[cast<AffineSymbolExpr>(e).getPosition()];
      },
      [](AffineExprKind kind, std::string lhs, std::string rhs) -> std::string {
        switch (kind) {
        case AffineExprKind::Add:
          return "(" + lhs + " + " + rhs + ")";
        case AffineExprKind::Mul:
          return "(" + lhs + " * " + rhs + ")";
        case AffineExprKind::Mod:
          return "spattn::core::modulo(" + lhs + ", " + rhs + ")";
        case AffineExprKind::FloorDiv:
          return "spattn::core::floorDiv(" + lhs + ", " + rhs + ")";
        case AffineExprKind::CeilDiv:
          return "spattn::core::ceilDiv(" + lhs + ", " + rhs + ")";
        default:
          llvm_unreachable("not a binary affine expression");
        }
      });
}

/// C++ for "every constraint of `set` holds" ("true" for none).
inline std::string printIntegerSetCpp(IntegerSet set, ArrayRef<std::string> dims,
                                      ArrayRef<std::string> symbols) {
  std::string out;
  for (unsigned c = 0; c < set.getNumConstraints(); ++c)
    out += (c ? " && " : "") + printAffineCpp(set.getConstraint(c), dims, symbols) +
           (set.isEq(c) ? " == 0" : " >= 0");
  return out.empty() ? "true" : out;
}

} // namespace mlir::spattn

#endif
