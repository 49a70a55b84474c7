//===- LibraryMask.h - The mask a generated library applied -----*- C++ -*-===//
//
// The reference mask of a call "given the library's selections": static
// primitives as the reference defines them, content-based nodes with the
// indices the library itself chose (read back through <name>_selection).
// Attention can then be checked apart from selection, and the pairs a
// library kept counted exactly.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_LIB_LIBRARYMASK_H
#define SPATTN_COMPILER_LIB_LIBRARYMASK_H

#include "compiler/library/LibraryApi.h"
#include "reference/Mask.h"

#include <cstdint>
#include <vector>

namespace spattn {

/// The selections of (batch, head) in stage order, as
/// ref::MaskEvaluator::useSelections takes them; stages that do not serve
/// the head are left out. q is Q [B, Hq, Lq, D], k is K [B, Hkv, Lk, D],
/// both contiguous; `options` carries the call's request values (null
/// without request parameters).
std::vector<ref::GivenSelection>
librarySelections(const LibraryApi &lib, const ref::AttentionProblem &problem,
                  const float *q, const float *k, int64_t batch, int64_t head,
                  const spattn_options *options = nullptr);

/// The effective mask of one (batch, head), one row at a time. `pattern`,
/// `problem`, q and k must outlive it.
class LibraryMask {
public:
  LibraryMask(const LibraryApi &lib, const ref::Pattern &pattern,
              const ref::AttentionProblem &problem, const float *q,
              const float *k, int64_t batch, int64_t head,
              const spattn_options *options = nullptr);
  void row(int64_t i, std::vector<uint8_t> &keep) { mask.row(i, keep); }

private:
  ref::MaskEvaluator mask;
};

/// Kept (query, key) pairs of a call summed over every (batch, head): exact
/// when Lq <= maxRows, else each head's kept fraction over maxRows evenly
/// spaced rows (the last included) times its dense pairs.
double keptPairs(const LibraryApi &lib, const ref::Pattern &pattern,
                 const ref::AttentionProblem &problem, const float *q,
                 const float *k, int64_t maxRows,
                 const spattn_options *options = nullptr);

/// The pairs dense attention computes, summed over every (batch, head):
/// Lq * Lk, or the causal part of it.
double densePairs(const ref::AttentionProblem &problem);

} // namespace spattn

#endif
