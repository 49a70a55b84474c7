//===- SelectionsTest.cpp - CPU library selections vs the reference -------===//
//
// Property tests over random shapes: the float32 selections a CPU library
// runs (spattn/host_selections.hpp) choose what the fp64 reference
// chooses. Inputs are small integers sized so that block sums, dot products
// and page bounds are exact in float32. Where a group's exact scores nearly
// tie at the budget's boundary, fp32 and fp64 may legitimately differ (a
// tie in exact arithmetic is rounded differently by each), so such a group
// is skipped and each test checks that few are. Pages chosen from bounds
// kept by a caller (updatePageBounds, keys appended in steps) are those
// chosen from K, for one head or a GQA group at once; bounds of bf16 / fp16
// keys are those of their float32 values.
//
//===----------------------------------------------------------------------===//
#include "spattn/host_selections.hpp"
#include "spattn/half_precision.hpp"

#include "reference/Selection.h"

#include "TeamSelections.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <vector>

namespace spattn::host {
namespace {

/// The CPU library's stages.
struct CpuStages {
  void topk(const SelectionCall &call, HeadRows q, HeadRows k, int64_t block, int64_t count,
            Selection &out) const {
    selectTopkBlocks(call, q, k, block, count, out);
  }
  void mass(const SelectionCall &call, HeadRows q, HeadRows k, int64_t block,
            int64_t maxBlocks, double gamma, Selection &out) const {
    selectMassBlocks(call, q, k, block, maxBlocks, gamma, out);
  }
  void pages(const SelectionCall &call, HeadRows q, HeadRows k, int64_t page, int64_t count,
             Selection &out) const;
  void verticalSlash(const SelectionCall &call, HeadRows q, HeadRows k, int64_t verticals,
                     int64_t slashes, int64_t lastQueries, Selection &out) const {
    selectVerticalSlash(call, q, k, verticals, slashes, lastQueries, out);
  }
};

/// The CUDA target's stages, run by a team of three host threads.
struct CudaTeamStages : test::TeamSelections {
  CudaTeamStages() : TeamSelections(3) {}
};

template <typename Stages> class Selections : public ::testing::Test {
protected:
  Stages stages;
};
struct StageNames {
  template <typename T> static std::string GetName(int) {
    return std::is_same_v<T, CpuStages> ? "Cpu" : "CudaTeam";
  }
};
using StageImplementations = ::testing::Types<CpuStages, CudaTeamStages>;
TYPED_TEST_SUITE(Selections, StageImplementations, StageNames);

using Groups = std::vector<std::vector<int64_t>>;

Groups groupsOf(const Selection &s) {
  Groups groups;
  for (int64_t g = 0; g < s.groups(); ++g)
    groups.emplace_back(s.begin(g), s.end(g));
  return groups;
}

/// One head's inputs with integer values in [-range, range].
struct Case {
  ref::AttentionProblem problem;
  std::vector<float> q, k;

