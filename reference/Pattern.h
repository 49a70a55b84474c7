//===- Pattern.h - A spattn pattern evaluated at one length -----*- C++ -*-===//
//
// The concrete form of a `spattn.spec` body once every budget has been
// evaluated at one key length L: a tree of primitives with plain integer
// parameters. It carries no MLIR types so the reference semantics (mask and
// fp64 attention) stay independent of the compiler and of every backend.
// The meaning of every field is fixed in docs/semantics.md.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_REFERENCE_PATTERN_H
#define SPATTN_REFERENCE_PATTERN_H

#include "reference/TokenProgram.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace spattn::ref {

enum class PatternKind {
  Window,          // size: p(i) - size < j <= p(i)
  SymmetricWindow, // size: |p(i) - j| < size
  Sink,            // count: j < count
  GlobalQueries,   // count: rows with p(i) < count see every key
  Strided,         // stride: (p(i) - j) mod stride == 0
  DilatedWindow,   // size, stride: d = p(i)-j, 0 <= d < size*stride, d % stride == 0
  BlockLayout,     // block, layoutRows x layoutCols matrix in `layout`
  RandomBlocks,    // count, block, seed
  TopkBlocks,      // count, block (content-based)
  VerticalSlash,   // verticals, slashes, lastQueries (content-based)
  Mass,            // gamma, block, count = max blocks (content-based)
  Pages,           // count, block = page size (content-based)
  Union,           // children
  Intersect,       // children
  PerHead,         // children, headStarts (child k serves heads [start_k, start_k+1))
  Predicate,       // program over (h, p(i), j, L, arguments)
};

/// Name of a kind as spelled in the dialect (e.g. "window", "topk_blocks").
const char *patternKindName(PatternKind kind);

/// True for kinds whose selection reads Q and K.
bool isContentBased(PatternKind kind);

struct Pattern {
  PatternKind kind = PatternKind::Sink;
  int64_t size = 0;        // window / dilated_window width (taps for dilated)
  int64_t stride = 0;      // strided step, dilated_window dilation
  int64_t count = 0;       // sink, global_queries, random/topk/pages k, mass max_k
  int64_t block = 0;       // block size (block_layout, random, topk, mass, pages)
  uint64_t seed = 0;       // random_blocks
  int64_t verticals = 0;   // vertical_slash
  int64_t slashes = 0;     // vertical_slash
  int64_t lastQueries = 0; // vertical_slash
  double gamma = 0.0;      // mass threshold in (0, 1]
  int64_t layoutRows = 0, layoutCols = 0;
  std::vector<uint8_t> layout;     // row-major, 1 = kept block
  std::vector<int64_t> headStarts; // per_head
  std::vector<Pattern> children;   // union / intersect / per_head
  std::shared_ptr<const TokenProgram> program; // predicate
  std::vector<int64_t> arguments;              // predicate's budgets

  /// True if this node or any descendant is content-based.
  bool needsContent() const;
};

/// Shape and options of one attention call (docs/semantics.md, Shapes).
struct AttentionProblem {
  int64_t batch = 1;
  int64_t numQHeads = 1;
  int64_t numKVHeads = 1;
  int64_t queryLength = 1; // Lq
  int64_t keyLength = 1;   // Lk (= L of the budget functions)
  int64_t headDim = 1;     // D
  bool causal = false;
  double scale = 0.0; // 0 means 1/sqrt(D)

  double effectiveScale() const;
  /// Absolute position of query row i (bottom-right alignment).
  int64_t queryPosition(int64_t i) const { return keyLength - queryLength + i; }
  /// Query head h reads kv head kvHeadOf(h).
  int64_t kvHeadOf(int64_t h) const { return h / (numQHeads / numKVHeads); }
};

} // namespace spattn::ref

#endif // SPATTN_REFERENCE_PATTERN_H
