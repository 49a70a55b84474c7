//===- Attention.cpp - fp64 reference attention ---------------------------===//

#include "reference/Attention.h"

#include "reference/Mask.h"
#include "reference/Selection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace spattn::ref {

double attendRow(const float *q, const float *k, const float *v, int64_t dim,
                 int64_t lk, double scale, const uint8_t *keep, double *out,
                 std::vector<double> &scores) {
  scores.resize(lk);
  double maxScore = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < lk; ++j) {
    if (!keep[j])
      continue;
    double dot = 0.0;
    for (int64_t d = 0; d < dim; ++d)
      dot += static_cast<double>(q[d]) * k[j * dim + d];
    scores[j] = scale * dot;
    maxScore = std::max(maxScore, scores[j]);
  }
  std::fill(out, out + dim, 0.0);
  if (maxScore == -std::numeric_limits<double>::infinity())
    return maxScore; // no key: O = 0, LSE = -inf
  // Subtracting the row max keeps every exp() in (0, 1].
  double total = 0.0;
  for (int64_t j = 0; j < lk; ++j) {
    if (!keep[j])
      continue;
    double weight = std::exp(scores[j] - maxScore);
    total += weight;
    for (int64_t d = 0; d < dim; ++d)
      out[d] += weight * v[j * dim + d];
  }
  for (int64_t d = 0; d < dim; ++d)
    out[d] /= total;
  return maxScore + std::log(total);
}

ReferenceOutput referenceAttention(const Pattern &pattern,
                                   const AttentionProblem &problem,
                                   const float *q, const float *k,
                                   const float *v) {
  const int64_t hq = problem.numQHeads, hkv = problem.numKVHeads;
  if (hkv < 1 || hq % hkv != 0)
    throw std::invalid_argument("spattn reference: Hq must be a multiple of Hkv");
  const int64_t lq = problem.queryLength, lk = problem.keyLength;
  const int64_t dim = problem.headDim;
  const double scale = problem.effectiveScale();

  ReferenceOutput result;
  result.out.assign(problem.batch * hq * lq * dim, 0.0);
  result.lse.assign(problem.batch * hq * lq,
                    -std::numeric_limits<double>::infinity());
  std::vector<uint8_t> keep;
  std::vector<double> score(lk);
  for (int64_t b = 0; b < problem.batch; ++b)
    for (int64_t h = 0; h < hq; ++h) {
      HeadContent content = headContent(problem, q, k, b, h);
      // V is laid out like K, so the kv head's values sit at the same offset.
      const float *values = v + (content.k - k);
      MaskEvaluator mask(pattern, problem, h, content);
      for (int64_t i = 0; i < lq; ++i) {
        mask.row(i, keep);
        const int64_t row = (b * hq + h) * lq + i;
        result.lse[row] = attendRow(content.q + i * dim, content.k, values, dim, lk,
                                    scale, keep.data(),
                                    result.out.data() + row * dim, score);
      }
    }
  return result;
}

} // namespace spattn::ref