  SelectionCall call() const {
    SelectionCall c;
    c.queryLength = problem.queryLength;
    c.keyLength = problem.keyLength;
    c.causal = problem.causal;
    c.scale = static_cast<float>(problem.scale);
    return c;
  }
  HeadRows queries() const { return rows(q, problem.queryLength); }
  HeadRows keys() const { return rows(k, problem.keyLength); }
  ref::HeadContent content() const { return {q.data(), k.data()}; }

private:
  HeadRows rows(const std::vector<float> &x, int64_t n) const {
    return {x.data(), n, problem.headDim, problem.headDim};
  }
};

int64_t pick(std::mt19937_64 &rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

template <typename T> T pickOf(std::mt19937_64 &rng, std::vector<T> values) {
  return values[pick(rng, 0, static_cast<int64_t>(values.size()) - 1)];
}

/// pages for one head, from bounds computed from k (data null) or `bounds`.
void selectPagesOf(const SelectionCall &call, HeadRows q, StoredRows k, int64_t page,
                   int64_t count, Selection &out, StoredRows bounds = {}) {
  selectPages(call, {q}, k, bounds, page, count, {&out});
}

void CpuStages::pages(const SelectionCall &call, HeadRows q, HeadRows k, int64_t page,
                      int64_t count, Selection &out) const {
  selectPagesOf(call, q, k, page, count, out);
}

/// Lengths covering L = 1, odd lengths and lengths off the block grid,
/// decode (Lq = 1), chunked prefill (Lq < Lk) and a few Lq > Lk.
void pickLengths(std::mt19937_64 &rng, int64_t block,
                 ref::AttentionProblem &p) {
  switch (pick(rng, 0, 5)) {
  case 0:
    p.queryLength = p.keyLength = 1;
    break;
  case 1:
    p.queryLength = p.keyLength = pick(rng, 1, 300);
    break;
  case 2:
    p.queryLength = 1;
    p.keyLength = pick(rng, 1, 900);
    break;
  case 3:
    p.keyLength = pick(rng, 2, 500);
    p.queryLength = pick(rng, 1, p.keyLength - 1);
    break;
  case 4:
    p.keyLength = block * pick(rng, 1, 8) + pickOf<int64_t>(rng, {-1, 0, 0, 1});
    p.keyLength = std::max<int64_t>(p.keyLength, 1);
    p.queryLength = pick(rng, 1, p.keyLength);
    break;
  default:
    p.keyLength = pick(rng, 1, 60);
    p.queryLength = p.keyLength + pick(rng, 1, 40);
    break;
  }
}

/// A random case; `pooled` rows are summed per block, so the value range
/// keeps a product of two sums of `pooled` values, summed over D, well
/// inside float32's exact integers (2^24).
Case randomCase(std::mt19937_64 &rng, int64_t pooled) {
  Case c;
  ref::AttentionProblem &p = c.problem;
  pickLengths(rng, pooled, p);
  p.headDim = pickOf<int64_t>(rng, {8, 9, 16, 24, 36, 64, 96, 128});
  p.causal = pick(rng, 0, 1) == 1;
  p.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(p.headDim)));
  double limit = std::sqrt(std::ldexp(1.0, 22) / p.headDim) / pooled;
  int64_t range = std::clamp<int64_t>(static_cast<int64_t>(limit), 1, 40);
  auto fill = [&](std::vector<float> &x, int64_t n) {
    x.resize(n * p.headDim);
    for (float &v : x)
      v = static_cast<float>(pick(rng, -range, range));
  };
  fill(c.q, p.queryLength);
  fill(c.k, p.keyLength);
  return c;
}

/// Budgets 0, 1, a few, about half and more than the candidates.
int64_t randomBudget(std::mt19937_64 &rng, int64_t candidates) {
  return pickOf<int64_t>(
      rng, {0, 1, 2, 3, candidates / 2, candidates, candidates + 5});
}

ref::Pattern leaf(ref::PatternKind kind, int64_t count, int64_t block) {
  ref::Pattern p;
  p.kind = kind;
  p.count = count;
  p.block = block;
  return p;
}

/// Whether the `count` highest `scores` could change under a relative
/// perturbation `tol` (a near tie straddles the boundary). With
/// `exactZeros`, scores of exactly 0 are 0 in every implementation too.
bool boundaryAmbiguous(std::vector<double> scores, int64_t count, double tol,
                       bool exactZeros = false) {
  if (count <= 0 || count >= static_cast<int64_t>(scores.size()))
    return false;
  std::sort(scores.begin(), scores.end(), std::greater<double>());
  double above = scores[count - 1], below = scores[count];
  if (exactZeros && above == 0.0)
    return false;
  return above - below <= tol * std::max(std::abs(above), std::abs(below));
}

/// Exact pooled block scores <sum q, sum key c> / (n_q n_c) per present query
/// block over its candidates (the scale is left out), from integer sums.
std::vector<std::vector<double>> exactBlockScores(const Case &c,
                                                  int64_t block) {
  const ref::AttentionProblem &p = c.problem;
  const int64_t dim = p.headDim, lk = p.keyLength, lq = p.queryLength;
  auto sums = [&](const std::vector<float> &x, int64_t begin, int64_t end) {
    std::vector<int64_t> s(dim, 0);
    for (int64_t r = begin; r < end; ++r)
      for (int64_t d = 0; d < dim; ++d)
        s[d] += static_cast<int64_t>(x[r * dim + d]);
    return s;
  };
  const int64_t first = ref::firstQueryBlock(p, block);
  const int64_t numKey = ref::numKeyBlocks(p, block);
  std::vector<std::vector<double>> scores(ref::numQueryBlocks(p, block));
  for (size_t g = 0; g < scores.size(); ++g) {
    int64_t qb = first + static_cast<int64_t>(g);
    int64_t begin = std::max<int64_t>(0, qb * block - (lk - lq));
    int64_t end = std::min(lq, (qb + 1) * block - (lk - lq));
    std::vector<int64_t> query = sums(c.q, begin, end);
    for (int64_t kb = 0; kb <= (p.causal ? qb : numKey - 1); ++kb) {
      int64_t keyEnd = std::min(lk, (kb + 1) * block);
      std::vector<int64_t> key = sums(c.k, kb * block, keyEnd);
      int64_t dot = 0;
      for (int64_t d = 0; d < dim; ++d)
        dot += query[d] * key[d];
      scores[g].push_back(
          static_cast<double>(dot) /
          static_cast<double>((end - begin) * (keyEnd - kb * block)));
    }
  }
  return scores;
}

/// Counts compared and skipped groups; at most a tenth may be skipped.
struct Tally {
  int64_t compared = 0, skipped = 0;
  ~Tally() {
    EXPECT_GT(compared, 0);
    EXPECT_LE(skipped * 10, compared + skipped)
        << skipped << " groups skipped as near ties, " << compared
        << " compared";
  }
};

void expectSameGroups(const Groups &ours, const Groups &reference,
                      const std::vector<bool> &ambiguous, Tally &tally,
                      const ref::AttentionProblem &p) {
  ASSERT_EQ(ours.size(), reference.size());
  for (size_t g = 0; g < ours.size(); ++g) {
    if (ambiguous[g]) {
      ++tally.skipped;
      continue;
    }
    ++tally.compared;
    EXPECT_EQ(ours[g], reference[g])
        << "group " << g << " Lq=" << p.queryLength << " Lk=" << p.keyLength
        << " D=" << p.headDim << " causal=" << p.causal;
  }
}

const std::vector<int64_t> kBlocks = {1, 2, 3, 7, 16, 32, 64};

TYPED_TEST(Selections, TopkBlocksMatchReference) {
  std::mt19937_64 rng(1);
  Tally tally;
  Selection out; // reused: every call must start from scratch
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t block = pickOf(rng, kBlocks);
    Case c = randomCase(rng, block);
    const int64_t count =
        randomBudget(rng, ref::numKeyBlocks(c.problem, block));
    this->stages.topk(c.call(), c.queries(), c.keys(), block, count, out);
    ASSERT_EQ(out.firstGroup, ref::firstQueryBlock(c.problem, block));
    auto exact = exactBlockScores(c, block);
    std::vector<bool> ambiguous;
    for (const auto &scores : exact)
      ambiguous.push_back(boundaryAmbiguous(scores, count, 1e-6));
    expectSameGroups(
        groupsOf(out),
        ref::selectTopkBlocks(leaf(ref::PatternKind::TopkBlocks, count, block),
                              c.problem, c.content()),
        ambiguous, tally, c.problem);
  }
}

