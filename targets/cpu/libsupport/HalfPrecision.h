//===- HalfPrecision.h - bf16 / fp16 tensors for the CPU kernels -*- C++ -*-===//
//
// The CPU kernels work in float32. A call on bfloat16 or float16 tensors
// (the spec's dtype) is converted on the way in (Q to a contiguous float32
// copy; in decode the few-row kernels, and in a bf16 prefill the vdpbf16ps
// kernels, read K and V as they lie, and the pairs loop and the panel take
// their kept keys widened, widenRows) and on the way out (O, rounded to
// nearest even); LSE stays float32. A correct path on every CPU; the scalar
// conversions are spattn/half_precision.hpp's. On CPUs with AMX the kernels
// of a bf16 spec round their operands back to bf16 (exactly: they were bf16)
// and run both products on AMX tiles (targets/cpu/halide/AmxProducts.h).
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_LIBSUPPORT_HALFPRECISION_H
#define SPATTN_TARGETS_CPU_LIBSUPPORT_HALFPRECISION_H

#include "spattn/runtime.h"
#include "targets/cpu/libsupport/InstructionSets.h"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace spattn::cpu {

/// A call's float32 copies. Each has memory of its own, which the calling
/// thread keeps from call to call for copies up to kKeptCopyBytes.
enum class CopyOf { Q, K, V, O };
constexpr int kCopyKinds = static_cast<int>(CopyOf::O) + 1;
constexpr size_t kKeptCopyBytes = size_t{8} << 20; // L = 1K with 16 heads of 128

/// A contiguous float32 tensor: in memory the thread keeps, or in `owned`.
struct FloatTensor {
  std::unique_ptr<float[]> owned;
  spattn_tensor tensor{};
  bool made() const { return tensor.data != nullptr; }
};

/// `out` becomes a contiguous float32 copy of rank-4 tensor `t` (bf16 or
/// fp16), widened by widenRows' loops for `vectors`. False when out of
/// memory.
bool widenToFloat(const spattn_tensor &t, CopyOf copy, FloatTensor &out,
                  HostVectors vectors);

/// Rows [row0, row0 + count) of (b, h) of rank-4 tensor `t` (bf16 or fp16)
/// widened into `out`, D floats apart, with the loop compiled for `vectors`
/// (which the CPU must have: hostVectors(); fp16 also needs F16C).
void widenRows(const spattn_tensor &t, int64_t b, int64_t h, int64_t row0,
               int64_t count, float *out, HostVectors vectors);

/// `out` becomes a contiguous float32 tensor shaped like `t`, not
/// initialized. False when out of memory.
bool floatLike(const spattn_tensor &t, CopyOf copy, FloatTensor &out);

/// Writes contiguous float32 `from` (shaped like `to`) into `to`'s dtype and
/// strides.
void narrowFromFloat(const spattn_tensor &from, const spattn_tensor &to);

} // namespace spattn::cpu

#endif
