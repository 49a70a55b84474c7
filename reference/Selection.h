//===- Selection.h - Random and content-based selections --------*- C++ -*-===//
//
// The selection stages of random_blocks, topk_blocks, mass, vertical_slash
// and pages, exactly as docs/semantics.md defines them. They are observable on
// their own so tests can check the chosen indices apart from attention.
// Every returned list is sorted ascending; the rank order is not exposed.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_REFERENCE_SELECTION_H
#define SPATTN_REFERENCE_SELECTION_H

#include "reference/Pattern.h"

#include <cstdint>
#include <vector>

namespace spattn::ref {

/// What a content-based selection reads for one (batch element, query head):
/// q = this query head's rows [Lq, D], k = its kv head's keys [Lk, D], both
/// row-major and contiguous. May stay null when the pattern needs no content.
struct HeadContent {
  const float *q = nullptr;
  const float *k = nullptr;
};

/// The content of query head `head` of batch element `batch` inside
/// contiguous Q [B, Hq, Lq, D] and K [B, Hkv, Lk, D] (GQA head mapping).
HeadContent headContent(const AttentionProblem &problem, const float *q,
                        const float *k, int64_t batch, int64_t head);

/// Absolute query block floor(p(i) / block) of query row i.
int64_t queryBlockOf(const AttentionProblem &problem, int64_t i, int64_t block);
/// Absolute query block of row 0; per-query-block results below are indexed
/// by (qb - firstQueryBlock).
int64_t firstQueryBlock(const AttentionProblem &problem, int64_t block);
/// Number of query blocks with at least one present row.
int64_t numQueryBlocks(const AttentionProblem &problem, int64_t block);
/// ceil(Lk / block).
int64_t numKeyBlocks(const AttentionProblem &problem, int64_t block);

/// random_blocks: per query block, the kept key blocks.
std::vector<std::vector<int64_t>>
selectRandomBlocks(const Pattern &node, const AttentionProblem &problem,
                   int64_t head);

/// topk_blocks: per query block, the kept key blocks.
std::vector<std::vector<int64_t>>
selectTopkBlocks(const Pattern &node, const AttentionProblem &problem,
                 HeadContent content);

/// mass: per query block, the kept key blocks.
std::vector<std::vector<int64_t>>
selectMassBlocks(const Pattern &node, const AttentionProblem &problem,
                 HeadContent content);

/// vertical_slash: kept key columns and kept diagonal offsets d = p(i) - j.
struct VerticalSlashSelection {
  std::vector<int64_t> columns, offsets;
};
VerticalSlashSelection selectVerticalSlash(const Pattern &node,
                                           const AttentionProblem &problem,
                                           HeadContent content);

/// pages: the per-page key bounds are computed once; rows are then selected
/// one at a time, so a mask evaluator can pay only for the rows it visits.
/// The query rows behind `content.q` must outlive the selector.
class PageSelector {
public:
  PageSelector(const Pattern &node, const AttentionProblem &problem,
               HeadContent content);
  /// Kept pages of query row i.
  std::vector<int64_t> select(int64_t i) const;

private:
  AttentionProblem problem;
  int64_t count, page, numPages;
  const float *q;
  std::vector<float> lo, hi; // [numPages, D] per-dimension min / max
};

/// pages: per query row, the kept pages.
std::vector<std::vector<int64_t>> selectPages(const Pattern &node,
                                              const AttentionProblem &problem,
                                              HeadContent content);

} // namespace spattn::ref

#endif // SPATTN_REFERENCE_SELECTION_H
