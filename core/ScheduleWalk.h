//===- ScheduleWalk.h - Walk a compiled block schedule, host or device -*- C++ -*-===//
//
// A CUDA kernel cannot build range lists (no allocation, and run-time
// indexed local arrays land on the stack), so the CUDA target compiles a
// variant's block schedule into a `Schedule` struct of scalar functions
// (targets/cuda/codegen/DeviceSchedule.cpp):
//
//   Query query(const Call &, q)      every leaf's tile bounds for query tile q,
//                                      one fixed field per bound
//   int64_t keyTiles(call)            the key tiles of the call's length
//   int64_t next(call, query, kt)     the first kept key tile >= kt (kNoTile: none)
//   TileKind kind(call, query, kt)    Full, Partial or Skipped
//   bool keep(call, query, position, key)  the token predicate of partial tiles
//
// The kernels and the host-side tests walk a query tile's key tiles with
// nextKeptTile (forEachKeyTile), so both run the same code.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_SCHEDULEWALK_H
#define SPATTN_CORE_SCHEDULEWALK_H

#include "core/BlockGrid.h"
#include "core/RandomBlockHash.h"
#include "core/SelectedIndices.h"
#include "core/TileRangeAlgebra.h"
#include "core/TokenProgram.h"

#include <cstdint>

namespace spattn::core {

/// "No further tile" from a schedule's next().
constexpr int64_t kNoTile = INT64_MAX;

/// What a compiled schedule reads at a call: the tiles and lengths, the query
/// head, the schedule parameters at the call's L and, per content-based
/// selection stage, what it chose for this (batch element, head).
template <int NumParams, int NumStages = 0> struct ScheduleCall {
  TileGeometry geometry;
  int64_t head = 0;
  int64_t params[NumParams > 0 ? NumParams : 1] = {};
  SelectedIndices stages[NumStages > 0 ? NumStages : 1] = {};
};

/// A kept key tile and its kind; tile == kNoTile past the last one.
struct KeptTile {
  int64_t tile;
  TileKind kind;
};

/// The first key tile >= from that the schedule keeps for one query tile
/// (tile = Schedule::query(call, q)).
template <typename Schedule, typename Call>
SPATTN_HOST_DEVICE KeptTile nextKeptTile(const Call &call,
                                         const typename Schedule::Query &tile,
                                         int64_t from) {
  const int64_t end = Schedule::keyTiles(call);
  for (int64_t kt = Schedule::next(call, tile, from); kt < end;
       kt = Schedule::next(call, tile, kt + 1)) {
    TileKind kind = Schedule::kind(call, tile, kt);
    if (kind != TileKind::Skipped)
      return {kt, kind};
  }
  return {kNoTile, TileKind::Skipped};
}

/// Calls visit(keyTile, kind) for every key tile the schedule keeps for one
/// query tile, in increasing order.
template <typename Schedule, typename Call, typename Visit>
SPATTN_HOST_DEVICE void forEachKeyTile(const Call &call,
                                       const typename Schedule::Query &tile,
                                       Visit &&visit) {
  for (KeptTile kept = nextKeptTile<Schedule>(call, tile, 0); kept.tile != kNoTile;
       kept = nextKeptTile<Schedule>(call, tile, kept.tile + 1))
    visit(kept.tile, kept.kind);
}

/// The number of key tiles kept for one query tile.
template <typename Schedule, typename Call>
SPATTN_HOST_DEVICE int64_t countKeyTiles(const Call &call,
                                         const typename Schedule::Query &tile) {
  int64_t count = 0;
  forEachKeyTile<Schedule>(call, tile, [&](int64_t, TileKind) { ++count; });
  return count;
}

/// A compiled schedule walked in smaller tiles (a kernel's), whose sizes
/// divide the schedule's: sub-tile q lies in schedule query tile
/// q / kRowTiles, sub-tile kt in key tile kt / kKeyTiles, and each sub-tile
/// takes the kind of the tile it lies in. The same interface as a schedule.
template <typename Schedule, int64_t SubTileQ, int64_t SubTileK> struct SubTiles {
  static_assert(Schedule::kTileQ % SubTileQ == 0 && Schedule::kTileK % SubTileK == 0,
                "sub-tiles divide the schedule's tiles");
  static constexpr int64_t kRowTiles = Schedule::kTileQ / SubTileQ;
  static constexpr int64_t kKeyTiles = Schedule::kTileK / SubTileK;
  using Call = typename Schedule::Call;
  using Query = typename Schedule::Query;
  SPATTN_HOST_DEVICE static int64_t keyTiles(const Call &call) {
    return ceilDiv(call.geometry.keyLength, SubTileK);
  }
  SPATTN_HOST_DEVICE static Query query(const Call &call, int64_t q) {
    return Schedule::query(call, q / kRowTiles);
  }
  SPATTN_HOST_DEVICE static int64_t next(const Call &call, const Query &t, int64_t kt) {
    const int64_t outer = kt / kKeyTiles, found = Schedule::next(call, t, outer);
    if (found == kNoTile)
      return kNoTile;
    const int64_t tile = found == outer ? kt : found * kKeyTiles;
    return tile < keyTiles(call) ? tile : kNoTile;
  }
  SPATTN_HOST_DEVICE static TileKind kind(const Call &call, const Query &t, int64_t kt) {
    return Schedule::kind(call, t, kt / kKeyTiles);
  }
  SPATTN_HOST_DEVICE static bool keep(const Call &call, const Query &t, int64_t position,
                                      int64_t key) {
    return Schedule::keep(call, t, position, key);
  }
};

} // namespace spattn::core

// Constant tables of generated schedules (block layouts): one copy in host
// memory and, under nvcc, one in device memory; SPATTN_TABLE_AT reads the
// copy of the side the code is compiled for.
#if defined(__CUDACC__)
#define SPATTN_TABLE(type, name, ...)                                         \
  static const type name##Host[] = __VA_ARGS__;                               \
  static __device__ const type name##Device[] = __VA_ARGS__;
#else
#define SPATTN_TABLE(type, name, ...) static const type name##Host[] = __VA_ARGS__;
#endif
#if defined(__CUDA_ARCH__)
#define SPATTN_TABLE_AT(name, index) name##Device[index]
#else
#define SPATTN_TABLE_AT(name, index) name##Host[index]
#endif

#endif
