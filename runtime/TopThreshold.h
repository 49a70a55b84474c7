//===- TopThreshold.h - The k-th highest score, by radix select -*- C++ -*-===//
//
// The selections keep the k highest scores of a group, ties to the lower
// index (docs/semantics.md). Which ones follows from two numbers: the k-th
// highest score and how many scores lie above it. Both come from a radix
// select over the scores' bits mapped to unsigned keys that order as the
// scores do: 8 bits a pass, from the top, each pass keeping only the keys
// in the bucket that holds the k-th. A pass costs a read and a histogram
// increment per key, where std::nth_element on float scores took 7-8 ns a
// score (4096 page scores of a Quest decode step, Zen 4); fewer scores go
// through std::nth_element on the same keys.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_RUNTIME_TOPTHRESHOLD_H
#define SPATTN_RUNTIME_TOPTHRESHOLD_H

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>
#include <vector>

namespace spattn::host {

/// NaN ranks as -inf so every comparison of scores is a strict order.
template <typename T> T rankable(T score) {
  return std::isnan(score) ? -std::numeric_limits<T>::infinity() : score;
}

/// The k-th highest of some scores, and how many of them are higher.
template <typename T> struct TopThreshold {
  T threshold;
  int64_t above;
};

namespace detail {

template <typename T>
using RadixKey = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
static_assert(std::numeric_limits<float>::is_iec559 && std::numeric_limits<double>::is_iec559,
              "radix keys read IEEE 754 bits");

/// An unsigned key that orders as rankable(score) does under <, with -0
/// and +0 one key (they compare equal). Branch-free, so a loop of them
/// vectorizes.
template <typename T> RadixKey<T> radixKey(T score) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "scores are float or double");
  using Key = RadixKey<T>;
  using Signed = std::make_signed_t<Key>;
  constexpr Key sign = Key(1) << (8 * sizeof(Key) - 1);
  constexpr Key infinity = std::numeric_limits<T>::digits == 24 ? Key(0x7f800000)
                                                                 : Key(0x7ff) << 52;
  Key bits;
  std::memcpy(&bits, &score, sizeof bits);
  const Key magnitude = bits & ~sign;
  bits = magnitude > infinity ? (sign | infinity) : bits; // NaN: -inf
  bits = magnitude == 0 ? 0 : bits;                       // -0: +0
  // Negative scores order backwards in their bits: flip them all; flip only
  // the sign bit of the others, so they sort above every negative one.
  const Key negative = static_cast<Key>(static_cast<Signed>(bits) >> (8 * sizeof(Key) - 1));
  return bits ^ (negative | sign);
}

template <typename T> T scoreOf(RadixKey<T> key) {
  using Key = RadixKey<T>;
  constexpr Key sign = Key(1) << (8 * sizeof(Key) - 1);
  const Key bits = (key & sign) ? key & ~sign : ~key;
  T value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

} // namespace detail

/// Scores from which the radix select runs: below, std::nth_element is
/// quicker (Zen 4: 1.9 against 4.8 us for 1024 scores; 13 against 5.5 us
/// for 2048, docs/benchmarks.md).
constexpr int64_t kRadixSelectFrom = 2048;

/// Room for topThreshold's keys, reused across calls.
template <typename T> using TopScratch = std::vector<detail::RadixKey<T>>;

/// The k-th highest of scores[0, n) (NaN as -inf) and how many scores are
/// higher, for 1 <= k <= n. `scratch` holds the keys still in the running.
template <typename T>
TopThreshold<T> topThreshold(const T *scores, int64_t n, int64_t k,
                             TopScratch<T> &scratch) {
  using Key = detail::RadixKey<T>;
  assert(k >= 1 && k <= n && "the k-th of n scores needs 1 <= k <= n");
  scratch.resize(n);
  Key low = ~Key(0), high = 0;
  for (int64_t i = 0; i < n; ++i) {
    const Key key = detail::radixKey(scores[i]);
    scratch[i] = key;
    low = std::min(low, key);
    high = std::max(high, key);
  }
  if (n < kRadixSelectFrom) {
    // Few scores: std::nth_element on their keys is quicker than clearing
    // and summing histograms.
    std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end(),
                     std::greater<Key>());
    const Key kth = scratch[k - 1];
    return {detail::scoreOf<T>(kth),
            std::count_if(scratch.begin(), scratch.begin() + (k - 1),
                          [&](Key key) { return key > kth; })};
  }
  // Bytes above the first one where the lowest and highest keys differ are
  // the same in every key: the passes start below them (scores of one
  // sign and similar size share their top byte or two).
  int shift = 8 * sizeof(Key) - 8;
  while (shift > 0 && ((low ^ high) >> shift) == 0)
    shift -= 8;
  int64_t candidates = n, above = 0;
  Key prefix = low & ~((Key(0xff) << shift) | ((Key(1) << shift) - 1));
  for (; shift >= 0; shift -= 8) {
    // Four histograms, summed after: runs of keys in one bucket (clustered
    // scores) would otherwise wait on each other's increments.
    int32_t count[4][256] = {};
    int64_t i = 0;
    for (; i + 4 <= candidates; i += 4)
      for (int lane = 0; lane < 4; ++lane)
        ++count[lane][(scratch[i + lane] >> shift) & 0xff];
    for (; i < candidates; ++i)
      ++count[0][(scratch[i] >> shift) & 0xff];
    auto bucket = [&](int digit) {
      return int64_t{count[0][digit]} + count[1][digit] + count[2][digit] + count[3][digit];
    };
    // The bucket of the k-th highest key: buckets above it hold fewer than k.
    int digit = 255;
    while (bucket(digit) < k) {
      k -= bucket(digit);
      above += bucket(digit);
      --digit;
    }
    prefix |= Key(digit) << shift;
    // Keep the keys of that bucket; the others are decided.
    if (bucket(digit) == candidates)
      continue;
    int64_t kept = 0;
    for (int64_t j = 0; j < candidates; ++j)
      if (static_cast<int>((scratch[j] >> shift) & 0xff) == digit)
        scratch[kept++] = scratch[j];
    candidates = kept;
  }
  // Every key left equals prefix: the k-th highest.
  return {detail::scoreOf<T>(prefix), above};
}

} // namespace spattn::host

#endif
