//===- Random.h - The fuzzer's seeded choices -------------------*- C++ -*-===//
//
// Every choice of a call comes from one generator seeded by (run seed, call
// index), so `--seed S --only N` replays call N of a run exactly.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_CAPIFUZZ_RANDOM_H
#define SPATTN_TEST_CAPIFUZZ_RANDOM_H

#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

namespace spattn::capifuzz {

class Random {
public:
  Random(uint64_t seed, uint64_t call)
      : engine(seed * 0x9E3779B97F4A7C15ull ^ (call + 0x632BE59BD9B4E019ull)) {}

  /// Uniform in [lo, hi].
  int64_t between(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(engine); }
  template <typename T> T pick(std::initializer_list<T> values) {
    return values.begin()[between(0, static_cast<int64_t>(values.size()) - 1)];
  }
  template <typename T> const T &pick(const std::vector<T> &values) {
    return values[between(0, static_cast<int64_t>(values.size()) - 1)];
  }
  uint64_t bits() { return engine(); }

private:
  std::mt19937_64 engine;
};

} // namespace spattn::capifuzz

#endif
