//===- Measure.cpp - Timing for spattn-bench ------------------------------===//
#include "Measure.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace spattn::bench {

double timeSeconds(llvm::function_ref<void()> call) {
  auto start = std::chrono::steady_clock::now();
  call();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double medianSeconds(llvm::function_ref<void()> call) {
  double first = timeSeconds(call);
  if (first > 2.0)
    return first;
  const int calls = std::max(1, int(std::ceil(0.05 / first)));
  std::vector<double> seconds;
  for (int r = 0, samples = first < 0.2 ? 5 : 3; r < samples; ++r)
    seconds.push_back(timeSeconds([&] {
                        for (int c = 0; c < calls; ++c)
                          call();
                      }) /
                      calls);
  return median(seconds);
}

} // namespace spattn::bench
