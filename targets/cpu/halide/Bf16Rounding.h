//===- Bf16Rounding.h - float32 to bf16 in Halide expressions ---*- C++ -*-===//
//
// Written as integer ops: Halide's own bf16 cast is emulated and warns.
// Shared by the AMX (AmxProducts.cpp) and vdpbf16ps (Bf16DotProducts.cpp)
// products.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_HALIDE_BF16ROUNDING_H
#define SPATTN_TARGETS_CPU_HALIDE_BF16ROUNDING_H

#include "Halide.h"

namespace spattn::cpu {

/// The top half of float32 `x`'s bits as bf16: exact for the values of a
/// bf16 call.
inline Halide::Expr truncateToBfloat16(Halide::Expr x) {
  using namespace Halide;
  return reinterpret(BFloat(16), cast(UInt(16), reinterpret(UInt(32), x) >> 16));
}

/// `x` as bf16: itself when it is bf16 already (K and V read where they
/// lie), else truncated.
inline Halide::Expr asBfloat16(Halide::Expr x) {
  return x.type().is_bfloat() ? x : truncateToBfloat16(x);
}

/// Finite `x` rounded to the nearest bf16, ties to even.
inline Halide::Expr roundToBfloat16(Halide::Expr x) {
  using namespace Halide;
  Expr bits = reinterpret(UInt(32), x);
  return reinterpret(BFloat(16),
                     cast(UInt(16), (bits + 0x7fff + ((bits >> 16) & 1)) >> 16));
}

} // namespace spattn::cpu

#endif
