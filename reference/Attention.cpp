//===- Attention.cpp - fp64 reference attention ---------------------------===//

#include "reference/Attention.h"

#include "reference/Mask.h"
#include "reference/Selection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace spattn::ref {

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
        const float *qi = content.q + i * dim;
        double maxScore = -std::numeric_limits<double>::infinity();
        bool anyKey = false;
        for (int64_t j = 0; j < lk; ++j) {
          if (!keep[j])
            continue;
          anyKey = true;
          double dot = 0.0;
          for (int64_t d = 0; d < dim; ++d)
            dot += static_cast<double>(qi[d]) * content.k[j * dim + d];
          score[j] = scale * dot;
          maxScore = std::max(maxScore, score[j]);
        }
        const int64_t row = (b * hq + h) * lq + i;
        if (!anyKey)
          continue; // no key: O = 0 and LSE = -inf, already in place
        // Subtracting the row max keeps every exp() in (0, 1].
        double total = 0.0;
        double *out = result.out.data() + row * dim;
        for (int64_t j = 0; j < lk; ++j) {
          if (!keep[j])
            continue;
          double weight = std::exp(score[j] - maxScore);
          total += weight;
          for (int64_t d = 0; d < dim; ++d)
            out[d] += weight * values[j * dim + d];
        }
        for (int64_t d = 0; d < dim; ++d)
          out[d] /= total;
        result.lse[row] = maxScore + std::log(total);
      }
    }
  return result;
}

} // namespace spattn::ref
