//===- CpuKernels.hpp - The CPU target's half of a library ------*- C++ -*-===//
//
// A library compiled with --target=cpu carries, next to the target-
// independent tables of spattn/library_abi.hpp, one CpuKernels per variant:
// the Halide attend kernels of that bucket and the span they run over. The
// driver (Driver.cpp) walks each query tile's ranges through them.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_LIBSUPPORT_CPUKERNELS_HPP
#define SPATTN_TARGETS_CPU_LIBSUPPORT_CPUKERNELS_HPP

#include "spattn/library_abi.hpp"
#include "targets/cpu/libsupport/InstructionSets.h"

#include <cstdint>

struct halide_buffer_t;

namespace spattn::cpu {

using AttendFull = int (*)(halide_buffer_t *q, halide_buffer_t *k,
                           halide_buffer_t *v, int32_t n, float scale,
                           halide_buffer_t *mIn, halide_buffer_t *lIn,
                           halide_buffer_t *accIn, halide_buffer_t *mOut,
                           halide_buffer_t *lOut, halide_buffer_t *accOut);
using AttendMasked = int (*)(halide_buffer_t *q, halide_buffer_t *k,
                             halide_buffer_t *v, halide_buffer_t *mask,
                             int32_t n, float scale, halide_buffer_t *mIn,
                             halide_buffer_t *lIn, halide_buffer_t *accIn,
                             halide_buffer_t *mOut, halide_buffer_t *lOut,
                             halide_buffer_t *accOut);

/// The attend kernels of one variant.
struct CpuKernels {
  int64_t span; // keys per kernel call
  AttendFull full;
  AttendMasked masked;
  /// Kernels for tiles with at most `fewRows` present rows (decode, the
  /// ragged first tile of a chunk): null when tileQ is that small already.
  int64_t fewRows;
  AttendFull fullFew;
  AttendMasked maskedFew;
  /// bf16 specs: full and masked kernels whose products run on AMX tiles
  /// (one version, for AMX CPUs), for calls on bf16 tensors only; null
  /// otherwise. Float32 calls keep the kernels above. They take Q
  /// row-major.
  AttendFull fullAmx;
  AttendMasked maskedAmx;
  /// The same on vdpbf16ps, for CPUs with AVX-512 BF16 but no AMX (one
  /// version). They take Q as the many-row float32 kernels do
  /// (KernelContract.h), and K and V as the caller's bf16 rows.
  AttendFull fullBf16Dot;
  AttendMasked maskedBf16Dot;
  /// 16-bit specs: the few-row kernels reading K and V in the spec's dtype,
  /// for calls on such tensors; null otherwise.
  AttendFull fullFew16;
  AttendMasked maskedFew16;
};

/// What the CPU target reads: float32, and the spec's 16-bit dtype if it
/// has one, in host memory.
constexpr rt::TargetAccepts cpuAccepts(spattn_dtype specDtype) {
  return {"cpu", (1u << SPATTN_F32) | (1u << specDtype), SPATTN_MEMORY_HOST};
}

/// The CPU target's attention over `library`, whose variant k runs
/// kernels[k], for calls in the dtypes of `accepts`, with the caller's page
/// bounds of pages stages (null, or null entries: computed from K). The
/// generated code binds `kernels` in a TargetEntry.
int attention(const abi::Library &library, const CpuKernels *kernels,
              const rt::TargetAccepts &accepts, const spattn_tensor *q,
              const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,
              spattn_tensor *lse, const spattn_tensor *const *pageBounds,
              const spattn_options *options);

} // namespace spattn::cpu

#endif