/// Whether the mass prefix could change under small perturbations: a near
/// tie where the prefix ends, or a cumulative mass near gamma before it.
bool massAmbiguous(const std::vector<double> &scores,
                   const std::vector<int64_t> &present, int64_t maxBlocks,
                   double gamma) {
  const size_t n = scores.size();
  if (n == 0 || maxBlocks <= 0)
    return false;
  double top = *std::max_element(scores.begin(), scores.end());
  std::vector<double> mass(n);
  double total = 0.0;
  for (size_t c = 0; c < n; ++c)
    total += mass[c] = present[c] * std::exp(scores[c] - top);
  for (double &m : mass)
    m /= total;
  std::sort(mass.begin(), mass.end(), std::greater<double>());
  const size_t ranks = std::min(n, static_cast<size_t>(maxBlocks));
  double cumulative = 0.0;
  size_t kept = 0;
  for (; kept < ranks && cumulative < gamma; ++kept) {
    cumulative += mass[kept];
    if (kept + 1 < ranks && std::abs(cumulative - gamma) < 1e-5)
      return true;
  }
  return kept < n && mass[kept - 1] - mass[kept] <= 1e-5 * mass[kept - 1];
}

TYPED_TEST(Selections, MassBlocksMatchReference) {
  std::mt19937_64 rng(2);
  Tally tally;
  Selection out;
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t block = pickOf(rng, kBlocks);
    Case c = randomCase(rng, block);
    auto exact = exactBlockScores(c, block);
    // A scale that spreads the scores over about [-6, 6] spreads the mass.
    double largest = 1.0;
    for (const auto &scores : exact)
      for (double s : scores)
        largest = std::max(largest, std::abs(s));
    c.problem.scale = static_cast<float>(6.0 / largest);
    const double gamma = pickOf<double>(rng, {0.3, 0.5, 0.8, 0.9, 0.95, 1.0});
    const int64_t maxBlocks =
        randomBudget(rng, ref::numKeyBlocks(c.problem, block));
    this->stages.mass(c.call(), c.queries(), c.keys(), block, maxBlocks, gamma,
                     out);
    ASSERT_EQ(out.firstGroup, ref::firstQueryBlock(c.problem, block));
    std::vector<bool> ambiguous;
    for (auto &scores : exact) {
      std::vector<int64_t> present;
      for (size_t kb = 0; kb < scores.size(); ++kb) {
        scores[kb] *= c.problem.scale;
        present.push_back(
            std::min<int64_t>(c.problem.keyLength, (kb + 1) * block) -
            kb * block);
      }
      ambiguous.push_back(massAmbiguous(scores, present, maxBlocks, gamma));
    }
    ref::Pattern pattern = leaf(ref::PatternKind::Mass, maxBlocks, block);
    pattern.gamma = gamma;
    expectSameGroups(groupsOf(out),
                     ref::selectMassBlocks(pattern, c.problem, c.content()),
                     ambiguous, tally, c.problem);
  }
}

