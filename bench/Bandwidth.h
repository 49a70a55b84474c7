//===- Bandwidth.h - Memory bandwidth, the decode roofline ------*- C++ -*-===//
#ifndef SPATTN_BENCH_BANDWIDTH_H
#define SPATTN_BENCH_BANDWIDTH_H

namespace spattn::bench {

/// GB/s of a STREAM-triad-like loop, a[i] = b[i] + s * c[i], over float
/// arrays far larger than the caches, split over `threads` threads; bytes
/// counted as STREAM does (two reads and a write per element). The median
/// of `runs` passes after a first one that faults the pages in.
double triadGBps(int threads, int runs);

} // namespace spattn::bench

#endif
