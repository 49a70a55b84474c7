//===- Selections.h - Selection stages inside a CPU library -----*- C++ -*-===//
//
// The estimate + select stages of the content-based patterns, run by a
// generated library on the caller's Q and K (never by the caller). Same
// definitions as docs/semantics.md and the reference (Reference/Selection.h),
// computed in float32 with float32 accumulation where the reference uses
// fp64, so near-ties may resolve differently; well-separated scores select
// the same indices (the tests check that).
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_SUPPORT_SELECTIONS_H
#define SPATTN_TARGETS_CPU_SUPPORT_SELECTIONS_H

#include <cstdint>
#include <vector>

namespace spattn::cpu {

/// One head's rows: row r starts at data + r * rowStride, `dim` floats.
struct HeadRows {
  const float *data = nullptr;
  int64_t rows = 0;
  int64_t rowStride = 0;
  int64_t dim = 0;
  const float *row(int64_t r) const { return data + r * rowStride; }
};

/// The call's geometry as the selections need it.
struct SelectionCall {
  int64_t queryLength = 0, keyLength = 0;
  bool causal = false;
  float scale = 1.0f;
  int64_t head = 0; // query head (random_blocks hashes it)
};

/// Indices kept, in CSR groups, each group sorted ascending. Blocks: one
/// group per present query block starting at absolute block `firstGroup`;
/// pages: one group per query row; vertical_slash: group 0 the key columns,
/// group 1 the diagonal offsets d = p(i) - j.
struct Selection {
  int64_t firstGroup = 0;
  std::vector<int64_t> offsets{0};
  std::vector<int64_t> indices;
  int64_t groups() const { return static_cast<int64_t>(offsets.size()) - 1; }
  const int64_t *begin(int64_t g) const { return indices.data() + offsets[g]; }
  const int64_t *end(int64_t g) const { return indices.data() + offsets[g + 1]; }
};

void selectTopkBlocks(const SelectionCall &call, HeadRows q, HeadRows k,
                      int64_t block, int64_t count, Selection &out);
void selectMassBlocks(const SelectionCall &call, HeadRows q, HeadRows k,
                      int64_t block, int64_t maxBlocks, double gamma,
                      Selection &out);
void selectRandomBlocks(const SelectionCall &call, int64_t block,
                        int64_t count, uint64_t seed, Selection &out);
void selectPages(const SelectionCall &call, HeadRows q, HeadRows k,
                 int64_t page, int64_t count, Selection &out);
void selectVerticalSlash(const SelectionCall &call, HeadRows q, HeadRows k,
                         int64_t verticals, int64_t slashes,
                         int64_t lastQueries, Selection &out);

} // namespace spattn::cpu

#endif
