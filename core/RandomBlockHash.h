//===- RandomBlockHash.h - The counter-based PRNG of random_blocks -*- C++ -*-===//
//
// docs/semantics.md fixes this hash so that `random_blocks` keeps the same
// blocks on every target: the reference, the passes' evaluators, CPU
// libraries and CUDA kernels all call this one definition.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_RANDOMBLOCKHASH_H
#define SPATTN_CORE_RANDOMBLOCKHASH_H

#include "core/HostDevice.h"

#include <cstdint>

namespace spattn::core {

/// SplitMix64's finalizer (all arithmetic mod 2^64).
SPATTN_HOST_DEVICE inline uint64_t mix(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// hash(seed, h, q, k): the rank key of key block k for query head h and
/// query block q; smaller is chosen first (ties: lower block index).
SPATTN_HOST_DEVICE inline uint64_t randomBlockHash(uint64_t seed, uint64_t head,
                                                   uint64_t queryBlock,
                                                   uint64_t keyBlock) {
  return mix(mix(mix(mix(seed) ^ head) ^ queryBlock) ^ keyBlock);
}

} // namespace spattn::core

#endif
