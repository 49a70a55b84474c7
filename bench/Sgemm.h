//===- Sgemm.h - OpenBLAS sgemm, the practical roofline ---------*- C++ -*-===//
//
// Attention's FLOPs are two matrix products, so what a tuned sgemm reaches
// on this machine, measured in the same run, is the yardstick for the
// kernels' GFLOP/s.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_BENCH_SGEMM_H
#define SPATTN_BENCH_SGEMM_H

#include <cstdint>

namespace spattn::bench {

/// GFLOP/s of OpenBLAS sgemm on n x n by n x n float32 matrices on
/// `threads` threads: the median of `runs` calls after a warm-up call.
double sgemmGflops(int64_t n, int threads, int runs);

} // namespace spattn::bench

#endif
