//===- Mask.h - Token-level mask of an evaluated pattern --------*- C++ -*-===//
//
// The effective mask M(h, i, j) && (not causal or j <= p(i)) of one query
// head, one row at a time. Rows cost O(Lk) (primitives fill intervals), and
// random / content-based selections are computed once per evaluator, on first
// use, so sampled rows stay cheap at Lk = 131072.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_REFERENCE_MASK_H
#define SPATTN_REFERENCE_MASK_H

#include "reference/Pattern.h"
#include "reference/Selection.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace spattn::ref {

/// Indices a selection chose, given from outside: per query block (from the
/// first present one) for topk_blocks and mass, per query row for pages,
/// {columns, offsets} for vertical_slash. Each list sorted ascending.
using GivenSelection = std::vector<std::vector<int64_t>>;

class MaskEvaluator {
public:
  /// `pattern` and the memory behind `content` must outlive the evaluator.
  /// per_head nodes are resolved for `head` here.
  MaskEvaluator(const Pattern &pattern, const AttentionProblem &problem,
                int64_t head, HeadContent content);
  ~MaskEvaluator();

  /// Uses `given[k]` as the selection of the k-th content-based node
  /// (topk_blocks, mass, vertical_slash, pages; preorder, per_head resolved
  /// for the head) instead of computing it: the mask "given the same selected
  /// indices" as a backend chose, so attention can be checked apart from
  /// selection. Call before the first row().
  void useSelections(std::vector<GivenSelection> given);

  /// Resizes `keep` to Lk; keep[j] = 1 iff the effective mask keeps (i, j).
  void row(int64_t i, std::vector<uint8_t> &keep);

private:
  struct Node;
  Node build(const Pattern &pattern, int64_t head);
  void evaluate(Node &node, int64_t i, uint8_t *keep);
  void select(Node &node);

  AttentionProblem problem;
  int64_t head;
  HeadContent content;
  std::vector<GivenSelection> given;
  int64_t nextGiven = 0; // preorder index of the next content-based node
  std::unique_ptr<Node> root;
};

/// The effective mask of query head `head` as Lq * Lk row-major 0/1 bytes.
std::vector<uint8_t> buildMask(const Pattern &pattern,
                               const AttentionProblem &problem, int64_t head,
                               HeadContent content);

} // namespace spattn::ref

#endif // SPATTN_REFERENCE_MASK_H
