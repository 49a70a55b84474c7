//===- NaiveAttention.h - Independent oracle for the attention tests -*- C++ -*-===//
//
// Textbook masked softmax in long double from an explicit keep predicate
// (which includes causality). Shares no code with Attention.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_REFERENCE_NAIVEATTENTION_H
#define SPATTN_TEST_REFERENCE_NAIVEATTENTION_H

#include "reference/Pattern.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <vector>

namespace spattn::ref::test {

/// keep(b, h, i, j) decides whether query row i of head h sees key j.
using KeepFn = std::function<bool(int64_t, int64_t, int64_t, int64_t)>;

struct NaiveOutput {
  std::vector<long double> out, lse;
};

inline NaiveOutput naiveAttention(const AttentionProblem &pr, const std::vector<float> &q,
                                  const std::vector<float> &k,
                                  const std::vector<float> &v, const KeepFn &keep) {
  const int64_t D = pr.headDim, group = pr.numQHeads / pr.numKVHeads;
  const long double scale = pr.scale != 0 ? pr.scale : 1.0L / std::sqrt((long double)D);
  NaiveOutput res;
  for (int64_t b = 0; b < pr.batch; ++b)
    for (int64_t h = 0; h < pr.numQHeads; ++h) {
      const int64_t g = h / group;
      for (int64_t i = 0; i < pr.queryLength; ++i) {
        auto Q = [&](int64_t d) {
          return (long double)q[((b * pr.numQHeads + h) * pr.queryLength + i) * D + d];
        };
        auto KV = [&](const std::vector<float> &x, int64_t j, int64_t d) {
          return (long double)x[((b * pr.numKVHeads + g) * pr.keyLength + j) * D + d];
        };
        std::vector<long double> s(pr.keyLength);
        long double m = -std::numeric_limits<long double>::infinity();
        bool any = false;
        for (int64_t j = 0; j < pr.keyLength; ++j) {
          if (!keep(b, h, i, j))
            continue;
          any = true;
          s[j] = 0;
          for (int64_t d = 0; d < D; ++d)
            s[j] += Q(d) * KV(k, j, d);
          s[j] *= scale;
          m = std::max(m, s[j]);
        }
        if (!any) {
          res.out.insert(res.out.end(), D, 0.0L);
          res.lse.push_back(-std::numeric_limits<long double>::infinity());
          continue;
        }
        long double z = 0;
        for (int64_t j = 0; j < pr.keyLength; ++j)
          if (keep(b, h, i, j))
            z += std::exp(s[j] - m);
        const long double lse = m + std::log(z);
        for (int64_t d = 0; d < D; ++d) {
          long double o = 0;
          for (int64_t j = 0; j < pr.keyLength; ++j)
            if (keep(b, h, i, j))
              o += std::exp(s[j] - lse) * KV(v, j, d);
          res.out.push_back(o);
        }
        res.lse.push_back(lse);
      }
    }
  return res;
}

inline std::vector<float> randomTensor(int64_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> x(n);
  for (float &f : x)
    f = dist(gen);
  return x;
}

} // namespace spattn::ref::test

#endif // SPATTN_TEST_REFERENCE_NAIVEATTENTION_H
