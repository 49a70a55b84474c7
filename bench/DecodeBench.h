//===- DecodeBench.h - spattn-bench's decode section ------------*- C++ -*-===//
//
// Decode steps (Lq = 1) of a GQA decoder, 32 query heads over 8 kv heads,
// D = 128, float32, at Lk 16K and 64K, batch 1 and 8: dense attention
// against the memory-bandwidth roofline (a step must read all of K and V),
// and Quest (pages) with its page bounds recomputed by every call or kept
// by the caller (each step updates the bounds of the page its new key
// landed in, then selects from them).
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_BENCH_DECODEBENCH_H
#define SPATTN_BENCH_DECODEBENCH_H

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace spattn::bench {

/// Measures and prints the decode table; `bandwidth` is the triad GB/s of
/// the same run. --quick: Lk 16K, batch 1 only.
llvm::Error runDecodeSection(int threads, bool quick, double bandwidth,
                             llvm::raw_ostream &os);

} // namespace spattn::bench

#endif