TEST(CpuSelections, RandomBlocksMatchReferenceExactly) {
  std::mt19937_64 rng(3);
  Selection out;
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t block = pickOf(rng, kBlocks);
    ref::AttentionProblem p;
    pickLengths(rng, block, p);
    p.causal = pick(rng, 0, 1) == 1;
    ref::Pattern pattern =
        leaf(ref::PatternKind::RandomBlocks,
             randomBudget(rng, ref::numKeyBlocks(p, block)), block);
    pattern.seed = pickOf<uint64_t>(rng, {0, 1, 12345, ~uint64_t(0), rng()});
    const int64_t head = pick(rng, 0, 31);
    SelectionCall call;
    call.queryLength = p.queryLength;
    call.keyLength = p.keyLength;
    call.causal = p.causal;
    call.head = head;
    selectRandomBlocks(call, block, pattern.count, pattern.seed, out);
    EXPECT_EQ(out.firstGroup, ref::firstQueryBlock(p, block));
    EXPECT_EQ(groupsOf(out), ref::selectRandomBlocks(pattern, p, head));
  }
}

TYPED_TEST(Selections, PagesMatchReferenceExactly) {
  // Integer bounds are exact in float and double: ties resolve identically.
  std::mt19937_64 rng(4);
  Selection out;
  for (int trial = 0; trial < 300; ++trial) {
    const int64_t page = pickOf(rng, kBlocks);
    Case c = randomCase(rng, 1);
    const int64_t count = randomBudget(rng, ref::numKeyBlocks(c.problem, page));
    this->stages.pages(c.call(), c.queries(), c.keys(), page, count, out);
    EXPECT_EQ(out.firstGroup, 0);
    EXPECT_EQ(groupsOf(out),
              ref::selectPages(leaf(ref::PatternKind::Pages, count, page),
                               c.problem, c.content()))
        << "Lq=" << c.problem.queryLength << " Lk=" << c.problem.keyLength;
  }
}

/// Uniform values in [-2, 2): sums of products round, so a different order
/// of float operations would show.
std::vector<float> realValues(std::mt19937_64 &rng, int64_t n) {
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  std::vector<float> x(n);
  for (float &v : x)
    v = value(rng);
  return x;
}

/// Bounds rows of k as updatePageBounds writes them, `pad` NaNs after each
/// row and `spare` NaN rows at the end (a caller's buffer sized for more).
struct KeptBounds {
  std::vector<float> data;
  int64_t stride;
  KeptBounds(int64_t pages, int64_t dim, int64_t pad, int64_t spare)
      : data((pages + spare) * (2 * dim + pad),
             std::numeric_limits<float>::quiet_NaN()),
        stride(2 * dim + pad) {}
  HeadRows rows(int64_t dim) const {
    return {data.data(), static_cast<int64_t>(data.size()) / stride, stride,
            2 * dim};
  }
  PageBoundsRows out() { return {data.data(), SPATTN_F32, stride}; }
};

TEST(CpuSelections, PageBoundsRowsAreMinimaThenMaxima) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 100; ++trial) {
    const int64_t page = pickOf(rng, kBlocks), dim = pickOf<int64_t>(rng, {8, 9, 36});
    const int64_t lk = pick(rng, 1, 300);
    std::vector<float> k = realValues(rng, lk * dim);
    KeptBounds bounds((lk + page - 1) / page, dim, pick(rng, 0, 3), 2);
    // Appended in steps of 1 to 40 keys, each step updating from its first.
    for (int64_t length = 0; length < lk;) {
      const int64_t next = std::min(lk, length + pick(rng, 1, 40));
      updatePageBounds(HeadRows{k.data(), next, dim, dim}, page, length, bounds.out());
      length = next;
    }
    for (int64_t p = 0; p * page < lk; ++p)
      for (int64_t d = 0; d < dim; ++d) {
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        for (int64_t j = p * page; j < std::min(lk, (p + 1) * page); ++j) {
          lo = std::min(lo, k[j * dim + d]);
          hi = std::max(hi, k[j * dim + d]);
        }
        const float *row = bounds.data.data() + p * bounds.stride;
        ASSERT_EQ(row[d], lo) << "page " << p << " dim " << d;
        ASSERT_EQ(row[dim + d], hi) << "page " << p << " dim " << d;
      }
  }
}

