//===- Planted.h - Synthetic attention with a known length law --*- C++ -*-===//
//
// Test and demo data for spattn-calibrate: causal attention whose row i
// spreads its mass almost uniformly over the w(L) most recent keys, with
// w(L) = max(1, floor(c * L^a)) (the spattn.budget.power formula), per head.
// Key j is the one-hot vector e_j (so L <= head_dim), query i is
// logit * sqrt(D) * (sum of the window's one-hots) plus small Gaussian noise:
// scores are about `logit` inside the window and 0 outside, so a causal
// window of m <= w keys keeps about min(m, i + 1) / min(w, i + 1) of row i's
// mass, and a recall target close to 1 needs m = w(L) exactly.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_CALIBRATE_PLANTED_H
#define SPATTN_COMPILER_SPATTN_CALIBRATE_PLANTED_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace spattn::calibrate {

struct PlantedLaw {
  double coeff = 1.0, exponent = 0.5;
  /// max(1, floor(coeff * L^exponent)), at most L.
  int64_t window(int64_t length) const;
};

struct PlantedOptions {
  std::vector<int64_t> lengths;
  std::vector<PlantedLaw> heads; // one law per head
  int64_t headDim = 256;
  int64_t samples = 2; // files per length
  double logit = 20.0;
  double noise = 0.05; // standard deviation added to every query component
  uint32_t seed = 0;
};

/// Writes L<len>_planted<s>_{q,k,v}.npy, [heads, L, headDim] each, into
/// `folder` (created). Fails when a length exceeds headDim.
llvm::Error writePlanted(llvm::StringRef folder, const PlantedOptions &options);

} // namespace spattn::calibrate

#endif
