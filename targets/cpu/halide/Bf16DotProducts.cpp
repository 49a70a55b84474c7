//===- Bf16DotProducts.cpp - The attend kernel's products on vdpbf16ps ----===//
#include "Bf16DotProducts.h"
#include "Bf16Rounding.h"

using namespace Halide;

namespace spattn::cpu {

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
  kb(d, j) = truncateToBfloat16(k(d, clamp(j, 0, n - 1)));
  RDom r(0, 2, 0, headDim / 2, "rd_pairs");
  Func dot("dot_bf16");
  dot(j, i) = 0.0f;
  dot(j, i) += cast<float>(qp(r.x, i, r.y)) * cast<float>(kb(2 * r.y + r.x, j));

  qp.compute_root()
      .bound(pair, 0, 2)
      .bound(i, 0, rows)
      .bound(half, 0, headDim / 2)
      .vectorize(pair)
      .vectorize(i, 16);
  kb.compute_root().bound(d, 0, headDim).vectorize(d, 32);
  return {dot, r};
}

void scheduleBf16Scores(Bf16Product dot, Func score, Var io) {
  Var j = dot.func.args()[0], i = dot.func.args()[1];
  dot.func.compute_at(score, io)
      .reorder_storage(i, j)
      .reorder(i, j)
      .vectorize(i, 16)
      .unroll(i)
      .unroll(j);
  dot.func.update()
      .reorder(dot.r.x, i, j, dot.r.y)
      .atomic()
      .vectorize(dot.r.x)
      .vectorize(i, 16)
      .unroll(i)
      .unroll(j);
}

Bf16Product bf16WeightedValues(Func prob, ImageParam v, Expr n, int headDim, int rows,
                               int span) {
  Var pair("pair"), i("i"), half("half"), d("d");
  Func pb("prob_pairs"); // pb(pair, i, half) = bf16(P[i][2 half + pair]), 0 past n
  Expr key = 2 * half + pair;
  pb(pair, i, half) = roundToBfloat16(select(key < n, prob(key, i), 0.0f));
  Func vp("v_pairs"); // vp(pair, d, half) = V[2 half + pair][d]
  vp(pair, d, half) = truncateToBfloat16(v(d, clamp(key, 0, n - 1)));
  RDom r(0, 2, 0, (n + 1) / 2, "rj_pairs");
  Func pv("pv_bf16");
  pv(d, i) = 0.0f;
  pv(d, i) += cast<float>(pb(r.x, i, r.y)) * cast<float>(vp(r.x, d, r.y));

  pb.compute_root()
      .bound(pair, 0, 2)
      .bound(i, 0, rows)
      .bound(half, 0, span / 2)
      .vectorize(pair)
      .vectorize(i, 16);
  vp.compute_root()
      .bound(pair, 0, 2)
      .bound(d, 0, headDim)
      .bound(half, 0, span / 2)
      .vectorize(pair)
      .vectorize(d, 16);
  // A whole span (the common case) needs no clamp: its loads are whole
  // vectors rather than gathers.
  vp.specialize(n == span);
  return {pv, r};
}

void scheduleBf16WeightedValues(Bf16Product pv, Func accOut, Var dO) {
  Var d = pv.func.args()[0], i = pv.func.args()[1];
  pv.func.compute_at(accOut, dO).vectorize(d, 16).unroll(d).unroll(i);
  pv.func.update()
      .reorder(pv.r.x, d, i, pv.r.y)
      .atomic()
      .vectorize(pv.r.x)
      .vectorize(d, 16)
      .unroll(d)
      .unroll(i);
}

} // namespace spattn::cpu