TEST(CpuSelections, PageBoundsOfSixteenBitKeysAreThoseOfTheirValues) {
  // bf16 / fp16 keys (a 16-bit KV cache): the bounds are those of the
  // float32 keys holding the same values, bit for bit (min and max of exact
  // widenings), for any first key and padded rows. Values include zeros of
  // both signs and fp16 subnormals.
  std::mt19937_64 rng(11);
  for (spattn_dtype dtype : {SPATTN_BF16, SPATTN_F16})
    for (int trial = 0; trial < 60; ++trial) {
      const int64_t page = pickOf(rng, kBlocks), dim = pickOf<int64_t>(rng, {8, 9, 36});
      const int64_t lk = pick(rng, 1, 300), rowStride = dim + pick(rng, 0, 5);
      std::vector<uint16_t> stored(lk * rowStride);
      std::vector<float> widened(lk * dim);
      std::uniform_real_distribution<float> value(-3.0f, 3.0f);
      for (int64_t j = 0; j < lk; ++j)
        for (int64_t d = 0; d < dim; ++d) {
          float x = value(rng) * (rng() % 4 == 0 ? 1e-6f : 1.0f);
          if (rng() % 16 == 0)
            x = rng() % 2 ? 0.0f : -0.0f;
          const uint16_t bits = narrowTo(dtype, x);
          stored[j * rowStride + d] = bits;
          widened[j * dim + d] = widenFrom(dtype, bits);
        }
      const int64_t pages = (lk + page - 1) / page, firstKey = pick(rng, 0, lk - 1);
      const StoredRows keys(stored.data(), dtype, lk, rowStride, dim);
      KeptBounds fromStored(pages, dim, 1, 0), fromFloats(pages, dim, 1, 0);
      updatePageBounds(keys, page, firstKey, fromStored.out());
      updatePageBounds(HeadRows{widened.data(), lk, dim, dim}, page, firstKey,
                       fromFloats.out());
      // Rows before firstKey's page stay NaN in both; compare the bits.
      const char *name = dtype == SPATTN_BF16 ? "bf16" : "fp16";
      ASSERT_EQ(0, std::memcmp(fromStored.data.data(), fromFloats.data.data(),
                               fromStored.data.size() * sizeof(float)))
          << name << " page " << page << " dim " << dim << " Lk " << lk << " first key "
          << firstKey;
      // Bounds in K's own dtype (padded rows): the same values, exactly.
      const int64_t narrowStride = 2 * dim + 3;
      std::vector<uint16_t> narrow(pages * narrowStride, 0xffffu);
      updatePageBounds(keys, page, firstKey, {narrow.data(), dtype, narrowStride});
      for (int64_t p = firstKey / page; p < pages; ++p)
        for (int64_t d = 0; d < 2 * dim; ++d) {
          const float value = fromFloats.data[p * fromFloats.stride + d];
          ASSERT_EQ(narrow[p * narrowStride + d], narrowTo(dtype, value))
              << name << " page " << p << " element " << d;
          ASSERT_EQ(widenFrom(dtype, narrow[p * narrowStride + d]), value);
        }
      for (int64_t p = 0; p < pages; ++p) // the padding and earlier rows untouched
        for (int64_t d = p < firstKey / page ? 0 : 2 * dim; d < narrowStride; ++d)
          ASSERT_EQ(narrow[p * narrowStride + d], 0xffffu) << name << " page " << p;
    }
}

TEST(CpuSelections, PagesFromSixteenBitBoundsAreThoseFromKeys) {
  // A 16-bit KV cache whose caller keeps bounds in K's dtype: the same
  // pages as bounds computed from K, for several heads at once.
  std::mt19937_64 rng(12);
  for (spattn_dtype dtype : {SPATTN_BF16, SPATTN_F16})
    for (int trial = 0; trial < 100; ++trial) {
      const int64_t page = pickOf(rng, kBlocks);
      Case c = randomCase(rng, 1);
      const ref::AttentionProblem &p = c.problem;
      const int64_t dim = p.headDim, heads = pick(rng, 1, 5);
      const int64_t pages = (p.keyLength + page - 1) / page;
      std::vector<uint16_t> stored;
      for (float x : realValues(rng, p.keyLength * dim))
        stored.push_back(narrowTo(dtype, x));
      const StoredRows keys(stored.data(), dtype, p.keyLength, dim, dim);
      std::vector<float> q = realValues(rng, heads * p.queryLength * dim);
      std::vector<HeadRows> queries;
      for (int64_t h = 0; h < heads; ++h)
        queries.push_back({q.data() + h * p.queryLength * dim, p.queryLength, dim, dim});
      const int64_t stride = 2 * dim + pick(rng, 0, 3);
      std::vector<uint16_t> bounds((pages + pick(rng, 0, 2)) * stride);
      updatePageBounds(keys, page, 0, {bounds.data(), dtype, stride});
      const int64_t count = randomBudget(rng, pages);
      std::vector<Selection> fromKeys(heads), fromBounds(heads);
      std::vector<Selection *> keysOut, boundsOut;
      for (int64_t h = 0; h < heads; ++h) {
        keysOut.push_back(&fromKeys[h]);
        boundsOut.push_back(&fromBounds[h]);
      }
      selectPages(c.call(), queries, keys, {}, page, count, keysOut);
      selectPages(c.call(), queries, keys,
                  StoredRows(bounds.data(), dtype,
                             static_cast<int64_t>(bounds.size()) / stride, stride,
                             2 * dim),
                  page, count, boundsOut);
      for (int64_t h = 0; h < heads; ++h)
        EXPECT_EQ(groupsOf(fromBounds[h]), groupsOf(fromKeys[h]))
            << "head " << h << " Lq=" << p.queryLength << " Lk=" << p.keyLength;
    }
}

