//===- SelectTop.h - Top-k with ties to the lower index, by a team of threads -*- C++ -*-===//
//
// The ranking every content-based selection ends with (docs/semantics.md:
// higher score first, ties to the lower index), written once for a *team*:
// the threads of one CUDA block on the device, or host threads with a
// barrier in the tests (test/unit/selections/DeviceSelectionTest.cpp), so
// the same code is checked on machines without a GPU. A team provides
//
//   int rank() const, size() const    this thread, and how many there are
//   void sync() const                 a barrier (__syncthreads)
//   int add(int32_t *at, int32_t v)   an atomic add on team-shared memory
//
// selectTop radix-selects the k-th largest key (8 bits a time from the top,
// one shared 256-bin histogram per digit), then writes the kept indices in
// ascending order: each thread counts its contiguous chunk, and a prefix
// over the chunks places them. No sorting, no allocation, deterministic.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CUDA_KERNELS_SELECTTOP_H
#define SPATTN_TARGETS_CUDA_KERNELS_SELECTTOP_H

#include "core/HostDevice.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace spattn::cuda {

/// The most threads a selection team has (the CUDA blocks launch 256).
constexpr int kMaxTeam = 256;

/// An unsigned key of the same width ordered like the score: NaN ranks as
/// -inf, -0 as +0 (negative scores flip every bit, others set the sign bit).
template <typename Bits, typename Float>
SPATTN_HOST_DEVICE inline Bits orderedBits(Float score) {
  static_assert(sizeof(Bits) == sizeof(Float), "a key as wide as the score");
  if (score != score)
    score = -static_cast<Float>(INFINITY);
  if (score == Float(0))
    score = Float(0);
  Bits bits;
  memcpy(&bits, &score, sizeof bits);
  const Bits sign = Bits(1) << (8 * sizeof(Bits) - 1);
  return (bits & sign) ? ~bits : bits | sign;
}
SPATTN_HOST_DEVICE inline uint32_t orderKey(float score) {
  return orderedBits<uint32_t>(score);
}
SPATTN_HOST_DEVICE inline uint64_t orderKey(double score) {
  return orderedBits<uint64_t>(score);
}

/// Team-shared memory of selectTop.
struct TopScratch {
  int32_t histogram[256];
  int32_t above[kMaxTeam], ties[kMaxTeam]; // per thread's chunk
};

/// Writes to out[0 ..), ascending, the indices i in [0, n) of the `count`
/// largest keyOf(i) (ties: lower i); returns how many: min(max(count, 0), n).
/// Every thread of the team calls it with the same arguments; out may be
/// global or shared memory and is complete when it returns.
template <typename Key, typename Team, typename KeyOf>
SPATTN_HOST_DEVICE int64_t selectTop(const Team &team, int64_t n, int64_t count,
                                     KeyOf &&keyOf, TopScratch &scratch, int32_t *out) {
  const int rank = team.rank(), size = team.size();
  n = n > 0 ? n : 0;
  const int64_t keep = count <= 0 ? 0 : count < n ? count : n;
  if (keep == n) {
    for (int64_t i = rank; i < n; i += size)
      out[i] = static_cast<int32_t>(i);
    team.sync();
    return n;
  }
  if (keep == 0)
    return 0;
  // The keep-th largest key, a digit at a time: `remaining` of the keys that
  // share `threshold`'s digits so far are still to be kept.
  Key threshold = 0, known = 0;
  int64_t remaining = keep;
  for (int shift = 8 * static_cast<int>(sizeof(Key)) - 8; shift >= 0; shift -= 8) {
    for (int b = rank; b < 256; b += size)
      scratch.histogram[b] = 0;
    team.sync();
    for (int64_t i = rank; i < n; i += size) {
      const Key key = keyOf(i);
      if ((key & known) == threshold)
        team.add(&scratch.histogram[(key >> shift) & 255], 1);
    }
    team.sync();
    // Every thread reads the same histogram to the same digit.
    int digit = 255;
    for (; digit > 0 && scratch.histogram[digit] < remaining; --digit)
      remaining -= scratch.histogram[digit];
    threshold |= static_cast<Key>(digit) << shift;
    known |= static_cast<Key>(255) << shift;
    team.sync(); // everyone has read the histogram before it is cleared
  }
  // Keys above the threshold are kept; of those equal to it, the first
  // `remaining` in index order. Each thread owns a contiguous chunk.
  const int64_t chunk = (n + size - 1) / size;
  const int64_t lo = rank * chunk < n ? rank * chunk : n;
  const int64_t hi = lo + chunk < n ? lo + chunk : n;
  int32_t above = 0, ties = 0;
  for (int64_t i = lo; i < hi; ++i) {
    const Key key = keyOf(i);
    above += key > threshold;
    ties += key == threshold;
  }
  scratch.above[rank] = above;
  scratch.ties[rank] = ties;
  team.sync();
  int64_t at = 0, tiesBefore = 0;
  for (int r = 0; r < rank; ++r) {
    const int64_t left = remaining - tiesBefore;
    at += scratch.above[r] + (scratch.ties[r] < left ? scratch.ties[r] : left > 0 ? left : 0);
    tiesBefore += scratch.ties[r];
  }
  for (int64_t i = lo; i < hi; ++i) {
    const Key key = keyOf(i);
    if (key > threshold || (key == threshold && tiesBefore < remaining))
      out[at++] = static_cast<int32_t>(i);
    tiesBefore += key == threshold;
  }
  team.sync();
  return keep;
}

} // namespace spattn::cuda

#endif
