//===- Measure.h - Timing for spattn-bench ----------------------*- C++ -*-===//
#ifndef SPATTN_BENCH_MEASURE_H
#define SPATTN_BENCH_MEASURE_H

#include "llvm/ADT/STLFunctionalExtras.h"

#include <vector>

namespace spattn::bench {

/// Wall-clock seconds of one call.
double timeSeconds(llvm::function_ref<void()> call);

double median(std::vector<double> values);

/// Median seconds of `call`. The first call warms up (thread pool, page
/// faults); when it takes over 2 s it is the only sample. Else the median
/// of 3 samples (5 below 0.2 s), each the mean of enough calls to last
/// 50 ms, so that a scheduler tick on a busy machine does not decide a
/// short call's time; a point costs a few seconds beyond its first call.
double medianSeconds(llvm::function_ref<void()> call);

} // namespace spattn::bench

#endif