TEST(CpuSelections, PagesFromKeptBoundsAreThoseFromKeys) {
  // Real values, so that only the same float operations in the same order
  // give the same scores; several heads at once as a GQA group selects.
  std::mt19937_64 rng(8);
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t page = pickOf(rng, kBlocks);
    Case c = randomCase(rng, 1);
    const ref::AttentionProblem &p = c.problem;
    const int64_t dim = p.headDim, heads = pick(rng, 1, 5);
    const int64_t pages = (p.keyLength + page - 1) / page;
    c.k = realValues(rng, p.keyLength * dim);
    std::vector<float> q = realValues(rng, heads * p.queryLength * dim);
    std::vector<HeadRows> queries;
    for (int64_t h = 0; h < heads; ++h)
      queries.push_back({q.data() + h * p.queryLength * dim, p.queryLength, dim, dim});
    KeptBounds bounds(pages, dim, pick(rng, 0, 3), pick(rng, 0, 2));
    updatePageBounds(c.keys(), page, 0, bounds.out());
    const int64_t count = randomBudget(rng, pages);
    std::vector<Selection> fromKeys(heads), fromBounds(heads), alone(heads);
    std::vector<Selection *> keysOut, boundsOut;
    for (int64_t h = 0; h < heads; ++h) {
      keysOut.push_back(&fromKeys[h]);
      boundsOut.push_back(&fromBounds[h]);
    }
    selectPages(c.call(), queries, c.keys(), {}, page, count, keysOut);
    selectPages(c.call(), queries, c.keys(), bounds.rows(dim), page, count,
                boundsOut);
    for (int64_t h = 0; h < heads; ++h) {
      selectPagesOf(c.call(), queries[h], c.keys(), page, count, alone[h]);
      EXPECT_EQ(groupsOf(fromBounds[h]), groupsOf(fromKeys[h]))
          << "head " << h << " Lq=" << p.queryLength << " Lk=" << p.keyLength;
      EXPECT_EQ(groupsOf(fromKeys[h]), groupsOf(alone[h])) << "head " << h;
    }
  }
}

TEST(CpuSelections, PagesFromKeptBoundsMatchReferenceExactly) {
  std::mt19937_64 rng(9);
  Selection out;
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t page = pickOf(rng, kBlocks);
    Case c = randomCase(rng, 1);
    const int64_t dim = c.problem.headDim;
    const int64_t pages = (c.problem.keyLength + page - 1) / page;
    KeptBounds bounds(pages, dim, 0, 0);
    updatePageBounds(c.keys(), page, 0, bounds.out());
    const int64_t count = randomBudget(rng, pages);
    selectPagesOf(c.call(), c.queries(), c.keys(), page, count, out,
                  bounds.rows(dim));
    EXPECT_EQ(groupsOf(out),
              ref::selectPages(leaf(ref::PatternKind::Pages, count, page),
                               c.problem, c.content()))
        << "Lq=" << c.problem.queryLength << " Lk=" << c.problem.keyLength;
  }
}

/// Column and offset scores of vertical_slash in double from exact integer
/// dot products; offsets indexed by d + Lk - 1.
void exactSlashScores(const Case &c, int64_t lastQueries,
                      std::vector<double> &columns,
                      std::vector<double> &offsets) {
  const ref::AttentionProblem &p = c.problem;
  const int64_t lq = p.queryLength, lk = p.keyLength, dim = p.headDim;
  columns.assign(lk, 0.0);
  offsets.assign(2 * lk - 1, 0.0);
  for (int64_t i = lq - std::min(lastQueries, lq); i < lq; ++i) {
    const int64_t pos = p.queryPosition(i);
    const int64_t last = p.causal ? pos : lk - 1;
    std::vector<double> prob;
    for (int64_t j = 0; j <= last; ++j) {
      int64_t dot = 0;
      for (int64_t d = 0; d < dim; ++d)
        dot += static_cast<int64_t>(c.q[i * dim + d]) *
               static_cast<int64_t>(c.k[j * dim + d]);
      prob.push_back(p.scale * static_cast<double>(dot));
    }
    if (prob.empty())
      continue;
    double top = *std::max_element(prob.begin(), prob.end());
    double total = 0.0;
    for (double &x : prob)
      total += x = std::exp(x - top);
    for (int64_t j = 0; j <= last; ++j) {
      columns[j] += prob[j] / total;
      if (pos - j > -lk)
        offsets[pos - j + lk - 1] += prob[j] / total;
    }
  }
}

