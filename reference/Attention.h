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
ReferenceOutput referenceAttention(const Pattern &pattern,
                                   const AttentionProblem &problem,
                                   const float *q, const float *k,
                                   const float *v);

} // namespace spattn::ref

#endif // SPATTN_REFERENCE_ATTENTION_H
