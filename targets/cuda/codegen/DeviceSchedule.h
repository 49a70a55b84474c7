//===- DeviceSchedule.h - A variant's block schedule as device code -*- C++ -*-===//
//
// The CUDA target's form of a variant's block schedule: a struct `Schedule`
// of __host__ __device__ functions (the contract is in core/ScheduleWalk.h)
// that a kernel calls per query tile with no allocation and no arrays:
// affine leaves keep their four tile bounds in fixed fields of `Query`,
// random_blocks the blocks it keeps per query block (computed with the
// documented hash on the device, in fixed slots),
// union / intersect / per_head combine their children's next() and kind(),
// block layouts read constant tables built here, and a spattn.predicate
// that has no closed form runs as straight-line code on every pair of the
// tiles it may touch. The same text compiles for the host, which is how the
// tests check it against the reference without a GPU.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CUDA_CODEGEN_DEVICESCHEDULE_H
#define SPATTN_TARGETS_CUDA_CODEGEN_DEVICESCHEDULE_H

#include "targets/common/LibraryPlan.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::spattn {

/// Why `variant` has no device schedule (a content-based selection stage the
/// CUDA target does not run yet, or random_blocks needing more than the
/// fixed slots it may hold), or "" when it has one.
std::string deviceScheduleUnsupported(const plan::Variant &variant);

/// Whether every query head of `variant` keeps the same pairs (no per_head,
/// no predicate reading the head), so the query heads sharing a kv head
/// can share one walk of the key tiles.
bool isHeadUniform(const plan::Variant &variant);

/// Writes `struct <structName>` for `variant` (which must be supported) of
/// a `causal` library: `kNumParams`, `Call`, `Query`, `query`, `next`,
/// `kind`, `keep`.
void writeDeviceSchedule(const plan::Variant &variant, bool causal,
                         StringRef structName, llvm::raw_ostream &os);

} // namespace mlir::spattn

#endif
