//===- AmxProducts.cpp - The attend kernel's products on AMX tiles --------===//
#include "AmxProducts.h"
#include "Bf16Rounding.h"

using namespace Halide;

namespace spattn::cpu {

namespace {

constexpr int kTileRows = 16, kTileColumns = 16; // a float32 accumulator tile
constexpr int kTileDepth = 32;                     // bf16 pairs x 16 per step

/// Schedules acc(x, y) += lhs * rhs (reduction `r`) as AMX tile products,
/// its consumer wrapper as a whole buffer of `columns` x `rows`.
void scheduleTileProduct(Func acc, RVar r, Var x, Var y, int columns, int rows) {
  Var xi("xi"), yi("yi"), ui("ui"), vi("vi"), wi("wi"), zi("zi");
  RVar ro("ro"), ri("ri");
  acc.compute_at(acc.in(), x)
      .store_in(MemoryType::AMXTile)
      .update()
      .tile(x, y, xi, yi, kTileColumns, kTileRows, TailStrategy::GuardWithIf)
      .split(r, ro, ri, kTileDepth)
      .reorder({ri, xi, yi, ro, x, y})
      .atomic()
      .vectorize(ri)
      .vectorize(xi)
      .vectorize(yi);
  acc.compute_at(acc.in(), x)
      .tile(x, y, ui, vi, kTileColumns, kTileRows)
      .vectorize(ui)
      .vectorize(vi);
  acc.in()
      .compute_root()
      .bound(x, 0, columns)
      .bound(y, 0, rows)
      .tile(x, y, wi, zi, kTileColumns, kTileRows)
      .vectorize(wi)
      .vectorize(zi);
}

} // namespace

bool amxProductsApply(const Target &target, bool bf16Products, int headDim, int rows,
                      int span, bool fewRows) {
  return bf16Products && !fewRows && target.has_feature(Target::AVX512_SapphireRapids) &&
         headDim % kTileDepth == 0 && headDim % kTileColumns == 0 &&
         rows % kTileRows == 0 && span % kTileDepth == 0;
}

Func amxScores(ImageParam q, ImageParam k, Expr n, int headDim, int rows, int span) {
  Var d("d"), i("i"), j("j"), pair("pair"), half("half");
  Func qb("q_bf16");
  qb(d, i) = truncateToBfloat16(q(d, i));
  Func kp("k_pairs"); // kp(pair, j, half) = K[j][2 half + pair]
  kp(pair, j, half) = truncateToBfloat16(k(2 * half + pair, clamp(j, 0, n - 1)));
  RDom rd(0, headDim, "rd_amx");
  Func dot("dot_amx");
  dot(j, i) = 0.0f;
  dot(j, i) += cast<float>(qb(rd, i)) * cast<float>(kp(rd % 2, j, rd / 2));

  qb.compute_root().bound(d, 0, headDim).bound(i, 0, rows).vectorize(d, 16);
  // The transpose in 16-key x 8-pair blocks: whole-vector stores, loads
  // along d. A whole span (the common case) needs no clamp, so its loads
  // are strided rather than gathered.
  Var jo("jo"), ji("ji"), ho("ho"), hi("hi");
  kp.compute_root()
      .bound(pair, 0, 2)
      .bound(j, 0, span)
      .bound(half, 0, headDim / 2)
      .split(j, jo, ji, 16)
      .split(half, ho, hi, 8)
      .reorder(pair, ji, hi, jo, ho)
      .vectorize(pair)
      .vectorize(ji)
      .unroll(hi);
  kp.specialize(n == span); // inherits the schedule above
  scheduleTileProduct(dot, rd, j, i, span, rows);
  return dot;
}

Func amxWeightedValues(Func prob, ImageParam v, Expr n, int headDim, int rows,
                       int span) {
  Var d("d"), i("i"), j("j"), pair("pair"), half("half");
  Func pb("prob_bf16");
  pb(j, i) = roundToBfloat16(select(j < n, prob(j, i), 0.0f));
  Func vp("v_pairs"); // vp(pair, d, half) = V[2 half + pair][d]
  vp(pair, d, half) = truncateToBfloat16(v(d, clamp(2 * half + pair, 0, n - 1)));
  RDom rj(0, span, "rj_amx");
  Func pv("pv_amx");
  pv(d, i) = 0.0f;
  pv(d, i) += cast<float>(pb(rj, i)) * cast<float>(vp(rj % 2, d, rj / 2));

  pb.compute_root().bound(j, 0, span).bound(i, 0, rows).vectorize(j, 16);
  // Two key rows interleaved: no transpose.
  vp.compute_root()
      .bound(pair, 0, 2)
      .bound(d, 0, headDim)
      .bound(half, 0, span / 2)
      .reorder(pair, d, half)
      .vectorize(pair)
      .vectorize(d, 16);
  vp.specialize(n == span);
  scheduleTileProduct(pv, rj, d, i, headDim, rows);
  return pv;
}

} // namespace spattn::cpu