TYPED_TEST(Selections, VerticalSlashMatchesReference) {
  std::mt19937_64 rng(5);
  Tally tally;
  Selection out;
  for (int trial = 0; trial < 300; ++trial) {
    Case c = randomCase(rng, 1);
    const ref::AttentionProblem &p = c.problem;
    const int64_t lk = p.keyLength;
    const int64_t lastQueries = pickOf<int64_t>(rng, {0, 1, 3, 4, 5, 17, 64});
    // A scale that spreads one row's scores over about [-8, 8].
    double largest = 1.0;
    for (size_t x = 0; x < c.q.size(); ++x)
      largest = std::max(largest, std::abs(double(c.q[x])));
    for (size_t x = 0; x < c.k.size(); ++x)
      largest = std::max(largest, std::abs(double(c.k[x])));
    c.problem.scale = static_cast<float>(
        8.0 / (largest * largest * std::sqrt(double(p.headDim))));
    ref::Pattern pattern = leaf(ref::PatternKind::VerticalSlash, 0, 0);
    pattern.verticals = randomBudget(rng, lk);
    pattern.slashes = randomBudget(rng, p.causal ? lk : 2 * lk - 1);
    pattern.lastQueries = lastQueries;
    this->stages.verticalSlash(c.call(), c.queries(), c.keys(), pattern.verticals,
                        pattern.slashes, lastQueries, out);
    ref::VerticalSlashSelection expected =
        ref::selectVerticalSlash(pattern, p, c.content());
    std::vector<double> columns, offsets;
    exactSlashScores(c, lastQueries, columns, offsets);
    if (p.causal)
      offsets.erase(offsets.begin(), offsets.begin() + (lk - 1));
    expectSameGroups(groupsOf(out), {expected.columns, expected.offsets},
                     // Keys and offsets no estimation row reaches score 0.
                     {boundaryAmbiguous(columns, pattern.verticals, 1e-5, true),
                      boundaryAmbiguous(offsets, pattern.slashes, 1e-5, true)},
                     tally, p);
  }
}

/// Copies rows into a buffer with `pad` NaNs after each row.
std::vector<float> padRows(const std::vector<float> &x, int64_t dim,
                           int64_t pad) {
  std::vector<float> padded;
  for (size_t r = 0; r * dim < x.size(); ++r) {
    padded.insert(padded.end(), x.begin() + r * dim, x.begin() + (r + 1) * dim);
    padded.insert(padded.end(), pad, std::numeric_limits<float>::quiet_NaN());
  }
  return padded;
}

// The device's page bounds update (keys appended in steps, rows of the
// pages from first_key on rewritten) writes the rows the CPU library's does.
TEST(CudaTeamSelections, PageBoundsUpdatesMatchTheCpuLibrary) {
  std::mt19937_64 rng(8);
  const test::TeamSelections team(3);
  for (int trial = 0; trial < 60; ++trial) {
    const int64_t page = pickOf(rng, kBlocks);
    const int64_t dim = pickOf<int64_t>(rng, {8, 9, 64, 128});
    const int64_t lk = pick(rng, 1, 700);
    std::vector<float> k = realValues(rng, lk * dim);
    const int64_t pages = (lk + page - 1) / page;
    std::vector<float> ours(pages * 2 * dim, 0.0f), cpu(pages * 2 * dim, 0.0f);
    // Keys arrive in a few steps: a prefill, then appends.
    for (int64_t have = 0, next = pick(rng, 1, lk); have < lk;
         have = next, next = std::min(lk, next + pick(rng, 1, 40))) {
      HeadRows keys{k.data(), next, dim, dim};
      team.updatePageBounds(keys, page, have, ours);
      updatePageBounds(keys, page, have, {cpu.data(), SPATTN_F32, 2 * dim});
    }
    EXPECT_EQ(ours, cpu) << "Lk " << lk << " page " << page << " D " << dim;
  }
}

