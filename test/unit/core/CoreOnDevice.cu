// Compiled by nvcc in ctest (core-compiles-for-cuda): the semantic
// primitives of core/ must be callable from a kernel, without the stack
// frame of run-time-indexed arrays mattering here, and without any host-only
// construct, for sm_80 and sm_90a. Nothing runs: machines here have no GPU.
#include "core/BlockGrid.h"
#include "core/RandomBlockHash.h"
#include "core/TileRangeAlgebra.h"

using namespace spattn::core;

__global__ void keyTilesOfQueryTiles(TileGeometry geometry, int64_t window,
                                     int64_t *tiles, uint64_t *hashes) {
  int64_t q = geometry.firstQueryTile() + blockIdx.x;
  int64_t first = geometry.firstPositionOf(q), last = geometry.lastPositionOf(q);
  // A causal window unioned with the first key tile (a sink).
  auto local = FixedTileRanges<4>::leaf(blockOf(first - window + 1, geometry.tileK),
                                        blockOf(last, geometry.tileK) + 1,
                                        blockOf(last - window, geometry.tileK) + 1,
                                        blockOf(first + 1, geometry.tileK));
  auto sink = FixedTileRanges<4>::leaf(0, 1, 0, 1);
  auto both = uniteRanges(local, sink);
  both.count = clipRangesInPlace(both.runs, both.count, 0, geometry.numKeyTiles());
  int64_t count = 0;
  for (int r = 0; r < both.count; ++r)
    count += both.runs[r].hi - both.runs[r].lo;
  tiles[blockIdx.x] = count;
  hashes[blockIdx.x] = randomBlockHash(7, 0, q, floorDiv(first, 64));
}
