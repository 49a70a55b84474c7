//===- SparsePairs.h - Partial spans in the cheapest execution form -*- C++ -*-===//
//
// A partial span (keys a query block keeps only some of) can run in three
// forms, and which is cheapest follows from counts of its mask:
//   - Runs: the masked Halide kernel over the runs of key tiles holding a
//     kept pair; every row pays for every key of the runs.
//   - Panel: the kept columns (keys some row keeps) gathered into a dense
//     panel that a full-width kernel call runs on; pays a copy per column.
//   - Pairs: each kept (row, key) pair computed on its own (a dot product
//     and an update of the row's online softmax); pays per kept pair, at a
//     higher cost per pair than the kernels, but nothing for the pairs it
//     skips. Diagonals (strided, dilated) are this form: each row keeps
//     other keys, so neither runs nor panels are sparse.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_LIBSUPPORT_SPARSEPAIRS_H
#define SPATTN_TARGETS_CPU_LIBSUPPORT_SPARSEPAIRS_H

#include <cstdint>

namespace spattn::cpu {

enum class SpanForm { Runs, Panel, Pairs };

/// What the mask of one partial span holds.
struct SpanCounts {
  int64_t kernelRows;  // rows a kernel call computes (present or padding)
  int64_t runKeys;     // keys in runs of tiles with a kept pair
  int64_t keptColumns; // keys some present row keeps
  int64_t keptPairs;   // kept (present row, key) pairs
};

/// Sets columns[jj] (jj < n) to whether any of `rows` mask rows (`stride`
/// apart) keeps key jj; returns the kept pairs.
int64_t keptColumnsOf(const uint8_t *mask, int64_t rows, int64_t stride, int64_t n,
                      uint8_t *columns);

/// The form with the least estimated time.
SpanForm cheapestForm(const SpanCounts &counts);

/// Adds the kept keys of one row to its online-softmax state (m, l,
/// acc[D]): keys[jj * keyStride] for each jj < n with keep[jj] != 0.
/// `scores` holds n floats of scratch.
void attendPairs(const float *query, const float *keys, int64_t keyStride,
                 const float *values, int64_t valueStride, const uint8_t *keep,
                 int64_t n, int64_t headDim, float scale, float &m, float &l,
                 float *acc, float *scores);

} // namespace spattn::cpu

#endif
