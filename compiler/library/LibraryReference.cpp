//===- LibraryReference.cpp - A library call against the fp64 reference ---===//
#include "compiler/library/LibraryReference.h"

#include "reference/Attention.h"

#include <algorithm>
#include <cmath>

namespace spattn {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// One (batch, head) of a call as fp64 math reads it.
struct HeadView {
  const float *q, *k, *v, *o, *lse; // this head's rows
  int64_t dim;
  double scale;

  double score(int64_t i, int64_t j) const {
    double dot = 0;
    for (int64_t d = 0; d < dim; ++d)
      dot += double(q[i * dim + d]) * k[j * dim + d];
    return scale * dot;
  }
};

/// Recall: the dense softmax mass (every key dense attention sees) on the
/// kept keys. keep[j] is 0 past the causal cut: that cut is in the mask.
double recallOf(const HeadView &head, const ref::AttentionProblem &problem,
                int64_t i, const std::vector<uint8_t> &keep,
                std::vector<double> &scores) {
  const int64_t last =
      problem.causal ? problem.queryPosition(i) : problem.keyLength - 1;
  scores.assign(problem.keyLength, -kInf);
  double denseMax = -kInf;
  for (int64_t j = 0; j <= last; ++j) {
    scores[j] = head.score(i, j);
    denseMax = std::max(denseMax, scores[j]);
  }
  double dense = 0, kept = 0;
  for (int64_t j = 0; j <= last; ++j) {
    double p = std::exp(scores[j] - denseMax);
    dense += p;
    if (keep[j])
      kept += p;
  }
  return kept / dense;
}

void checkRow(const HeadView &head, const ref::AttentionProblem &problem,
              int64_t i, const std::vector<uint8_t> &keep, bool recall,
              std::vector<double> &scores, ReferenceCheck &check) {
  const int64_t D = head.dim;
  ++check.rows;
  if (recall) {
    double fraction = recallOf(head, problem, i, keep, scores);
    check.recallSum += fraction;
    check.recallMin = std::min(check.recallMin, fraction);
  }
  std::vector<double> out(D);
  double lse = ref::attendRow(head.q + i * D, head.k, head.v, D, problem.keyLength,
                              head.scale, keep.data(), out.data(), scores);
  for (int64_t d = 0; d < D; ++d)
    check.out = std::max(check.out, std::fabs(out[d] - head.o[i * D + d]));
  if (lse == -kInf) {
    ++check.emptyRows;
    if (head.lse[i] != -std::numeric_limits<float>::infinity())
      check.lse = kInf;
    return;
  }
  check.lse = std::max(check.lse, std::fabs(lse - head.lse[i]));
}

} // namespace

ReferenceCheck checkAgainstReference(const LibraryApi &lib,
                                     const ref::Pattern &pattern,
                                     const ref::AttentionProblem &problem,
                                     const CallData &call, RowChooser rows,
                                     bool recall) {
  const int64_t D = problem.headDim, lq = problem.queryLength,
                lk = problem.keyLength;
  ReferenceCheck check;
  std::vector<uint8_t> keep;
  std::vector<double> scores;
  for (int64_t b = 0; b < problem.batch; ++b)
    for (int64_t h = 0; h < problem.numQHeads; ++h) {
      std::vector<int64_t> chosen = rows(b, h);
      if (chosen.empty())
        continue; // not even the library's selections are needed
      LibraryMask mask(lib, pattern, problem, call.q, call.k, b, h, call.options);
      int64_t qRow = (b * problem.numQHeads + h) * lq;
      int64_t kRow = (b * problem.numKVHeads + problem.kvHeadOf(h)) * lk;
      HeadView head{call.q + qRow * D,       call.k + kRow * D,
                    call.v + kRow * D,       call.o + qRow * D,
                    call.lse + qRow,         D,
                    problem.effectiveScale()};
      for (int64_t i : chosen) {
        mask.row(i, keep);
        checkRow(head, problem, i, keep, recall, scores, check);
      }
    }
  return check;
}

} // namespace spattn
