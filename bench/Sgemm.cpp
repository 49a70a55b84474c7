//===- Sgemm.cpp - OpenBLAS sgemm, the practical roofline -----------------===//
#include "Sgemm.h"
#include "Measure.h"

#include <cblas.h>

#include <chrono>
#include <random>
#include <thread>
#include <vector>

namespace spattn::bench {

double sgemmGflops(int64_t n, int threads, int runs) {
  std::vector<float> a(n * n), b(n * n), c(n * n);
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (std::vector<float> *m : {&a, &b})
    for (float &x : *m)
      x = uniform(rng);
  openblas_set_num_threads(threads);
  auto call = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
                a.data(), n, b.data(), n, 0.0f, c.data(), n);
  };
  call();
  std::vector<double> seconds;
  for (int r = 0; r < runs; ++r)
    seconds.push_back(timeSeconds(call));
  // OpenBLAS's idle workers spin for a while after a call; let them sleep
  // before the attention kernels want the cores.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return 2.0 * double(n) * n * n / median(seconds) / 1e9;
}

} // namespace spattn::bench
