//===- Bf16DotProducts.cpp - The attend kernel's products on vdpbf16ps ----===//
#include "Bf16DotProducts.h"
#include "Bf16Rounding.h"

using namespace Halide;

namespace spattn::cpu {

namespace {

/// Computes pairs Func `f`(pair, x, half) per call, for the halves in [0,
/// `halves`) and stored for up to `mostHalves` of them: 16 x-lanes of each
/// of the two source rows, interleaved into one vector store (the pair
/// unrolled, not vectorized: each load then reads one row, even where its
/// index is clamped).
void scheduleRepack(Func f, int extentX, Expr halves, int mostHalves) {
  Var pair = f.args()[0], x = f.args()[1], half = f.args()[2];
  f.compute_root()
      .bound(pair, 0, 2)
      .bound(x, 0, extentX)
      .bound(half, 0, halves)
      .bound_storage(half, mostHalves)
      .unroll(pair)
      .vectorize(x, 16);
}

/// Schedules `product` at `consumer`'s loop `at` with 16 lanes of `lanes`
/// and `other` unrolled, its update with the pair innermost in the lanes:
/// Halide then emits vdpbf16ps for the pairwise sums.
void schedulePairProduct(Bf16Product product, Var lanes, Var other, Func consumer,
                         Var at) {
  product.func.compute_at(consumer, at).vectorize(lanes, 16).unroll(lanes).unroll(other);
  product.func.update()
      .reorder(product.r.x, lanes, other, product.r.y)
      .atomic()
      .vectorize(product.r.x)
      .vectorize(lanes, 16)
      .unroll(lanes)
      .unroll(other);
}

} // namespace

bool bf16DotProductsApply(const Target &target, bool bf16Products, int headDim, int rows,
                          int span, bool fewRows) {
  return bf16Products && !fewRows && target.has_feature(Target::AVX512_Zen4) &&
         !target.has_feature(Target::AVX512_SapphireRapids) && headDim % 32 == 0 &&
         rows % 16 == 0 && span % 2 == 0;
}

Bf16Product bf16Scores(ImageParam q, ImageParam k, Expr n, int headDim, int rows) {
  Var pair("pair"), i("i"), half("half"), d("d"), j("j");
  Func qp("q_pairs"); // qp(pair, i, half) = Q[i][2 half + pair]
  qp(pair, i, half) = truncateToBfloat16(q(2 * half + pair, i));
  Func kb("k_bf16");
  kb(d, j) = asBfloat16(k(d, clamp(j, 0, n - 1)));
  RDom r(0, 2, 0, headDim / 2, "rd_pairs");
  Func dot("dot_bf16");
  dot(j, i) = 0.0f;
  dot(j, i) += cast<float>(qp(r.x, i, r.y)) * cast<float>(kb(2 * r.y + r.x, j));

  scheduleRepack(qp, rows, headDim / 2, headDim / 2);
  // bf16 K is read as it lies; float32 K is truncated once per call.
  if (!k.type().is_bfloat())
    kb.compute_root().bound(d, 0, headDim).vectorize(d, 32);
  return {dot, r};
}

void scheduleBf16Scores(Bf16Product dot, Func score, Var io) {
  Var j = dot.func.args()[0], i = dot.func.args()[1];
  dot.func.reorder_storage(i, j).reorder(i, j);
  schedulePairProduct(dot, i, j, score, io);
}

Bf16Product bf16WeightedValues(Func prob, ImageParam v, Expr n, int headDim, int rows,
                               int span) {
  Var pair("pair"), i("i"), half("half"), d("d");
  Func pb("prob_pairs"); // pb(pair, i, half) = bf16(P[i][2 half + pair]), 0 past n
  Expr key = 2 * half + pair;
  pb(pair, i, half) = roundToBfloat16(select(key < n, prob(key, i), 0.0f));
  Func vp("v_pairs"); // vp(pair, d, half) = V[2 half + pair][d]
  vp(pair, d, half) = asBfloat16(v(d, clamp(key, 0, n - 1)));
  RDom r(0, 2, 0, (n + 1) / 2, "rj_pairs");
  Func pv("pv_bf16");
  pv(d, i) = 0.0f;
  pv(d, i) += cast<float>(pb(r.x, i, r.y)) * cast<float>(vp(r.x, d, r.y));

  // Only the n keys that exist: a short span (a diagonal tile, the tail of
  // a row's keys) costs what it holds, not a whole span.
  scheduleRepack(pb, rows, (n + 1) / 2, span / 2);
  scheduleRepack(vp, headDim, (n + 1) / 2, span / 2);
  return {pv, r};
}

void scheduleBf16WeightedValues(Bf16Product pv, Func accOut, Var dO) {
  schedulePairProduct(pv, pv.func.args()[0], pv.func.args()[1], accOut, dO);
}

} // namespace spattn::cpu
