//===- SparsePairsTest.cpp - Pairs on their own, and the form chosen ------===//
//
// attendPairs folds each row's kept keys into its online-softmax state:
// after any sequence of spans (diagonals, random masks, empty, full, with
// states already holding keys) each row's O = acc / l and LSE = m + log l
// equal fp64 softmax attention over every key it kept. scanMask and
// listDiagonals count what the mask holds, dropColumns clears columns;
// cheapestForm picks pairs for diagonals, a panel for columns every row
// keeps, both for diagonals crossed by such columns, and runs for dense
// spans.
// Each version of the pairs and scan loops this CPU can run is checked.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/libsupport/SparsePairs.h"

#include "RunnableVectors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace spattn::cpu {
namespace {

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

/// One mask of `rows` x `keys`, by kind: 0 random at density `density`, 1
/// diagonals (every 7th offset from the row, on both sides), 2 empty, 3
/// full.
std::vector<uint8_t> makeMask(int kind, int64_t rows, int64_t keys, double density,
                              std::mt19937 &rng) {
  std::vector<uint8_t> mask(rows * keys, 0);
  std::bernoulli_distribution coin(density);
  for (int64_t p = 0; p < rows; ++p)
    for (int64_t j = 0; j < keys; ++j)
      mask[p * keys + j] = kind == 0   ? coin(rng)
                           : kind == 1 ? (p + 3 * keys - j) % 7 == 0
                                       : kind == 3;
  return mask;
}

class SparsePairsLoop : public ::testing::TestWithParam<HostVectors> {};

TEST_P(SparsePairsLoop, SpansFoldIntoExactSoftmax) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (int64_t dim : {1, 5, 16, 17, 33, 64, 128})
    for (int64_t rows : {1, 3, 16, 29}) {
      const int64_t keys = 700, span = 96;
      const int64_t keyStride = dim + 3, queryStride = dim + 1; // strided rows
      std::vector<float> q(rows * queryStride), k(keys * keyStride), v(keys * keyStride);
      for (float &x : q)
        x = 2 * normal(rng);
      for (int64_t j = 0; j < keys * keyStride; ++j) {
        k[j] = normal(rng);
        v[j] = normal(rng);
      }
      // Spans of every kind, in turn; the mask rows are `keys` apart.
      std::vector<uint8_t> keep(rows * keys);
      for (int64_t key0 = 0; key0 < keys; key0 += span) {
        const int64_t n = std::min(span, keys - key0);
        std::vector<uint8_t> part =
            makeMask((key0 / span) % 4, rows, n, key0 % 3 ? 0.02 : 0.5, rng);
        for (int64_t p = 0; p < rows; ++p)
          std::copy_n(part.begin() + p * n, n, keep.begin() + p * keys + key0);
      }
      const float scale = 1.0f / std::sqrt(float(dim));

      std::vector<float> m(rows, kMinusInf), l(rows, 0.0f), acc(rows * dim, 0.0f);
      std::vector<uint8_t> columns(span), fullColumns(span), diagonals(span + rows - 1);
      std::vector<int32_t> list(span + rows - 1);
      for (int64_t key0 = 0; key0 < keys; key0 += span) {
        const PartialSpan partial{q.data(), queryStride, k.data() + key0 * keyStride,
                                  keyStride, v.data() + key0 * keyStride, keyStride,
                                  keep.data() + key0, keys, rows,
                                  std::min(span, keys - key0), dim, scale};
        scanMask(partial, columns.data(), fullColumns.data(), diagonals.data(),
                 GetParam());
        int64_t visits = 0;
        const int64_t count =
            listDiagonals(partial, diagonals.data(), list.data(), visits);
        attendPairs(partial, list.data(), count, {m.data(), l.data(), acc.data(), dim},
                    GetParam());
      }

      for (int64_t p = 0; p < rows; ++p) {
        double maxScore = -INFINITY;
        std::vector<double> s(keys);
        for (int64_t j = 0; j < keys; ++j) {
          s[j] = 0;
          for (int64_t d = 0; d < dim; ++d)
            s[j] += double(q[p * queryStride + d]) * k[j * keyStride + d];
          s[j] *= scale;
          if (keep[p * keys + j])
            maxScore = std::max(maxScore, s[j]);
        }
        double sum = 0;
        std::vector<double> out(dim, 0.0);
        for (int64_t j = 0; j < keys; ++j)
          if (keep[p * keys + j]) {
            double e = std::exp(s[j] - maxScore);
            sum += e;
            for (int64_t d = 0; d < dim; ++d)
              out[d] += e * v[j * keyStride + d];
          }
        ASSERT_GT(sum, 0) << "every row keeps a key of the full span";
        for (int64_t d = 0; d < dim; ++d)
          EXPECT_NEAR(acc[p * dim + d] / l[p], out[d] / sum, 1e-5)
              << "dim " << dim << " rows " << rows << " row " << p << " d " << d;
        EXPECT_NEAR(m[p] + std::log(l[p]), maxScore + std::log(sum), 1e-5)
            << "dim " << dim << " rows " << rows << " row " << p;
      }
    }
}

