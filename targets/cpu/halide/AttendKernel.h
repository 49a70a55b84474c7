//===- AttendKernel.h - The Halide attend kernel ----------------*- C++ -*-===//
//
// One step of online-softmax attention for one query tile over one span of
// keys: scores S = scale * Q K^T (masked), the new running row max, then the
// running sum and output accumulator rescaled and advanced:
//
//   m' = max(m, max_j s_j)          alpha = exp(m - m')
//   l' = alpha l + sum_j exp(s_j - m')
//   acc' = alpha acc + sum_j exp(s_j - m') v_j
//
// The library's driver calls it once per span of kept key tiles, carrying
// (m, l, acc) between calls, so no Lq x Lk score matrix ever exists. The
// span is at most `span` keys; `n` says how many exist (the last one may be
// short). A masked kernel also reads a byte mask (0 = skip the pair).
// How a kernel takes Q (row-major or transposed): KernelContract.h.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_GEN_ATTENDKERNEL_H
#define SPATTN_TARGETS_CPU_GEN_ATTENDKERNEL_H

#include "Halide.h"

namespace spattn::cpu {

struct AttendKernelShape {
  int headDim = 128; // D
  int blockQ = 64;   // query rows per tile
  int span = 512;    // most keys per call
  bool masked = false;
  /// The spec's dtype is bf16: on AMX targets the products run on bf16
  /// tiles (AmxProducts.h), on AVX-512 BF16 ones on vdpbf16ps
  /// (Bf16DotProducts.h); elsewhere it changes nothing.
  bool bf16Products = false;
  /// The type K and V are read in: a 16-bit spec's few-row kernels also
  /// come in a version reading its bf16 / fp16 rows where they lie (a
  /// decode step then reads half the bytes, with no float32 copy), and its
  /// vdpbf16ps kernels read bf16 rows.
  Halide::Type keyValueType = Halide::Float(32);
};

/// The pipeline with its arguments in calling order: q, k, v, [mask], n,
/// scale, m_in, l_in, acc_in; outputs m_out, l_out, acc_out.
struct AttendKernel {
  Halide::Pipeline pipeline;
  std::vector<Halide::Argument> arguments;
};

AttendKernel buildAttendKernel(const AttendKernelShape &shape,
                               const Halide::Target &target);

} // namespace spattn::cpu

#endif
