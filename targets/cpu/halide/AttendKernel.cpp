//===- AttendKernel.cpp - The Halide attend kernel ------------------------===//
#include "AttendKernel.h"
#include "AmxProducts.h"
#include "Bf16DotProducts.h"
#include "KernelContract.h"

#include <algorithm>
#include <limits>

using namespace Halide;

namespace spattn::cpu {

namespace {

/// The register blocking of the two products for one instruction set:
/// `lanes` floats per vector; PV (and the few-row kernels' QK) as micro-tiles
/// of `columns` (head dims, whole vectors) x `rows` query rows; the many-row
/// QK as micro-tiles of `scoreRows` query rows (whole vectors) x `scoreKeys`
/// keys. `columns` x `rows` was measured on dense 4K prefill when both
/// products used it (forced versions on one AVX-512 machine): AVX2 16 x 4
/// 115 GFLOP/s against 83 for 32 x 8 and 86 for 16 x 8; SSE4.1 16 x 8 56
/// against 52 for 8 x 4. The QK shapes: the best per kernel call on Zen 4
/// (docs/cpu-backend.md).
struct Blocking {
  int lanes, columns, rows, scoreRows, scoreKeys;
};

Blocking blockingFor(const Target &target) {
  if (target.has_feature(Target::AVX512))
    return {16, 32, 8, 32, 12}; // 16 and 24 of 32 zmm registers accumulate
  if (target.has_feature(Target::AVX2) || target.has_feature(Target::AVX))
    return {8, 16, 4, 16, 6}; // 8 and 12 of 16 ymm
  if (target.arch == Target::ARM)
    return {4, 16, 4, 16, 4}; // 16 of 32 NEON q registers (not measured)
  return {4, 16, 8, 16, 2};   // SSE4.1
}

/// Keys whose lane-wise dot products the few-row kernel keeps in registers
/// at once (with 8 rows: 16 accumulators).
constexpr int kKeysPerStep = 2;

/// The largest of 16, 8, 4, 2, 1 that divides n and is at most `most`.
int widestVector(int n, int most) {
  for (int w : {16, 8, 4, 2})
    if (w <= most && n % w == 0)
      return w;
  return 1;
}

/// Register tile along a dimension of extent n: `preferred` when it divides
/// n, else n itself when small, else a vector.
int registerTile(int n, int preferred, int lanes) {
  if (n % preferred == 0)
    return preferred;
  return n <= preferred ? n : widestVector(n, lanes);
}

} // namespace

AttendKernel buildAttendKernel(const AttendKernelShape &shape,
                               const Target &target) {
  const int D = shape.headDim, BQ = shape.blockQ, S = shape.span;
  ImageParam q(Float(32), 2, "q"), k(shape.keyValueType, 2, "k"),
      v(shape.keyValueType, 2, "v");
  ImageParam mask(UInt(8), 2, "mask");
  Param<int> n("n");
  Param<float> scale("scale");
  ImageParam mIn(Float(32), 1, "m_in"), lIn(Float(32), 1, "l_in"),
      accIn(Float(32), 2, "acc_in");

  Var d("d"), i("i"), j("j");
  // The key reduction runs over the n keys that exist: a short span (the
  // edge tiles of a window, the last tile) costs only what it holds.
  RDom rd(0, D, "rd"), rj(0, n, "rj");
  Expr lastKey = n - 1;
  const Expr minusInf = Expr(-std::numeric_limits<float>::infinity());

  // Tiles of many rows keep query rows in vector lanes: QK^T broadcasts
  // each key's d-th value against column d of Q^T, so K is read as it lies
  // and the scores, the softmax and its row reductions run down the lanes.
  // A few rows fill no vector that way: they sum each key's products along d
  // (decode must stream K at memory speed). Both read K rows as they lie
  // (KernelContract.h says how each takes Q). A bf16 spec on an AMX target
  // runs both products on tiles (AmxProducts.h), on a target with AVX-512
  // BF16 but no AMX on vdpbf16ps (Bf16DotProducts.h).
  const bool fewRows = !readsTransposedQueries(BQ);
  const bool amx = amxProductsApply(target, shape.bf16Products, D, BQ, S, fewRows);
  const bool dotPairs =
      bf16DotProductsApply(target, shape.bf16Products, D, BQ, S, fewRows);
  const bool rowsInLanes = !amx && !fewRows;
  Bf16Product dotBf16, pvBf16;
  if (dotPairs)
    dotBf16 = bf16Scores(q, k, n, D, BQ);
  Func dot = amx ? amxScores(q, k, n, D, BQ, S) : dotPairs ? dotBf16.func : Func("dot");
  if (!amx && !dotPairs) {
    dot(j, i) = 0.0f;
    dot(j, i) += q(rd, i) * cast<float>(k(rd, clamp(j, 0, lastKey)));
  }
  Func score("score");
  // Only j < n is ever read; tiles round the computed region up past n
  // (and past the span: the mask is read clamped to it).
  score(j, i) = shape.masked
                    ? select(mask(min(j, S - 1), i) != 0, dot(j, i) * scale, minusInf)
                    : dot(j, i) * scale;

  // Row reductions as explicit updates so they can be rfactored into
  // vector lanes below (a scalar chain of dependent max / add is slow).
  Func spanMax("span_max"), spanSum("span_sum");
  spanMax(i) = minusInf;
  spanMax(i) = max(spanMax(i), score(rj, i));
  Func rowMax("row_max");
  rowMax(i) = max(mIn(i), spanMax(i));
  // exp(-inf - -inf) would be NaN: a row with nothing kept so far stays 0.
  Func prob("prob");
  prob(j, i) = select(rowMax(i) == minusInf, 0.0f, exp(score(j, i) - rowMax(i)));
  Func alpha("alpha");
  alpha(i) = select(mIn(i) == minusInf, 0.0f, exp(mIn(i) - rowMax(i)));
  if (dotPairs)
    pvBf16 = bf16WeightedValues(prob, v, n, D, BQ, S);
  Func pv = amx        ? amxWeightedValues(prob, v, n, D, BQ, S)
            : dotPairs ? pvBf16.func
                       : Func("pv");
  if (!amx && !dotPairs) {
    pv(d, i) = 0.0f;
    pv(d, i) += prob(rj, i) * cast<float>(v(d, clamp(rj, 0, lastKey)));
  }

  Func mOut("m_out"), lOut("l_out"), accOut("acc_out");
  mOut(i) = rowMax(i);
  spanSum(i) = 0.0f;
  spanSum(i) += prob(rj, i);
  lOut(i) = lIn(i) * alpha(i) + spanSum(i);
  accOut(d, i) = accIn(d, i) * alpha(i) + pv(d, i);

  // Fixed shapes: the driver always passes whole tiles.
  for (ImageParam *p : {&k, &v, &accIn})
    p->dim(0).set_min(0).set_stride(1);
  q.dim(0).set_min(0).set_stride(rowsInLanes ? BQ : 1);
  if (rowsInLanes)
    q.dim(1).set_stride(1);
  q.dim(0).set_extent(D);
  k.dim(0).set_extent(D);
  v.dim(0).set_extent(D);
  accIn.dim(0).set_extent(D);
  q.dim(1).set_bounds(0, BQ);
  accIn.dim(1).set_bounds(0, BQ);
  mIn.dim(0).set_bounds(0, BQ);
  lIn.dim(0).set_bounds(0, BQ);
  k.dim(1).set_min(0);
  v.dim(1).set_min(0);
  mask.dim(0).set_bounds(0, S).set_stride(1);
  mask.dim(1).set_bounds(0, BQ);
  accOut.output_buffer().dim(0).set_bounds(0, D).set_stride(1);
  accOut.output_buffer().dim(1).set_bounds(0, BQ);
  mOut.output_buffer().dim(0).set_bounds(0, BQ);
  lOut.output_buffer().dim(0).set_bounds(0, BQ);

  // Schedule: both products as register-blocked micro-tiles (reduction
  // innermost; sizes per instruction set), the softmax pieces per tile in
  // between.
  const Blocking blocking = blockingFor(target);
  const int L = blocking.lanes;
  auto vectorWidth = [&](int n) { return widestVector(n, L); };
  const int iTile = registerTile(BQ, blocking.rows, L);
  // A few rows spend the PV accumulators on more head dims instead: fewer
  // passes over V.
  const int accumulators = blocking.columns / L * blocking.rows;
  const int dColumns =
      fewRows ? L * std::max(1, accumulators / iTile) : blocking.columns;
  const int dTile = registerTile(D, dColumns, L);
  const int dVec = vectorWidth(dTile);
  Var jo("jo"), ji("ji"), io("io"), ii("ii"), dO("do"), di("di");

  if (amx) {
    score.compute_root().bound(j, 0, S).vectorize(j, vectorWidth(S));
  } else if (fewRows) {
    // Per step kKeysPerStep keys x all rows of lane-wise partial sums in
    // registers; K is read once per step, d innermost.
    const int keys = std::min(kKeysPerStep, S);
    const int dLanes = widestVector(D, L);
    RVar rdo("rdo"), rdi("rdi");
    Var lane("lane");
    score.compute_root()
        .split(j, jo, ji, keys, TailStrategy::RoundUp)
        .reorder(ji, i, jo)
        .prefetch(k, jo, jo, 8);
    dot.compute_at(score, jo).unroll(j).unroll(i);
    Func lanes = dot.update()
                     .split(rd, rdo, rdi, dLanes)
                     .rfactor(rdi, lane);
    dot.update().atomic().vectorize(rdi).unroll(j).unroll(i);
    lanes.compute_at(score, jo)
        .reorder_storage(lane, j, i)
        .vectorize(lane)
        .unroll(j)
        .unroll(i);
    lanes.update().reorder(lane, i, j, rdo).vectorize(lane).unroll(i).unroll(j);
  } else {
    // Scores and probabilities stored rows innermost; micro-tiles of
    // scoreRows x scoreKeys accumulators, d outermost.
    const int rowTile = registerTile(BQ, blocking.scoreRows, L);
    const int keyTile = std::min(S, blocking.scoreKeys); // rounds the span up
    const int rowVec = vectorWidth(rowTile);
    score.compute_root()
        .reorder_storage(i, j)
        .tile(i, j, io, jo, ii, ji, rowTile, keyTile, TailStrategy::RoundUp)
        .vectorize(ii, rowVec);
    if (dotPairs) {
      scheduleBf16Scores(dotBf16, score, io);
    } else {
      dot.compute_at(score, io)
          .reorder_storage(i, j)
          .reorder(i, j)
          .vectorize(i, rowVec)
          .unroll(i)
          .unroll(j);
      dot.update().reorder(i, j, rd).vectorize(i, rowVec).unroll(i).unroll(j);
    }
  }
  if (rowsInLanes) {
    // Row reductions are lane-wise maxima and sums over the keys.
    const int rowVec = vectorWidth(BQ);
    for (Func *reduce : {&spanMax, &spanSum}) {
      reduce->compute_root().vectorize(i, rowVec);
      reduce->update().vectorize(i, rowVec).unroll(i);
    }
    prob.compute_root().reorder_storage(i, j).reorder(i, j).vectorize(i, rowVec).unroll(i);
    for (Func *perRow : {&rowMax, &alpha})
      perRow->compute_root().vectorize(i, rowVec);
  } else {
    const int lanes = vectorWidth(S);
    Var lane("lane");
    RVar rjo("rjo"), rji("rji");
    for (Func *reduce : {&spanMax, &spanSum}) {
      reduce->compute_root();
      Func partial = reduce->update()
                         .split(rj, rjo, rji, lanes, TailStrategy::GuardWithIf)
                         .rfactor(rji, lane);
      partial.compute_at(*reduce, i).vectorize(lane);
      partial.update().vectorize(lane);
    }
    rowMax.compute_root();
    prob.compute_root().vectorize(j, vectorWidth(S), TailStrategy::RoundUp);
    alpha.compute_root();
  }
  if (amx) {
    accOut.vectorize(d, dVec);
  } else {
    accOut.tile(d, i, dO, io, di, ii, dTile, iTile).vectorize(di, dVec);
    if (dotPairs) {
      scheduleBf16WeightedValues(pvBf16, accOut, dO);
    } else {
      pv.compute_at(accOut, dO).vectorize(d, dVec).unroll(d).unroll(i);
      pv.update().reorder(d, i, rj).vectorize(d, dVec).unroll(d).unroll(i);
    }
  }
  lOut.compute_root();
  mOut.compute_root();

  AttendKernel kernel{Pipeline({mOut, lOut, accOut}), {}};
  kernel.arguments = {q, k, v};
  if (shape.masked)
    kernel.arguments.push_back(mask);
  kernel.arguments.insert(kernel.arguments.end(), {n, scale, mIn, lIn, accIn});
  return kernel;
}

} // namespace spattn::cpu
