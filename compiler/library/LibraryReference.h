//===- LibraryReference.h - A library call against the fp64 reference -----===//
//
// Compares chosen rows of a library call's O and LSE with fp64 attention
// over the mask the library applied (LibraryMask: its own selections for
// content-based patterns), and optionally measures recall: the softmax mass
// of dense attention (causal when the spec is) that the kept keys hold.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_LIB_LIBRARYREFERENCE_H
#define SPATTN_COMPILER_LIB_LIBRARYREFERENCE_H

#include "compiler/library/LibraryMask.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace spattn {

/// One call's contiguous float32 tensors: Q [B, Hq, Lq, D], K and V
/// [B, Hkv, Lk, D], O like Q, LSE [B, Hq, Lq]; and its options (request
/// values; null without request parameters).
struct CallData {
  const float *q, *k, *v, *o, *lse;
  const spattn_options *options = nullptr;
};

struct ReferenceCheck {
  double out = 0, lse = 0; // max abs errors (an LSE that should be -inf and
                           // is not counts as an infinite error)
  int64_t rows = 0, emptyRows = 0;
  double recallSum = 0; // over the checked rows, when recall is asked for
  double recallMin = std::numeric_limits<double>::infinity();

  double meanRecall() const { return rows ? recallSum / rows : 0.0; }
};

/// The rows of (batch, head) to check.
using RowChooser =
    llvm::function_ref<std::vector<int64_t>(int64_t batch, int64_t head)>;

/// Checks the chosen rows of every (batch, head). Recall costs a dot
/// product with every causal key of a row, so it is only computed on request.
ReferenceCheck checkAgainstReference(const LibraryApi &lib,
                                     const ref::Pattern &pattern,
                                     const ref::AttentionProblem &problem,
                                     const CallData &call, RowChooser rows,
                                     bool recall);

} // namespace spattn

#endif
