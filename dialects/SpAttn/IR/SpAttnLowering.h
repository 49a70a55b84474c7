//===- SpAttnLowering.h - Building block schedules from patterns -*- C++ -*-===//
//
// What a pattern op's PatternOpInterface::lowerToBlocks works with: the
// variant being lowered (tile sizes, %L, budget bounds), a builder at the
// op, the schedules of its pattern inputs, and the affine machinery every
// token-level primitive uses. Tiles: query tile q covers positions
// [qs, qe] = [q*Bq, q*Bq + Bq - 1], key tile c keys [c*Bk, c*Bk + Bk - 1].
// A leaf's *touched* range is the smallest tile range holding all its kept
// pairs of the tile's positions, its *full* range the largest holding only
// kept pairs; consumers clip both to the key tiles that exist.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_DIALECT_SPATTN_IR_SPATTNLOWERING_H
#define SPATTN_DIALECT_SPATTN_IR_SPATTNLOWERING_H

#include "dialects/SpAttn/IR/SpAttnOps.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::spattn {

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

class BlockLowering {
public:
  explicit BlockLowering(VariantOp variant);

  /// Lowers every pattern op of the variant's body through the interface
  /// and yields the schedule (intersected with the causal mask if causal).
  void run();

  // What an op's lowering reads.
  VariantOp getVariant() { return variant; }
  OpBuilder &getBuilder() { return builder; }
  MLIRContext *getContext() { return ctx; }
  int64_t tileK() const { return blockK; }
  /// The schedule of a pattern input.
  Value scheduleOf(Value pattern) { return lowered.lookup(pattern); }
  SmallVector<Value> schedulesOf(ValueRange patterns);

  // Affine building blocks.
  AffineExpr queryTile() const { return q; }
  AffineExpr firstPosition() const { return qs; } // of the query tile
  AffineExpr lastPosition() const { return qe; }
  AffineExpr position() const { return pos; }     // d0 of keep sets
  AffineExpr key() const { return keyDim; }       // d1 of keep sets
  AffineExpr symbol(unsigned k) { return getAffineSymbolExpr(k, ctx); }
  AffineExpr constant(int64_t value) { return getAffineConstantExpr(value, ctx); }
  /// The key tile holding key position `position`.
  AffineExpr tileOf(AffineExpr position) { return position.floorDiv(blockK); }
  /// A `spattn.blocks.affine` from `leaf`.
  Value build(Location loc, AffineLeaf &leaf);

  // Selection stages.
  /// The most indices a stage keeps anywhere in the bucket: the bucket
  /// maximum of the op's parameter `parameter`, at most `candidates`.
  int64_t capacity(unsigned parameter, int64_t candidates);
  /// ceil(hi / unit): blocks (or pages) of `unit` keys at the bucket's end.
  int64_t unitsAtHi(int64_t unit);
  /// `spattn.blocks.selected` of a selection.
  Value selected(Location loc, Value selection);
  Type blocksType() { return BlocksType::get(ctx); }
  Type scoresType() { return ScoresType::get(ctx); }
  Type selectionType() { return SelectionType::get(ctx); }

private:
  Value causal(Location loc);

  VariantOp variant;
  MLIRContext *ctx;
  OpBuilder builder;
  int64_t blockQ, blockK;
  AffineExpr q, qs, qe; // query tile, its first and last position
  AffineExpr pos, keyDim;
  IRMapping lowered;    // pattern value -> blocks value
  size_t site = 0;      // index of the current op's first budget in the variant
};

} // namespace mlir::spattn

#endif