TEST_P(SparsePairsLoop, ScanEqualsAByteByByteCount) {
  // Widths around the 64-key blocks and past 31 blocks (where the byte
  // counters are emptied), masks rows further apart than their width, and
  // the diagonal buffer's edges written by the first and last rows.
  std::mt19937 rng(11);
  for (int64_t n : {1, 7, 63, 64, 65, 200, 512, 1983, 1984, 2048, 2111})
    for (int64_t rows : {1, 2, 17, 64})
      for (double density : {0.0, 0.05, 0.5, 1.0}) {
        const int64_t stride = n + 5;
        std::bernoulli_distribution coin(density);
        std::vector<uint8_t> keep(rows * stride, 7); // 7: bytes past n, never read
        for (int64_t p = 0; p < rows; ++p)
          for (int64_t jj = 0; jj < n; ++jj)
            keep[p * stride + jj] = coin(rng);
        std::vector<uint8_t> wantColumns(n, 0), wantFull(n, 1),
            wantDiagonals(n + rows - 1, 0);
        int64_t wantPairs = 0;
        for (int64_t p = 0; p < rows; ++p)
          for (int64_t jj = 0; jj < n; ++jj)
            if (keep[p * stride + jj]) {
              wantColumns[jj] = 1;
              wantDiagonals[jj + rows - 1 - p] = 1;
              ++wantPairs;
            } else {
              wantFull[jj] = 0;
            }
        // Stale bytes: the scan must overwrite what it reports.
        std::vector<uint8_t> columns(n, 1), fullColumns(n, 0), diagonals(n + rows - 1, 1);
        const PartialSpan partial{nullptr, 0, nullptr, 0, nullptr, 0, keep.data(),
                                  stride,  rows, n, 1, 1.0f};
        EXPECT_EQ(scanMask(partial, columns.data(), fullColumns.data(), diagonals.data(),
                           GetParam()),
                  wantPairs)
            << "n " << n << " rows " << rows << " density " << density;
        EXPECT_EQ(columns, wantColumns) << "n " << n << " rows " << rows;
        EXPECT_EQ(fullColumns, wantFull) << "n " << n << " rows " << rows;
        EXPECT_EQ(diagonals, wantDiagonals) << "n " << n << " rows " << rows;
      }
}

INSTANTIATE_TEST_SUITE_P(Vectors, SparsePairsLoop,
                         ::testing::ValuesIn(runnableVectors()),
                         [](const auto &info) { return vectorsName(info.param); });

TEST(SparsePairs, NothingKeptLeavesTheStateAlone) {
  std::vector<float> q(2 * 8, 1.0f), k(8 * 4, 1.0f), acc(2 * 8, 0.5f);
  std::vector<uint8_t> keep(2 * 4, 0), columns(4), fullColumns(4), diagonals(5);
  std::vector<int32_t> list(5);
  std::vector<float> m = {1.5f, kMinusInf}, l = {2.0f, 0.0f};
  const PartialSpan partial{q.data(), 8, k.data(), 8, k.data(), 8, keep.data(), 4,
                            2,        4, 8, 1.0f};
  EXPECT_EQ(scanMask(partial, columns.data(), fullColumns.data(), diagonals.data(),
                     HostVectors::Baseline),
            0);
  int64_t visits = 0;
  const int64_t count = listDiagonals(partial, diagonals.data(), list.data(), visits);
  EXPECT_EQ(count, 0);
  EXPECT_EQ(visits, 0);
  attendPairs(partial, list.data(), count, {m.data(), l.data(), acc.data(), 8},
              HostVectors::Baseline);
  EXPECT_EQ(m[0], 1.5f);
  EXPECT_EQ(l[0], 2.0f);
  EXPECT_EQ(m[1], kMinusInf);
  EXPECT_EQ(acc[3], 0.5f);
}

