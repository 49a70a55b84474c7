//===- SpAttnBlocksNode.h - A block schedule node, as data ------*- C++ -*-===//
//
// What every `spattn.blocks.*` op says about itself through
// ScheduleOpInterface::describe: its kind and its data (affine bounds and
// token predicate, layout rows, the selection it reads, its inputs, a token
// program). The schedule evaluator and the library plan read schedules only
// through this, never by switching over op types.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_DIALECT_SPATTN_IR_SPATTNBLOCKSNODE_H
#define SPATTN_DIALECT_SPATTN_IR_SPATTNBLOCKSNODE_H

#include "reference/TokenProgram.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/IntegerSet.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <vector>

namespace mlir::spattn {

struct BlocksNode {
  enum class Kind { Affine, Layout, Selected, Union, Intersect, PerHead, Predicate };
  Kind kind = Kind::Affine;
  /// Affine, Predicate: index operands (symbols of the maps and sets, or
  /// the predicate's budget arguments).
  SmallVector<Value> symbols;
  /// Affine: bounds over (query tile)[symbols], keep over (position, key).
  AffineMap touchLower, touchUpper, fullLower, fullUpper;
  std::optional<IntegerSet> touchWhen, fullWhen;
  IntegerSet keep;
  /// Layout: block size and rows as CSR groups of kept key blocks.
  int64_t block = 0;
  std::vector<int64_t> layoutOffsets, layoutIndices;
  /// Selected: the select op whose indices are kept.
  Operation *selection = nullptr;
  /// Union, Intersect, PerHead: the input schedules; PerHead: input k
  /// serves heads [headStarts[k], headStarts[k + 1]).
  SmallVector<Value> inputs;
  std::vector<int64_t> headStarts;
  /// Predicate: the token program.
  ::spattn::ref::TokenProgram program;
};

/// What a `spattn.select.*` op (with the estimate it reads) says about
/// itself through SelectionOpInterface::describeSelection.
struct SelectionNode {
  enum class Kind { TopkBlocks, RandomBlocks, Mass, Pages, VerticalSlash };
  Kind kind = Kind::TopkBlocks;
  int64_t block = 0; // block or page size; 0 for vertical_slash
  uint64_t seed = 0; // random_blocks
  double gamma = 0;  // mass
  /// topk / random / pages: count; mass: max blocks; vertical_slash:
  /// verticals, slashes, last queries.
  SmallVector<Value> counts;
  /// The most indices kept anywhere in the bucket (vertical_slash: columns,
  /// then offsets).
  SmallVector<int64_t> capacities;
};

} // namespace mlir::spattn

#endif
