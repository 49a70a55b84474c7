//===- Driver.cpp - The shared attention driver of CPU libraries ----------===//
//
// Per call: check the arguments, pick the variant for Lk (the runtime's
// spattn/library_abi.hpp does the target-independent parts), evaluate the
// schedule parameters at Lk, run the selection stages per (batch, head)
// (pages: per kv head, its query heads at once), then attend row blocks
// (AttendRows.h) in parallel on Halide's thread pool:
// prefill one (batch, head, query tile) per task; decode-shaped calls with
// the GQA heads of a kv head packed into one block and each block's kept
// tiles split over several tasks (split-K), combined at the end.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/libsupport/AttendRows.h"
#include "targets/cpu/libsupport/CpuKernels.hpp"
#include "targets/cpu/libsupport/HalfPrecision.h"
#include "targets/cpu/libsupport/InstructionSets.h"
#include "targets/cpu/libsupport/ParallelTasks.h"
#include "targets/cpu/libsupport/ResidueClasses.h"

#include "spattn/runtime_internal.hpp"

#include "HalideRuntime.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

namespace spattn::cpu {

namespace {

using core::TileRanges;

/// The selection tasks of a call, each for `heads` query heads of one batch
/// element that read one kv head.
struct Selections {
  Call &call;
  const spattn_tensor &keys;              // call.k, or its float32 copy
  const spattn_tensor *const *pageBounds; // the caller's, or null
  int64_t heads;

