//===- KeyCandidatesTest.cpp - A row's candidate keys hold every kept key -===//
//
// The generated keepRow tests an affine leaf's predicate only on the keys
// of its KeyCandidates (an interval, maybe one residue class); a key it
// skips is written 0. So the candidates must contain every key the
// predicate keeps, for every row and every value of the symbols. Checked
// on the affine leaves of random lowered specs (every primitive, affine
// predicates among them), at random positions and symbol values including
// 0 and negative ones, over a window of keys around the row; and the
// candidates of the strided and dilated forms must be a residue class. An
// affine leaf whose candidates form an interval keeps exactly them.
//
//===----------------------------------------------------------------------===//
#include "RandomSpecs.h"
#include "ScheduleTestUtil.h"

#include "dialects/SpAttn/IR/SpAttnAffine.h"
#include "targets/common/KeyCandidates.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace spattn::test {
namespace {

/// Whether key j is a candidate of `c` for the row at `pos`.
bool isCandidate(const mlir::spattn::KeyCandidates &c, int64_t pos, int64_t j,
                 llvm::ArrayRef<int64_t> symbols) {
  for (mlir::AffineExpr lower : c.lower)
    if (j < mlir::spattn::evaluateAffine(lower, {pos, 0}, symbols))
      return false;
  for (mlir::AffineExpr upper : c.upper)
    if (j >= mlir::spattn::evaluateAffine(upper, {pos, 0}, symbols))
      return false;
  if (!c.modulus)
    return true;
  int64_t m = mlir::spattn::evaluateAffine(c.modulus, {pos, 0}, symbols);
  int64_t r = mlir::spattn::evaluateAffine(c.residue, {pos, 0}, symbols);
  return m <= 0 || core::modulo(j - r, m) == 0;
}

TEST(KeyCandidates, HoldEveryKeptKeyOfRandomAffineLeaves) {
  RandomSpecs random(20261201);
  random.usePredicates(true);
  std::mt19937 rng(7);
  mlir::MLIRContext context;
  loadSpAttn(context);
  int64_t leaves = 0, kept = 0, narrowed = 0, intervalKeys = 0;
  for (int trial = 0; trial < 150; ++trial) {
    std::string source =
        random.spec(random.buckets(random.uniform(1, 600)), 2, 1, random.uniform(0, 1),
                    random.powerOfTwo(3, 6), random.powerOfTwo(3, 6));
    LoweredSpec lowered = lowerSpec(context, source);
    ASSERT_FALSE(lowered.variants.empty()) << source;
    for (ms::VariantOp variant : lowered.variants)
      variant.walk([&](ms::BlocksAffineOp leaf) {
        mlir::IntegerSet keep = leaf.getKeep();
        mlir::spattn::KeyCandidates candidates = mlir::spattn::keyCandidates(keep);
        ++leaves;
        std::vector<int64_t> symbols(keep.getNumSymbols());
        for (int sample = 0; sample < 20; ++sample) {
          for (int64_t &s : symbols)
            s = random.uniform(0, 9) == 0 ? random.uniform(-3, 0) : random.uniform(1, 300);
          const int64_t pos = random.uniform(0, 700);
          int64_t candidateKeys = 0;
          for (int64_t j = pos - 400; j <= pos + 400; ++j) {
            bool candidate = isCandidate(candidates, pos, j, symbols);
            candidateKeys += candidate;
            const bool holds = mlir::spattn::integerSetHolds(keep, {pos, j}, symbols);
            std::string text;
            llvm::raw_string_ostream os(text);
            keep.print(os);
            // An interval's candidates are kept without a test.
            if (candidates.interval) {
              ++intervalKeys;
              ASSERT_EQ(candidate, holds) << "key " << j << " of row " << pos
                                          << " of the interval " << text << "\n"
                                          << source;
            }
            if (!holds)
              continue;
            ++kept;
            ASSERT_TRUE(candidate) << "key " << j << " of row " << pos
                                   << " is kept but not a candidate of " << text
                                   << "\n" << source;
          }
          narrowed += candidateKeys < 801;
        }
      });
  }
  EXPECT_GT(leaves, 100);
  EXPECT_GT(kept, 100000);
  EXPECT_GT(narrowed, leaves); // the candidates do narrow most rows
  EXPECT_GT(intervalKeys, 10000); // windows and causal masks are intervals
}

TEST(KeyCandidates, StridedAndDilatedAreResidueClasses) {
  mlir::MLIRContext context;
  loadSpAttn(context);
  auto set = [&](const char *text) {
    mlir::Attribute attribute = mlir::parseAttribute(text, &context);
    return llvm::cast<mlir::IntegerSetAttr>(attribute).getValue();
  };
  // (pos - j) mod s0 == 0, j <= pos: the strided pattern.
  mlir::spattn::KeyCandidates strided = mlir::spattn::keyCandidates(
      set("affine_set<(p, j)[s] : ((p - j) mod s == 0, p - j >= 0)>"));
  ASSERT_TRUE(strided.modulus);
  EXPECT_EQ(strided.upper.size(), 1u);
  EXPECT_FALSE(strided.interval);
  // (j + 3) mod 5 == 0 within a window of 64 behind the row.
  mlir::spattn::KeyCandidates dilated = mlir::spattn::keyCandidates(
      set("affine_set<(p, j) : ((j + 3) mod 5 == 0, p - j >= 0, j - p + 63 >= 0)>"));
  ASSERT_TRUE(dilated.modulus);
  EXPECT_EQ(dilated.lower.size(), 1u);
  EXPECT_EQ(dilated.upper.size(), 1u);
  for (int64_t pos : {0, 7, 100})
    for (int64_t j = pos - 70; j <= pos; ++j)
      EXPECT_EQ(isCandidate(dilated, pos, j, {}),
                j >= pos - 63 && core::modulo(j + 3, 5) == 0)
          << pos << " " << j;
  // 2 j mod 5 == 0 is not a residue class of step 1 coefficients: no
  // modulus, every key a candidate.
  mlir::spattn::KeyCandidates doubled =
      mlir::spattn::keyCandidates(set("affine_set<(p, j) : ((j * 2) mod 5 == 0)>"));
  EXPECT_FALSE(doubled.modulus);
  EXPECT_FALSE(doubled.interval);
  // A window behind the row (causal): exactly [pos - 63, pos + 1).
  mlir::spattn::KeyCandidates window = mlir::spattn::keyCandidates(
      set("affine_set<(p, j) : (p - j >= 0, j - p + 63 >= 0)>"));
  EXPECT_TRUE(window.interval);
  // A condition on the row alone is tested per key.
  EXPECT_FALSE(mlir::spattn::keyCandidates(
                   set("affine_set<(p, j) : (p - j >= 0, p - 5 >= 0)>"))
                   .interval);
}

} // namespace
} // namespace spattn::test
