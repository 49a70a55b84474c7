//===- SparsePairs.h - Partial spans in the cheapest execution form -*- C++ -*-===//
//
// A partial span (keys a query block keeps only some of) can run in four
// forms, and which is cheapest follows from counts of its mask:
//   - Runs: the masked Halide kernel over the runs of key tiles holding a
//     kept pair; every row pays for every key of the runs.
//   - Panel: the kept columns (keys some row keeps) gathered into a dense
//     panel that a full-width kernel call runs on; pays a copy per column.
//   - Pairs: each kept (row, key) pair computed on its own (a dot product
//     and an update of the row's online softmax); pays per kept pair, at a
//     higher cost per pair than the kernels, but nothing for the pairs it
//     skips. Diagonals (strided, dilated, slashes) are this form: each row
//     keeps other keys, so neither runs nor panels are sparse. Each row
//     walks the span's kept diagonals (one scan of the mask finds them), not
//     its mask row, so it pays for the diagonals, not for the span's width.
//   - Panel and pairs: the columns every row keeps (vertical columns, global
//     tokens) through the panel, the rest as pairs. A column every row of a
//     block keeps crosses one diagonal per row: as pairs it costs a pair per
//     row and makes each row visit all those diagonals.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_LIBSUPPORT_SPARSEPAIRS_H
#define SPATTN_TARGETS_CPU_LIBSUPPORT_SPARSEPAIRS_H

#include "targets/cpu/libsupport/InstructionSets.h"

#include <cstdint>

namespace spattn::cpu {

enum class SpanForm { Runs, Panel, Pairs, PanelAndPairs };

/// What the mask of one partial span holds.
struct SpanCounts {
  int64_t kernelRows;     // rows a kernel call computes (present or padding)
  int64_t runKeys;        // keys in runs of tiles with a kept pair
  int64_t keptColumns;    // keys some present row keeps
  int64_t keptPairs;      // kept (present row, key) pairs
  int64_t diagonalVisits; // (row, key) pairs on the kept diagonals
  int64_t rows;           // present rows
  int64_t fullColumns;    // keys every present row keeps
};

/// One partial span: `rows` query rows at consecutive positions against `n`
/// consecutive keys; mask row p (`maskStride` apart) says which keys row p
/// keeps. Row p's key on diagonal e is p + e - (rows - 1).
struct PartialSpan {
  const float *queries;
  int64_t queryStride;
  const float *keys;
  int64_t keyStride;
  const float *values;
  int64_t valueStride;
  const uint8_t *mask;
  int64_t maskStride;
  int64_t rows, n, headDim;
  float scale;
};

/// The rows' online-softmax states: m[p], l[p] and acc[p * accStride + d].
struct RowStates {
  float *m, *l, *acc;
  int64_t accStride;
};

/// Scans the span's mask (bytes 0 or 1) once: columns[jj] (jj < n) is
/// whether some row keeps key jj, fullColumns[jj] whether every row does,
/// diagonals[e] (e < n + rows - 1) whether some row keeps a key on
/// diagonal e. Returns the kept pairs. Runs the loop compiled for `vectors`
/// (which the CPU must have: hostVectors()).
int64_t scanMask(const PartialSpan &span, uint8_t *columns, uint8_t *fullColumns,
                 uint8_t *diagonals, HostVectors vectors);

/// Clears keys `columns` marks (bytes 0 or 1) from the first `rows` mask
/// rows of `n` keys, `maskStride` apart.
void dropColumns(uint8_t *mask, int64_t maskStride, int64_t rows, int64_t n,
                 const uint8_t *columns);

/// Writes the indices of the kept diagonals to `list` (room for
/// n + rows - 1) and returns their count; `visits` gets the (row, key)
/// pairs on them.
int64_t listDiagonals(const PartialSpan &span, const uint8_t *diagonals,
                      int32_t *list, int64_t &visits);

/// The form with the least estimated time.
SpanForm cheapestForm(const SpanCounts &counts);

/// Adds each row's kept keys to its state, walking the `numDiagonals`
/// kept diagonals of `list` (ascending, from listDiagonals), with the loop
/// compiled for `vectors` (which the CPU must have: hostVectors()).
void attendPairs(const PartialSpan &span, const int32_t *list,
                 int64_t numDiagonals, const RowStates &states,
                 HostVectors vectors);

} // namespace spattn::cpu

#endif
