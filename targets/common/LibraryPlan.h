//===- LibraryPlan.h - What a compiled library contains ---------*- C++ -*-===//
//
// One typed, target-independent description of a library, made once from a
// spec's lowered variants (after --spattn-specialize-buckets and
// --spattn-lower-to-blocks): its buckets and length tables, budgets, each
// variant's block schedule as a tree of nodes, its selection stages with
// their capacities and the heads they serve, and the attend kernels a
// target must instantiate. Every target reads this; nothing about a library
// is encoded in names and parsed back.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_COMMON_LIBRARYPLAN_H
#define SPATTN_TARGETS_COMMON_LIBRARYPLAN_H

#include "targets/common/LengthTables.h"

#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "spattn/library_abi.hpp"
#include "core/RequestSpace.h"
#include "core/TokenProgram.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IntegerSet.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::spattn::plan {

/// The kinds of selection stage, as the IR describes them; the generated
/// code spells them as spattn::abi::StageKind enumerators of the same name.
using StageKind = SelectionNode::Kind;

/// An index operand of the schedule at a call: a constant, the call's L, or
/// schedule parameter `value` (a length table of the variant).
struct IndexOperand {
  enum class Kind { Constant, Length, Parameter } kind = Kind::Constant;
  int64_t value = 0;
};

/// One estimate -> select stage.
struct Stage {
  StageKind kind = StageKind::TopkBlocks;
  int64_t block = 0; // block or page size; 0 for vertical_slash
  uint64_t seed = 0; // random_blocks
  double gamma = 0;  // mass
  /// topk / random / pages: count; mass: max blocks; vertical_slash:
  /// verticals, slashes, last queries.
  std::vector<IndexOperand> counts;
  /// The most indices kept anywhere in the bucket (vertical_slash: columns
  /// then offsets).
  std::vector<int64_t> capacities;
  std::vector<bool> servesHead; // per query head
};

/// One node of a variant's block schedule (the ops of
/// --spattn-lower-to-blocks, as data). Children are node indices.
struct ScheduleNode {
  using Kind = BlocksNode::Kind;
  Kind kind = Kind::Affine;
  // Affine: maps over (query tile)[symbols]; keep over (position, key).
  std::vector<IndexOperand> symbols;
  AffineMap touchLower, touchUpper, fullLower, fullUpper;
  std::optional<IntegerSet> touchWhen, fullWhen;
  IntegerSet keep;
  // Layout: rows as CSR groups of kept key blocks of `block` keys.
  int64_t block = 0;
  std::vector<int64_t> layoutOffsets, layoutIndices;
  // Selected: the stage whose indices are kept.
  int stage = -1;
  // Predicate: a token program over (h, p(i), j, L, symbols).
  std::vector<::spattn::core::TokenInstruction> program;
  int32_t programResult = 0;
  // Union, Intersect, PerHead (child k serves heads [headStarts[k], next)).
  std::vector<int> children;
  std::vector<int64_t> headStarts;
};

/// One attend kernel a variant needs: `rows` query rows against spans of up
/// to `span` keys, with the token mask or without.
struct KernelInstance {
  std::string symbol; // unique in the library
  int64_t headDim = 0, rows = 0, span = 0;
  bool masked = false;
  bool fewRows = false; // the variant's small kernel for decode tiles
};

struct Variant {
  int64_t bucket = 0, lo = 0, hi = 0;
  int64_t tileQ = 0, tileK = 0;
  bool denseStrategy = false;
  /// Schedule parameters over [lo, hi]: [combination][parameter], one set
  /// per combination of request values (core/RequestSpace.h).
  std::vector<LengthRuns> parameters;
  std::vector<Stage> stages;
  std::vector<ScheduleNode> nodes; // children before parents
  int root = -1;
  /// Keys per attend-kernel call: long enough to amortize a call, at most
  /// the bucket's longest length (in whole key tiles).
  int64_t span = 0;
  /// Rows of the small kernels for tiles with few present rows (decode);
  /// 0 when tileQ is that small already.
  int64_t fewRows = 0;
  std::vector<KernelInstance> kernels;
};

struct Library {
  std::string name;
  int64_t headDim = 0, numQHeads = 0, numKVHeads = 0;
  bool causal = false;
  double scale = 0; // effective (1/sqrt(D) when the spec has none)
  std::string dtype;
  std::vector<int64_t> upperBounds;
  std::vector<std::string> requestNames; // request parameters, in order
  std::vector<int64_t> requestMin, requestMax;
  std::vector<std::string> budgetLabels;
  /// Over [1, last upper bound]: [combination][budget], as `parameters`.
  std::vector<LengthRuns> budgets;
  std::vector<StageKind> stageKinds; // the same in every variant
  std::vector<Variant> variants;

  /// Combinations of request values (1 without request parameters).
  size_t requestCombinations() const {
    return static_cast<size_t>(
        ::spattn::core::RequestSpace{static_cast<int32_t>(requestNames.size()),
                                     requestMin.data(), requestMax.data()}
            .combinations());
  }
};

/// Query rows of the small kernels a variant adds for decode tiles.
constexpr int64_t kFewRows = 4;

/// The plan of `spec`, whose lowered variants are in `lowered`. Fails with a
/// located diagnostic (a spec name that is not a C identifier, a budget that
/// cannot be tabulated).
FailureOr<Library> buildLibraryPlan(ModuleOp lowered, SpecOp spec);

} // namespace mlir::spattn::plan

#endif
