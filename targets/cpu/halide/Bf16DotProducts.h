//===- Bf16DotProducts.h - The attend kernel's products on vdpbf16ps -*- C++ -*-===//
//
// On CPUs with AVX-512 BF16 but no AMX (AMD Zen 4 and Zen 5), vdpbf16ps
// multiplies 16 pairs of bf16 values and adds each pair's two products to a
// float32 lane: twice the multiply-adds of a float32 FMA per instruction
// (and per cycle on Zen 4, measured: docs/cpu-backend.md). A bf16 spec's
// many-row kernels for such a target take both products in that form, with
// the same roundings as the AMX kernels (AmxProducts.h): Q, K and V are
// bf16 values already (so truncating them is exact) and P is rounded to
// bf16 for the second product.
//
// vdpbf16ps pairs elements along the reduction, so each product reads one
// operand as pairs in vector lanes and the other as one broadcast pair:
//   scores, rows in lanes: Q as (dim pair, row, dim / 2), K's two dims of a
//     pair broadcast (as they lie in a K row);
//   weighted values, dims in lanes: V as (key pair, dim, key / 2), P's two
//     keys of a pair broadcast (P rounded to bf16 as (key pair, row, key / 2)).
// Halide emits vdpbf16ps for the pairwise sums of widened bf16 products when
// the pair is a vectorized reduction variable innermost in the lanes.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_HALIDE_BF16DOTPRODUCTS_H
#define SPATTN_TARGETS_CPU_HALIDE_BF16DOTPRODUCTS_H

#include "Halide.h"

namespace spattn::cpu {

/// Whether a kernel runs its products on vdpbf16ps for `target`: bf16
/// products asked for, AVX-512 BF16 (Halide's Zen 4 features) without AMX,
/// a many-row kernel with rows in vector lanes, even head dim and span.
bool bf16DotProductsApply(const Halide::Target &target, bool bf16Products, int headDim,
                          int rows, int span, bool fewRows);

/// A product as a Func with a pure definition of 0 and one update over
/// `r`: r.x the pair (vectorized with the lanes), r.y the pair index.
struct Bf16Product {
  Halide::Func func;
  Halide::RDom r;
};

/// dot(j, i) = sum_d q(d, i) k(d, min(j, n - 1)) for the transposed Q of
/// the many-row kernels (q(d, i): rows innermost).
Bf16Product bf16Scores(Halide::ImageParam q, Halide::ImageParam k, Halide::Expr n,
                       int headDim, int rows);

/// Schedules the scores at `score`'s micro-tiles (loop `io`): rows in
/// vector lanes, each key's dim pair broadcast.
void scheduleBf16Scores(Bf16Product dot, Halide::Func score, Halide::Var io);

/// pv(d, i) = sum_{j < n} bf16(prob(j, i)) v(d, j) for prob stored rows
/// innermost.
Bf16Product bf16WeightedValues(Halide::Func prob, Halide::ImageParam v, Halide::Expr n,
                               int headDim, int rows, int span);

/// Schedules the weighted values at `accOut`'s micro-tiles (loop `dO`):
/// dims in vector lanes, each row's key pair broadcast.
void scheduleBf16WeightedValues(Bf16Product pv, Halide::Func accOut, Halide::Var dO);

} // namespace spattn::cpu

#endif
