//===- Bandwidth.cpp - Memory bandwidth, the decode roofline --------------===//
#include "Bandwidth.h"
#include "Measure.h"

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace spattn::bench {

namespace {

/// 3 x 256 MiB: far beyond any last-level cache here.
constexpr int64_t kElements = int64_t(64) << 20;

} // namespace

double triadGBps(int threads, int runs) {
  threads = std::max(threads, 1);
  std::vector<float> a(kElements), b(kElements, 1.0f), c(kElements, 2.0f);
  auto pass = [&] {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        const int64_t lo = kElements * t / threads;
        const int64_t hi = kElements * (t + 1) / threads;
        float *out = a.data();
        const float *x = b.data(), *y = c.data();
        for (int64_t i = lo; i < hi; ++i)
          out[i] = x[i] + 3.0f * y[i];
      });
    for (std::thread &worker : pool)
      worker.join();
  };
  pass();
  std::vector<double> seconds;
  for (int r = 0; r < runs; ++r)
    seconds.push_back(timeSeconds(pass));
  return 3.0 * sizeof(float) * double(kElements) / median(seconds) / 1e9;
}

} // namespace spattn::bench
