//===- LibraryMask.cpp - The mask a generated library applied -------------===//
#include "compiler/library/LibraryMask.h"

#include "reference/Density.h"

#include <algorithm>

namespace spattn {

std::vector<ref::GivenSelection>
librarySelections(const LibraryApi &lib, const ref::AttentionProblem &problem,
                  const float *q, const float *k, int64_t batch, int64_t head,
                  const spattn_options *options) {
  const int64_t D = problem.headDim;
  spattn_tensor qDesc = contiguousTensor(
      q, {problem.batch, problem.numQHeads, problem.queryLength, D});
  spattn_tensor kDesc = contiguousTensor(
      k, {problem.batch, problem.numKVHeads, problem.keyLength, D});
  std::vector<ref::GivenSelection> given;
  for (int32_t stage = 0; stage < lib.numStages(); ++stage) {
    spattn_selection sel;
    if (lib.selection(&qDesc, &kDesc, batch, head, stage, options, &sel) != SPATTN_OK)
      continue; // this stage does not serve the head
    ref::GivenSelection groups(sel.num_groups);
    for (int64_t g = 0; g < sel.num_groups; ++g)
      groups[g].assign(sel.indices + sel.offsets[g],
                       sel.indices + sel.offsets[g + 1]);
    given.push_back(std::move(groups));
  }
  return given;
}

LibraryMask::LibraryMask(const LibraryApi &lib, const ref::Pattern &pattern,
                         const ref::AttentionProblem &problem, const float *q,
                         const float *k, int64_t batch, int64_t head,
                         const spattn_options *options)
    : mask(pattern, problem, head,
           ref::headContent(problem, q, k, batch, head)) {
  if (pattern.needsContent())
    mask.useSelections(librarySelections(lib, problem, q, k, batch, head, options));
}

/// Pairs dense attention computes in row i.
double densePairs(const ref::AttentionProblem &problem) {
  // Causal rows see p(i) + 1 keys: an arithmetic series over the Lq rows.
  double lq = double(problem.queryLength), lk = double(problem.keyLength);
  double perHead = problem.causal ? lq * (2 * lk - lq + 1) / 2 : lq * lk;
  return perHead * double(problem.batch * problem.numQHeads);
}

double keptPairs(const LibraryApi &lib, const ref::Pattern &pattern,
                 const ref::AttentionProblem &problem, const float *q,
                 const float *k, int64_t maxRows,
                 const spattn_options *options) {
  ref::AttentionProblem one = problem;
  one.batch = one.numQHeads = 1;
  const double headDense = densePairs(one);
  const bool everyRow = problem.queryLength <= maxRows;
  double total = 0;
  for (int64_t b = 0; b < problem.batch; ++b)
    for (int64_t h = 0; h < problem.numQHeads; ++h) {
      LibraryMask mask(lib, pattern, problem, q, k, b, h, options);
      auto [kept, dense] = ref::sampledPairs(
          problem, maxRows,
          [&](int64_t i, std::vector<uint8_t> &keep) { mask.row(i, keep); });
      total += everyRow ? kept : kept / dense * headDense;
    }
  return total;
}

} // namespace spattn
