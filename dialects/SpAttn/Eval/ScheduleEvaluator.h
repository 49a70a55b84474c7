//===- ScheduleEvaluator.h - Expand a lowered block schedule ----*- C++ -*-===//
//
// Evaluates the block schedule of one `spattn.variant` (after
// --spattn-lower-to-blocks) at one call: budgets folded at the call's L,
// selection stages run on the call's Q/K, then per query tile the key-tile
// ranges (full / partial) and, per query row, the token mask they expand to.
// Tests compare that expansion with the reference mask; tools draw and count
// it. Selections use the reference's selection functions, so a test of the
// schedule checks the schedule "given the same selected indices".
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_DIALECT_SPATTN_EVAL_SCHEDULEEVALUATOR_H
#define SPATTN_DIALECT_SPATTN_EVAL_SCHEDULEEVALUATOR_H

#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "reference/Pattern.h"
#include "reference/Selection.h"
#include "core/TileRanges.h"

#include <memory>
#include <vector>

namespace mlir::spattn {

namespace ref = ::spattn::ref;
namespace core = ::spattn::core;

/// Work of one (batch element, query head) under a schedule. FLOPs count the
/// two matrix products (4 * D per visited pair, absent rows and keys
/// excluded); "dense" is every candidate tile (causal: up to the diagonal).
struct ScheduleStats {
  int64_t keptTiles = 0;    // full + partial
  int64_t partialTiles = 0; // kept tiles that need the token predicate
  int64_t denseTiles = 0;
  double keptFlops = 0, denseFlops = 0;
};

class ScheduleEvaluator {
public:
  /// `variant` must be lowered (it yields !spattn.blocks).
  explicit ScheduleEvaluator(VariantOp variant);
  ~ScheduleEvaluator();

  /// Binds one call for query head `head`: folds the budgets at
  /// L = problem.keyLength (which must lie in the variant's [lo, hi]) and
  /// the request values `request` (one per request parameter of the spec)
  /// and runs the selections on `content` (may be empty for static
  /// patterns). Emits a located diagnostic and fails otherwise.
  LogicalResult bind(const ref::AttentionProblem &problem, int64_t head,
                     ref::HeadContent content, ArrayRef<int64_t> request = {});

  int64_t blockQ() const { return tileQ; }
  int64_t blockK() const { return tileK; }
  /// Query tiles with a present row: [firstQueryTile(), endQueryTile()).
  int64_t firstQueryTile() const;
  int64_t endQueryTile() const;
  /// ceil(L / block_k).
  int64_t numKeyTiles() const;

  /// The key tiles query tile `q` visits, clipped to existing key tiles.
  core::TileRanges tileRanges(int64_t queryTile);
  /// keep[j] = 1 iff the schedule keeps (i, j): full tiles wholesale, partial
  /// tiles through the token predicate. Must equal the reference mask.
  void expandRow(int64_t i, std::vector<uint8_t> &keep);
  /// Tile and FLOP counts over every present query tile.
  ScheduleStats stats();

  struct Node;

private:
  VariantOp variant;
  int64_t tileQ, tileK;
  ref::AttentionProblem problem;
  int64_t boundHead = 0;
  std::unique_ptr<Node> root; // of the bound call
};

} // namespace mlir::spattn

#endif
