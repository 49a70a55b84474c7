//===- AmxProducts.h - The attend kernel's products on AMX tiles -*- C++ -*-===//
//
// On CPUs with AMX (Intel Sapphire Rapids and later), a bfloat16 spec's
// two products run on the tile unit, whose bf16 dot products with float32
// accumulation are several times faster than float32 FMAs; there AVX-512
// BF16's vdpbf16ps is not (docs/cpu-backend.md, measured), though it is on
// CPUs without AMX such as Zen 4 (Bf16DotProducts.h). The inputs of a bf16
// call are bf16 values (widened to float32 by the driver), so rounding Q,
// K and V back to bf16 is exact; P is rounded to bf16 for the second
// product (as FlashAttention does on GPUs), while the row sums, the maxima
// and the LSE stay float32.
//
// AMX's tile multiply reads its right operand in pairs along the reduction
// (VNNI layout): K is copied as (dim pair, key, dim / 2), V as (key pair,
// dim, key / 2), per span. Halide recognizes the tiled product pattern
// (its ExtractTileOperations) only with explicit bounds on every operand.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_HALIDE_AMXPRODUCTS_H
#define SPATTN_TARGETS_CPU_HALIDE_AMXPRODUCTS_H

#include "Halide.h"

namespace spattn::cpu {

/// Whether a kernel of this shape runs its products on AMX for `target`:
/// bf16 products asked for, an AMX target, and whole tiles (16 rows, 32
/// dims and 32 keys per tile step).
bool amxProductsApply(const Halide::Target &target, bool bf16Products, int headDim,
                      int rows, int span, bool fewRows);

/// dot(j, i) = sum_d q(d, i) k(d, min(j, n - 1)) for j < span, i < rows,
/// scheduled on AMX tiles.
Halide::Func amxScores(Halide::ImageParam q, Halide::ImageParam k, Halide::Expr n,
                       int headDim, int rows, int span);

/// pv(d, i) = sum_{j < n} bf16(prob(j, i)) v(d, j), scheduled on AMX tiles
/// (the reduction runs over the whole span, prob taken as 0 past n).
Halide::Func amxWeightedValues(Halide::Func prob, Halide::ImageParam v, Halide::Expr n,
                               int headDim, int rows, int span);

} // namespace spattn::cpu

#endif