TEST(SparsePairs, ScanCountsColumnsDiagonalsAndVisits) {
  // 4 rows, 6 keys: row p keeps keys p and p + 2 (diagonals 3 and 5 of 9).
  const int64_t rows = 4, n = 6;
  std::vector<uint8_t> keep(rows * n, 0), columns(n), fullColumns(n),
      diagonals(n + rows - 1);
  for (int64_t p = 0; p < rows; ++p) {
    keep[p * n + p] = 1;
    keep[p * n + p + 2] = 1;
  }
  const PartialSpan partial{nullptr, 0, nullptr, 0, nullptr, 0, keep.data(), n,
                            rows,    n, 1,       1.0f};
  EXPECT_EQ(scanMask(partial, columns.data(), fullColumns.data(), diagonals.data(),
                     HostVectors::Baseline),
            8);
  EXPECT_EQ(columns, (std::vector<uint8_t>{1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(fullColumns, (std::vector<uint8_t>(n, 0))); // no key kept by all 4
  EXPECT_EQ(diagonals, (std::vector<uint8_t>{0, 0, 0, 1, 0, 1, 0, 0, 0}));
  std::vector<int32_t> list(n + rows - 1);
  int64_t visits = 0;
  ASSERT_EQ(listDiagonals(partial, diagonals.data(), list.data(), visits), 2);
  EXPECT_EQ(list[0], 3);
  EXPECT_EQ(list[1], 5);
  // Diagonal 3 crosses all 4 rows; diagonal 5 (key p + 2) rows 0..3 too.
  EXPECT_EQ(visits, 8);
}

TEST(SparsePairs, DropColumnsClearsThemInEveryRow) {
  // 3 rows of 5 keys, 7 apart (bytes past n must stay as they are).
  std::vector<uint8_t> mask = {1, 1, 0, 1, 1, 9, 9, //
                               0, 1, 1, 1, 0, 9, 9, //
                               1, 1, 1, 1, 1, 9, 9};
  const std::vector<uint8_t> drop = {0, 1, 0, 1, 0};
  dropColumns(mask.data(), 7, 3, 5, drop.data());
  EXPECT_EQ(mask, (std::vector<uint8_t>{1, 0, 0, 0, 1, 9, 9, //
                                        0, 0, 1, 0, 0, 9, 9, //
                                        1, 0, 1, 0, 1, 9, 9}));
}

TEST(SparsePairs, FormsFollowTheMaskCounts) {
  // Fields: kernel rows, run keys, kept columns, kept pairs, diagonal
  // visits, present rows, full columns. 64 rows, a 512-key span. One
  // diagonal per 64 keys (strided): every tile has a kept pair and every
  // column is kept by some row, one pair each.
  EXPECT_EQ(cheapestForm({64, 512, 512, 512, 512, 64, 0}), SpanForm::Pairs);
  // 20 columns every row keeps (vertical columns) spread over all tiles:
  // each crosses every diagonal.
  EXPECT_EQ(cheapestForm({64, 512, 20, 64 * 20, 64 * 512, 64, 20}), SpanForm::Panel);
  // A dense band: half the pairs.
  EXPECT_EQ(cheapestForm({64, 512, 512, 64 * 256, 64 * 300, 64, 0}), SpanForm::Runs);
  // 24 slashes and 40 vertical columns (a vertical-slash head; the columns
  // cross every one of the span's 575 diagonals): the columns through the
  // panel, the slashes as pairs. Were the columns not kept by every row,
  // their pairs and diagonals would make runs cheaper.
  EXPECT_EQ(cheapestForm({64, 512, 512, 64 * 64, 64 * 575, 64, 40}),
            SpanForm::PanelAndPairs);
  EXPECT_EQ(cheapestForm({64, 512, 512, 64 * 64, 64 * 575, 64, 0}), SpanForm::Runs);
  // Decode: 8 kernel rows, one present, 16 keys of a 512-key span kept;
  // with one row a column is cheaper as a pair than copied.
  EXPECT_NE(cheapestForm({8, 64, 16, 16, 16, 1, 16}), SpanForm::Runs);
  EXPECT_NE(cheapestForm({8, 64, 16, 16, 16, 1, 16}), SpanForm::PanelAndPairs);
}

} // namespace
} // namespace spattn::cpu
