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

/// The key blocks random_blocks keeps for one (head, query block) in fixed
/// slots (-1: unused), for code that cannot allocate: at most Capacity.
template <int Capacity> struct RandomChoice {
  int64_t blocks[Capacity];

  SPATTN_HOST_DEVICE bool contains(int64_t block) const {
    bool found = false;
    SPATTN_UNROLL
    for (int s = 0; s < Capacity; ++s)
      found |= blocks[s] == block;
    return found;
  }
  /// How many kept blocks lie in [lo, hi].
  SPATTN_HOST_DEVICE int64_t countIn(int64_t lo, int64_t hi) const {
    int64_t count = 0;
    SPATTN_UNROLL
    for (int s = 0; s < Capacity; ++s)
      count += blocks[s] >= lo && blocks[s] <= hi && blocks[s] >= 0;
    return count;
  }
  /// The first key tile >= tile (of tileK keys) holding a kept block of
  /// `block` keys, or INT64_MAX.
  SPATTN_HOST_DEVICE int64_t nextTile(int64_t tile, int64_t block, int64_t tileK) const {
    int64_t best = INT64_MAX;
    SPATTN_UNROLL
    for (int s = 0; s < Capacity; ++s) {
      if (blocks[s] < 0)
        continue;
      int64_t first = blocks[s] * block / tileK, last = (blocks[s] * block + block - 1) / tileK;
      int64_t at = first > tile ? first : tile;
      if (last >= tile && at < best)
        best = at;
    }
    return best;
  }
};

/// The `count` candidate key blocks 0..last of (head, queryBlock) with the
/// smallest hash (ties: lower block): docs/semantics.md's random_blocks, in
/// one pass keeping the Capacity smallest (count <= Capacity).
template <int Capacity>
SPATTN_HOST_DEVICE RandomChoice<Capacity>
chooseRandomBlocks(uint64_t seed, int64_t head, int64_t queryBlock, int64_t last,
                   int64_t count) {
  uint64_t hash[Capacity];
  int64_t block[Capacity];
  SPATTN_UNROLL
  for (int s = 0; s < Capacity; ++s) {
    hash[s] = UINT64_MAX;
    block[s] = INT64_MAX; // after every real (hash, block)
  }
  auto less = [](uint64_t ha, int64_t ba, uint64_t hb, int64_t bb) {
    return ha < hb || (ha == hb && ba < bb);
  };
  for (int64_t c = 0; c <= last; ++c) {
    const uint64_t h = randomBlockHash(seed, static_cast<uint64_t>(head),
                                       static_cast<uint64_t>(queryBlock),
                                       static_cast<uint64_t>(c));
    // Insert (h, c) into the ascending slots, from the top down.
    SPATTN_UNROLL
    for (int s = Capacity - 1; s >= 0; --s) {
      if (s > 0 && less(h, c, hash[s - 1], block[s - 1])) {
        hash[s] = hash[s - 1];
        block[s] = block[s - 1];
      } else if (less(h, c, hash[s], block[s])) {
        hash[s] = h;
        block[s] = c;
      }
    }
  }
  RandomChoice<Capacity> out;
  SPATTN_UNROLL
  for (int s = 0; s < Capacity; ++s)
    out.blocks[s] = s < count && block[s] != INT64_MAX ? block[s] : -1;
  return out;
}

} // namespace spattn::core

#endif
