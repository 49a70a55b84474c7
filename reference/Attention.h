//===- Attention.h - fp64 reference attention -------------------*- C++ -*-===//
//
// The oracle of every test: masked softmax attention computed in fp64 from
// fp32 inputs, exactly as docs/semantics.md ("Attention") defines it.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_REFERENCE_ATTENTION_H
#define SPATTN_REFERENCE_ATTENTION_H

#include "reference/Pattern.h"

#include <vector>

namespace spattn::ref {

struct ReferenceOutput {
  std::vector<double> out; // [B, Hq, Lq, D]
  std::vector<double> lse; // [B, Hq, Lq]; -inf for a row with no key
};

/// q [B, Hq, Lq, D], k and v [B, Hkv, Lk, D], contiguous row-major.
/// One query row in fp64 over the keys `keep` marks in [0, lk): writes
/// O_i to out[0 .. dim) and returns LSE_i; no kept key gives O_i = 0 and
/// -inf. `q` is the row, k and v are [lk, dim] rows; `scores` is scratch.
double attendRow(const float *q, const float *k, const float *v, int64_t dim,
                 int64_t lk, double scale, const uint8_t *keep, double *out,
                 std::vector<double> &scores);

ReferenceOutput referenceAttention(const Pattern &pattern,
                                   const AttentionProblem &problem,
                                   const float *q, const float *k,
                                   const float *v);

} // namespace spattn::ref

#endif // SPATTN_REFERENCE_ATTENTION_H
