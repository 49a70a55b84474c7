//===- KeyCandidates.cpp - The keys a row may keep, before testing them ---===//
#include "targets/common/KeyCandidates.h"

#include <optional>

namespace mlir::spattn {

namespace {

constexpr unsigned kKeyDim = 1; // dims are (pos, j)

/// The coefficient of the key in `e` when `e` is linear in it (the key
/// times constants, in no mod, floordiv or ceildiv); none otherwise.
std::optional<int64_t> keyCoefficient(AffineExpr e) {
  if (auto dim = dyn_cast<AffineDimExpr>(e))
    return dim.getPosition() == kKeyDim ? 1 : 0;
  auto node = dyn_cast<AffineBinaryOpExpr>(e);
  if (!node)
    return 0; // a constant or a symbol
  std::optional<int64_t> lhs = keyCoefficient(node.getLHS()),
                         rhs = keyCoefficient(node.getRHS());
  if (!lhs || !rhs)
    return std::nullopt;
  switch (e.getKind()) {
  case AffineExprKind::Add:
    return *lhs + *rhs;
  case AffineExprKind::Mul:
    if (*lhs == 0 && *rhs == 0)
      return 0;
    if (auto c = dyn_cast<AffineConstantExpr>(*lhs ? node.getRHS() : node.getLHS()))
      return (*lhs ? *lhs : *rhs) * c.getValue();
    return std::nullopt; // the key times a symbol
  default:
    // Both sides free of the key: so is the whole.
    if (*lhs == 0 && *rhs == 0)
      return 0;
    return std::nullopt;
  }
}

} // namespace

KeyCandidates keyCandidates(IntegerSet keep) {
  KeyCandidates out;
  MLIRContext *context = keep.getContext();
  const AffineExpr key = getAffineDimExpr(kKeyDim, context);
  const AffineExpr zero = getAffineConstantExpr(0, context);
  // e0 + b * j >= 0 (b != 0) bounds j on one side.
  auto bound = [&](AffineExpr e0, int64_t b) {
    if (b > 0)
      out.lower.push_back((-e0).ceilDiv(b));
    else
      out.upper.push_back(e0.floorDiv(-b) + 1);
  };
  for (unsigned c = 0; c < keep.getNumConstraints(); ++c) {
    AffineExpr e = keep.getConstraint(c);
    if (std::optional<int64_t> b = keyCoefficient(e); b && *b != 0) {
      AffineExpr e0 = e.replace(key, zero);
      bound(e0, *b);
      if (keep.isEq(c)) // e == 0 is also -e >= 0
        bound(-e0, -*b);
      continue;
    }
    // (l0 + b j) mod m == 0 with b = +-1: j == -b l0 (mod m).
    auto mod = dyn_cast<AffineBinaryOpExpr>(e);
    // Any other constraint is left to the test of each candidate.
    out.interval = false;
    if (!keep.isEq(c) || out.modulus || !mod || mod.getKind() != AffineExprKind::Mod ||
        mod.getRHS().isFunctionOfDim(kKeyDim))
      continue;
    std::optional<int64_t> b = keyCoefficient(mod.getLHS());
    if (!b || (*b != 1 && *b != -1))
      continue;
    out.modulus = mod.getRHS();
    out.residue = mod.getLHS().replace(key, zero) * -*b;
  }
  return out;
}

} // namespace mlir::spattn