  /// A pages stage scores all the heads of a kv head in one pass over its
  /// page bounds; other stages gain nothing from that, so their heads go
  /// to separate tasks, for more parallelism.
  Selections(Call &call, const spattn_tensor &keys,
             const spattn_tensor *const *pageBounds)
      : call(call), keys(keys), pageBounds(pageBounds), heads(1) {
    const abi::StageKind *kinds = call.library.stageKinds;
    const int32_t stages = call.library.numStages;
    if (std::find(kinds, kinds + stages, abi::StageKind::Pages) != kinds + stages)
      heads = call.shape.numQHeads / call.shape.numKVHeads;
  }
  int64_t tasks() const { return call.shape.batch * call.shape.numQHeads / heads; }
};

int selectTask(void *, int task, uint8_t *closure) {
  const Selections &work = *reinterpret_cast<const Selections *>(closure);
  Call &call = work.call;
  const int64_t tasksPerBatch = call.shape.numQHeads / work.heads;
  const int64_t b = task / tasksPerBatch, h0 = task % tasksPerBatch * work.heads;
  call.variant.select(abi::stageInputs(call.library, call.shape, call.q, work.keys,
                                       work.pageBounds, b, h0, work.heads),
                      call.params.data(),
                      call.stages.data() +
                          static_cast<size_t>(b * call.shape.numQHeads + h0) *
                              call.library.numStages);
  return 0;
}

/// Each worker thread's online-softmax state for a prefill tile.
thread_local rt::Workspace tileState;

/// Prefill: one (batch, head, query tile) per task, its kept tiles in one
/// pass. Both strategies visit only the kept tiles: on the CPU, skipping a
/// tile costs nothing and the kernels' cost follows the span they are given.
int tileTask(void *, int task, uint8_t *closure) {
  const Call &call = *reinterpret_cast<const Call *>(closure);
  const RowBlock block = prefillBlock(call, task);
  float *state = static_cast<float *>(
      tileState.reserve(sizeof(float) * stateFloats(call, block)));
  if (!state)
    return SPATTN_ERROR_MEMORY;
  TileRanges ranges = call.ranges(call.headState(block.b, block.firstHead), block.qt);
  if (call.restOfModulus > 0)
    ranges = restTiles(call, block, ranges, call.restOfModulus);
  if (int status = attendRows(call, block, ranges, state))
    return status;
  writeRows(call, block, state);
  return 0;
}

/// Decode and short chunks (one query tile of few rows): the heads of a kv
/// head that keep the same tiles share one block, so each K/V span is read
/// once for all of them, and a block's kept tiles are split over several
/// tasks (split-K) whose states combine, so that Lq = 1 uses every core.
struct DecodePlan {
  struct Unit {
    RowBlock block;
    TileRanges ranges;
    int64_t firstSlice, numSlices;
  };
  struct Slice {
    int64_t unit;
    TileRanges ranges;
  };
  const Call &call;
  std::vector<Unit> units;
  std::vector<Slice> slices;
  int64_t stateSize = 0; // floats per slice: the largest block's state
  std::vector<float> states;
};

/// The tiles of `ranges` from the first-th to the end-th kept tile.
TileRanges sliceRanges(const TileRanges &ranges, int64_t first, int64_t end) {
  TileRanges out;
  int64_t seen = 0;
  for (const core::TileRange &range : ranges) {
    int64_t lo = std::max(range.lo, range.lo + first - seen);
    int64_t hi = std::min(range.hi, range.lo + end - seen);
    if (lo < hi)
      out.push_back({lo, hi, range.kind});
    seen += range.hi - range.lo;
  }
  return out;
}

/// Fewest keys one split-K slice gets: below a few spans, the kernel calls'
/// fixed costs and the combine outweigh the parallelism.
constexpr int64_t kMinSliceKeys = 2048;
/// Slices per worker thread the plan aims for, so uneven ones balance.
constexpr int64_t kSlicesPerThread = 4;
/// Halide's thread pool runs at most 256 workers, whatever num_threads asks:
/// planning for more would only multiply the slices.
constexpr int64_t kMostWorkers = 256;
/// Halide numbers tasks with an int: the most a call plans is one per query
/// row (prefill tiles, selections), or the decode units plus the slices the
/// workers get beyond one per unit.
static_assert(SPATTN_MAX_QUERY_ROWS + kSlicesPerThread * kMostWorkers <=
                  std::numeric_limits<int>::max(),
              "task counts must fit Halide's int");

void planDecode(DecodePlan &plan, int64_t threads) {
  const Call &call = plan.call;
  const rt::CallShape &shape = call.shape;
  const int64_t group = shape.numQHeads / shape.numKVHeads;
  const int64_t qt = call.firstTile;
  for (int64_t b = 0; b < shape.batch; ++b)
    for (int64_t h0 = 0; h0 < shape.numQHeads; h0 += group) {
      std::vector<TileRanges> ranges;
      for (int64_t h = h0; h < h0 + group; ++h)
        ranges.push_back(
            core::clipRanges(call.ranges(call.headState(b, h), qt), 0, call.numKeyTiles));
      // Runs of heads that keep the same tiles share one block (each K/V
      // span is then read once for all of them), as many as the few-row
      // kernels hold.
      const int64_t perBlock = std::max<int64_t>(
          1, call.kernels.fewRows / rowBlock(call, b, h0, 1, qt).rows);
      for (int64_t h = h0; h < h0 + group;) {
        int64_t end = h + 1;
        while (end < std::min(h0 + group, h + perBlock) &&
               ranges[end - h0] == ranges[h - h0])
          ++end;
        plan.units.push_back(
            {rowBlock(call, b, h, end - h, qt), std::move(ranges[h - h0]), 0, 1});
        h = end;
      }
    }
  const int64_t units = static_cast<int64_t>(plan.units.size());
  const int64_t wanted =
      (kSlicesPerThread * std::min(threads, kMostWorkers) + units - 1) / units;
  for (int64_t u = 0; u < units; ++u) {
    DecodePlan::Unit &unit = plan.units[u];
    const int64_t tiles = core::countTiles(unit.ranges);
    const int64_t most =
        std::max<int64_t>(1, tiles * call.variant.tileK / kMinSliceKeys);
    unit.firstSlice = static_cast<int64_t>(plan.slices.size());
    unit.numSlices = std::min(wanted, most);
    for (int64_t s = 0; s < unit.numSlices; ++s)
      plan.slices.push_back({u, sliceRanges(unit.ranges, tiles * s / unit.numSlices,
                                            tiles * (s + 1) / unit.numSlices)});
    plan.stateSize = std::max(plan.stateSize, stateFloats(call, unit.block));
  }
}

int sliceTask(void *, int task, uint8_t *closure) {
  DecodePlan &plan = *reinterpret_cast<DecodePlan *>(closure);
  const DecodePlan::Slice &slice = plan.slices[task];
  return attendRows(plan.call, plan.units[slice.unit].block, slice.ranges,
                    plan.states.data() + task * plan.stateSize);
}

int finishUnitTask(void *, int task, uint8_t *closure) {
  DecodePlan &plan = *reinterpret_cast<DecodePlan *>(closure);
  const DecodePlan::Unit &unit = plan.units[task];
  float *states = plan.states.data() + unit.firstSlice * plan.stateSize;
  combineStates(plan.call, unit.block, states, plan.stateSize, unit.numSlices);
  writeRows(plan.call, unit.block, states);
  return 0;
}

/// Runs a decode-shaped call on at most `workers` threads (0: the pool);
/// returns 0 or a kernel's status.
int runDecode(Call &call, int64_t workers) {
  // hardware_concurrency() reads /sys on every call (~3 us): ask once.
  static const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  DecodePlan plan{call, {}, {}, 0, {}};
  planDecode(plan, workers > 0 ? std::min(workers, cores) : cores);
  plan.states.resize(plan.slices.size() * plan.stateSize);
  auto *closure = reinterpret_cast<uint8_t *>(&plan);
  if (int status = parallelTasks(workers, sliceTask,
                                 static_cast<int>(plan.slices.size()), closure))
    return status;
  return parallelTasks(workers, finishUnitTask, static_cast<int>(plan.units.size()),
                       closure);
}

/// Whether a selection stage reads K in float32: every stage that scores
/// keys but a pages stage, whose bounds come from the caller or from K in
/// its own width (host::updatePageBounds).
bool selectionsReadFloatKeys(const abi::Library &library) {
  for (int32_t s = 0; s < library.numStages; ++s)
    switch (library.stageKinds[s]) {
    case abi::StageKind::TopkBlocks:
    case abi::StageKind::Mass:
    case abi::StageKind::VerticalSlash:
      return true;
    case abi::StageKind::RandomBlocks:
    case abi::StageKind::Pages:
      break;
    }
  return false;
}

/// A call is decode-shaped when its one query tile has few enough rows for
/// the few-row kernels.
bool decodeShaped(const CpuKernels &kernels, const core::TileGeometry &geometry) {
  const int64_t tile = geometry.firstQueryTile();
  return geometry.endQueryTile() - tile == 1 && kernels.fullFew &&
         geometry.lastPositionOf(tile) - geometry.firstPositionOf(tile) + 1 <=
             kernels.fewRows;
}

/// A checked call by `variant` under request values `combination`: Q in
/// float32, K and V in float32 or 16-bit; `bf16Values`: they hold bf16
/// values (a bf16 call), so the AMX kernels may run.
int attendFloat(const abi::Library &library, const CpuKernels *kernels,
                const abi::Variant *variant, const rt::CallShape &shape,
                const spattn_tensor *q, const spattn_tensor *k,
                const spattn_tensor *v, spattn_tensor *o, spattn_tensor *lse,
                const spattn_tensor *const *pageBounds,
                const spattn_options *options, int64_t combination,
                bool bf16Values) {
  const int64_t workers = options ? options->num_threads : 0;
  applyInstructionSetCap();

  const CpuKernels &chosen = kernels[variant - library.variants];
  core::TileGeometry geometry{variant->tileQ, variant->tileK,
                              shape.queryLength, shape.keyLength};
  const bool decode = decodeShaped(chosen, geometry);
  Bf16Products products = Bf16Products::None;
  if (bf16Values && chosen.fullAmx && amxKernelsUsable())
    products = Bf16Products::Amx;
  else if (bf16Values && chosen.fullBf16Dot && bf16DotKernelsUsable())
    products = Bf16Products::DotPairs;
  // 16-bit K and V: the kernels of a decode step and the vdpbf16ps kernels
  // read them where they lie (AttendRows.cpp widens only the kept keys of
  // pairs and the panel), so once, in their own width. A prefill on float32
  // kernels attends each span from many query tiles: one float32 copy is
  // cheaper. A selection stage that scores keys reads all of K in float32.
  const bool sixteenBitKernels = decode || products == Bf16Products::DotPairs;
  FloatTensor wk, wv;
  const bool wideKeys = !sixteenBitKernels || selectionsReadFloatKeys(library);
  const HostVectors vectors = hostVectors();
  if ((k->dtype != SPATTN_F32 && wideKeys && !widenToFloat(*k, CopyOf::K, wk, vectors)) ||
      (v->dtype != SPATTN_F32 && !sixteenBitKernels &&
       !widenToFloat(*v, CopyOf::V, wv, vectors)))
    return rt::fail(SPATTN_ERROR_MEMORY,
                    std::string(library.name) +
                        ": no memory for the float32 copies of a 16-bit call");
  const spattn_tensor &floatKeys = wk.made() ? wk.tensor : *k;
  const spattn_tensor &keys = sixteenBitKernels ? *k : floatKeys;
  const spattn_tensor &values = wv.made() ? wv.tensor : *v;
  Call call{library, *variant, chosen, shape, *q, keys, values, *o,
            lse, abi::parametersAt(*variant, shape.keyLength, combination), {},
            static_cast<float>(library.scale), 0, 0, 0};
  call.bf16Products = products;
  call.firstTile = geometry.firstQueryTile();
  call.numTiles = geometry.endQueryTile() - call.firstTile;
  call.numKeyTiles = geometry.numKeyTiles();
  const int64_t heads = shape.batch * shape.numQHeads;
  if (library.numStages > 0) {
    call.stages.resize(static_cast<size_t>(heads * library.numStages));
    Selections work(call, floatKeys, pageBounds);
    parallelTasks(workers, selectTask, static_cast<int>(work.tasks()),
                  reinterpret_cast<uint8_t *>(&work));
  }
  int status;
  if (decode) {
    status = runDecode(call, workers);
  } else {
    // A residue class runs apart (ResidueClasses.h): the rest first, which
    // writes O and LSE (into scratch when the caller wants no LSE), then
    // the classes merge into them.
    const int64_t modulus = residueModulus(call);
    std::unique_ptr<float[]> lseScratch;
    spattn_tensor lseTensor;
    if (modulus > 0) {
      call.ranges = variant->residueClasses->restRanges;
      call.keepRow = variant->residueClasses->restKeepRow;
      call.restOfModulus = modulus;
      if (!lse) {
        const int64_t lseShape[] = {shape.batch, shape.numQHeads, shape.queryLength};
        lseScratch.reset(new (std::nothrow) float[heads * shape.queryLength]);
        if (!lseScratch)
          return rt::fail(SPATTN_ERROR_MEMORY,
                          std::string(library.name) + ": no memory for a call's LSE");
        lseTensor = spattn_contiguous(lseScratch.get(), SPATTN_F32, 3, lseShape);
        call.lse = &lseTensor;
      }
    }
    // Each tile holds a present row: tasks <= B * Hq * Lq (static_assert above).
    const int64_t tasks = heads * call.numTiles;
    status = parallelTasks(workers, tileTask, static_cast<int>(tasks),
                           reinterpret_cast<uint8_t *>(&call));
    if (status == 0 && modulus > 0)
      status = attendResidueClasses(call, modulus, workers);
  }
  if (status == SPATTN_ERROR_MEMORY)
    return rt::fail(SPATTN_ERROR_MEMORY, std::string(library.name) +
                                             ": no memory for a tile's workspace");
  if (status != 0)
    return rt::fail(SPATTN_ERROR_INTERNAL,
                    std::string(library.name) + ": a kernel failed with status " +
                        std::to_string(status));
  return SPATTN_OK;
}

} // namespace

int attention(const abi::Library &library, const CpuKernels *kernels,
              const rt::TargetAccepts &accepts, const spattn_tensor *q,
              const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,
              spattn_tensor *lse, const spattn_tensor *const *pageBounds,
              const spattn_options *options) {
  rt::CallShape shape;
  if (int status = rt::checkAttention(library.shape(accepts), q, k, v, o, lse, shape))
    return status;
  if (int status = abi::checkPageBounds(library, shape, k->dtype, pageBounds))
    return status;
  int64_t combination = 0;
  if (int status = abi::requestCombination(library, options, combination))
    return status;
  // Every check before the half-precision widening below, which reads all
  // of Q, K and V: a refused call must not read past a tensor (Lk above
  // the last bucket) nor copy it.
  const abi::Variant *variant = nullptr;
  if (int status = abi::findVariant(library, shape.keyLength, variant))
    return status;
  if (options && options->num_threads < 0)
    return rt::fail(SPATTN_ERROR_ARGUMENT, "num_threads must be >= 0");
  if (q->dtype == SPATTN_F32)
    return attendFloat(library, kernels, variant, shape, q, k, v, o, lse,
                       pageBounds, options, combination, false);
  // bf16 / fp16: Q and O through float32 copies (HalfPrecision.h); K and
  // V as attendFloat decides.
  FloatTensor wq, wo;
  if (!widenToFloat(*q, CopyOf::Q, wq, hostVectors()) || !floatLike(*o, CopyOf::O, wo))
    return rt::fail(SPATTN_ERROR_MEMORY,
                    std::string(library.name) +
                        ": no memory for the float32 copies of a 16-bit call");
  if (int status = attendFloat(library, kernels, variant, shape, &wq.tensor, k, v,
                               &wo.tensor, lse, pageBounds, options, combination,
                               q->dtype == SPATTN_BF16))
    return status;
  narrowFromFloat(wo.tensor, *o);
  return SPATTN_OK;
}

} // namespace spattn::cpu