TEST(CpuSelections, StridedRowsReadOnlyTheirDim) {
  std::mt19937_64 rng(6);
  for (int trial = 0; trial < 60; ++trial) {
    const int64_t block = pickOf(rng, kBlocks);
    Case c = randomCase(rng, block);
    const int64_t dim = c.problem.headDim, stride = dim + pick(rng, 1, 9);
    std::vector<float> q = padRows(c.q, dim, stride - dim);
    std::vector<float> k = padRows(c.k, dim, stride - dim);
    HeadRows qs{q.data(), c.problem.queryLength, stride, dim};
    HeadRows ks{k.data(), c.problem.keyLength, stride, dim};
    const SelectionCall call = c.call();
    const int64_t count = pick(rng, 1, 4);
    Selection dense, strided;
    selectTopkBlocks(call, c.queries(), c.keys(), block, count, dense);
    selectTopkBlocks(call, qs, ks, block, count, strided);
    EXPECT_EQ(groupsOf(strided), groupsOf(dense));
    selectMassBlocks(call, c.queries(), c.keys(), block, count, 0.9, dense);
    selectMassBlocks(call, qs, ks, block, count, 0.9, strided);
    EXPECT_EQ(groupsOf(strided), groupsOf(dense));
    selectPagesOf(call, c.queries(), c.keys(), block, count, dense);
    selectPagesOf(call, qs, ks, block, count, strided);
    EXPECT_EQ(groupsOf(strided), groupsOf(dense));
    selectVerticalSlash(call, c.queries(), c.keys(), count, count, 5, dense);
    selectVerticalSlash(call, qs, ks, count, count, 5, strided);
    EXPECT_EQ(groupsOf(strided), groupsOf(dense));
  }
}

TYPED_TEST(Selections, BudgetsBeyondCandidatesKeepEveryCandidate) {
  Case c;
  c.problem.queryLength = 5;
  c.problem.keyLength = 11; // positions 6 ... 10, blocks of 4: 1 and 2
  c.problem.headDim = 8;
  c.problem.causal = true;
  c.problem.scale = 1.0;
  c.q.assign(5 * 8, 1.0f);
  c.k.assign(11 * 8, 1.0f);
  Selection out;
  this->stages.topk(c.call(), c.queries(), c.keys(), 4, 100, out);
  EXPECT_EQ(out.firstGroup, 1);
  EXPECT_EQ(groupsOf(out), (Groups{{0, 1}, {0, 1, 2}}));
  this->stages.topk(c.call(), c.queries(), c.keys(), 4, 0, out);
  EXPECT_EQ(groupsOf(out), (Groups{{}, {}}));
  this->stages.pages(c.call(), c.queries(), c.keys(), 4, 100, out);
  EXPECT_EQ(groupsOf(out),
            (Groups{{0, 1}, {0, 1}, {0, 1, 2}, {0, 1, 2}, {0, 1, 2}}));
  this->stages.verticalSlash(c.call(), c.queries(), c.keys(), 100, 100, 1, out);
  ASSERT_EQ(out.groups(), 2);
  EXPECT_EQ(out.end(0) - out.begin(0), 11);
  EXPECT_EQ(out.end(1) - out.begin(1), 11);
}

TYPED_TEST(Selections, GammaOneStopsWhereTheReferenceDoes) {
  // Block 0 holds all but e^-100 of the mass: in double the cumulative mass
  // is exactly 1 after it, so gamma = 1 keeps it alone, as the reference.
  Case c;
  c.problem.queryLength = c.problem.keyLength = 8;
  c.problem.headDim = 8;
  c.problem.scale = 1.0;
  c.q.assign(8 * 8, 1.0f);
  c.k.assign(8 * 8, 0.0f);
  std::fill(c.k.begin(), c.k.begin() + 4 * 8, 12.5f); // <q, k> = 100
  ref::Pattern pattern = leaf(ref::PatternKind::Mass, 2, 4);
  pattern.gamma = 1.0;
  Selection out;
  this->stages.mass(c.call(), c.queries(), c.keys(), 4, 2, 1.0, out);
  EXPECT_EQ(groupsOf(out), (Groups{{0}, {0}}));
  EXPECT_EQ(groupsOf(out),
            ref::selectMassBlocks(pattern, c.problem, c.content()));
}

TYPED_TEST(Selections, LargeScoresDoNotOverflowTheSoftmax) {
  // Scores reach 3200: exp overflows unless shifted by the row's maximum.
  Case c;
  c.problem.queryLength = c.problem.keyLength = 4;
  c.problem.headDim = 8;
  c.problem.scale = 1.0;
  c.q.assign(4 * 8, 1.0f);
  for (int64_t j = 0; j < 4; ++j)
    c.k.insert(c.k.end(), 8, 100.0f * (j + 1));
  ref::Pattern pattern = leaf(ref::PatternKind::VerticalSlash, 0, 0);
  pattern.verticals = pattern.slashes = pattern.lastQueries = 1;
  Selection out;
  this->stages.verticalSlash(c.call(), c.queries(), c.keys(), 1, 1, 1, out);
  ref::VerticalSlashSelection expected =
      ref::selectVerticalSlash(pattern, c.problem, c.content());
  EXPECT_EQ(groupsOf(out), (Groups{{3}, {0}}));
  EXPECT_EQ(groupsOf(out), (Groups{expected.columns, expected.offsets}));
}

} // namespace
} // namespace spattn::host
