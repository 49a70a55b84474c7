//===- MaskPngTest.cpp - Pictures of block schedules ----------------------===//
//
// Every cell of a rendered mask must have the colour of the tiles the
// schedule evaluator reports for the same call, at the bucket's upper length
// or the requested one, for the requested head and content; masked cells the
// shade of the fraction of their pairs the mask keeps. Bad options and
// inputs end in diagnostics at the spec, and nothing is written on error.
//
//===----------------------------------------------------------------------===//
#include "compiler/spattn-compile/MaskPng.h"
#include "compiler/io/Npy.h"
#include "dialects/SpAttn/Eval/ScheduleEvaluator.h"
#include "dialects/SpAttn/Eval/SpecEvaluator.h"
#include "reference/Density.h"
#include "reference/Mask.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <map>

using namespace mlir;
namespace ms = mlir::spattn;
namespace ref = ::spattn::ref;
namespace core = ::spattn::core;
using core::TileKind;
using ::spattn::formColor;
using ::spattn::MaskPicture;
using ::spattn::MaskPngOptions;
using ::spattn::NpyArray;
using ::spattn::TileForm;
namespace png = ::spattn::png;

namespace {

/// A causal window of 100 plus 16 sinks, buckets [1, 256] and [257, 1024].
constexpr const char *kWindowSpec = R"mlir(
spattn.spec @local attributes {head_dim = 16 : i64, num_q_heads = 4 : i64,
    num_kv_heads = 2 : i64, dtype = f16, causal,
    buckets = array<i64: 256, 1024>} {
^bb0(%L: index):
  %w = arith.constant 100 : index
  %s = arith.constant 16 : index
  %local = spattn.window %w
  %sinks = spattn.sink %s
  %p = spattn.union %local, %sinks
  spattn.yield %p
}
)mlir";

/// Content-based: top-4 key blocks of 32 plus the diagonal block.
constexpr const char *kTopkSpec = R"mlir(
spattn.spec @topk attributes {head_dim = 8 : i64, num_q_heads = 4 : i64,
    num_kv_heads = 2 : i64, dtype = f16, causal,
    buckets = array<i64: 512>, block_q = 32 : i64, block_k = 32 : i64} {
^bb0(%L: index):
  %k = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %selected = spattn.topk_blocks %k block 32
  %diagonal = spattn.window %c32
  %p = spattn.union %selected, %diagonal
  spattn.yield %p
}
)mlir";

/// Heads 0-1 see a window, heads 2-3 only sinks.
constexpr const char *kPerHeadSpec = R"mlir(
spattn.spec @split attributes {head_dim = 16 : i64, num_q_heads = 4 : i64,
    num_kv_heads = 2 : i64, dtype = f16, causal, buckets = array<i64: 512>} {
^bb0(%L: index):
  %c64 = arith.constant 64 : index
  %c8 = arith.constant 8 : index
  %local = spattn.window %c64
  %sinks = spattn.sink %c8
  %p = spattn.per_head %local, %sinks heads [0, 2]
  spattn.yield %p
}
)mlir";

/// Builds a one-head spec yielding `body`'s %p, with `attributes` added.
std::string oneHeadSpec(const std::string &attributes,
                        const std::string &body) {
  return "spattn.spec @s attributes {head_dim = 16 : i64, num_q_heads = 1 : "
         "i64, num_kv_heads = 1 : i64, dtype = f16, " +
         attributes + "} {\n^bb0(%L: index):\n" + body +
         "  spattn.yield %p\n}\n";
}

class MaskPngTest : public ::testing::Test {
protected:
  MaskPngTest() {
    context.loadDialect<ms::SpAttnDialect, arith::ArithDialect,
                        math::MathDialect>();
    context.getDiagEngine().registerHandler(
        [this](Diagnostic &diag) { diagnostics.push_back(diag.str()); });
  }
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("mask-png-test", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  ms::SpecOp lower(const std::string &source) {
    module = parseSourceString<ModuleOp>(source, &context);
    EXPECT_TRUE(module) << source;
    EXPECT_TRUE(succeeded(ms::lowerToSchedules(*module)));
    return *module->getOps<ms::SpecOp>().begin();
  }

  std::vector<MaskPicture> render(ms::SpecOp spec,
                                  const MaskPngOptions &options) {
    FailureOr<std::vector<MaskPicture>> pictures =
        ::spattn::renderMaskPngs(*module, spec, options);
    EXPECT_TRUE(succeeded(pictures)) << joinedDiagnostics();
    return succeeded(pictures) ? std::move(*pictures)
                               : std::vector<MaskPicture>();
  }

  /// The diagnostic of a render that must fail.
  std::string renderError(ms::SpecOp spec, const MaskPngOptions &options) {
    diagnostics.clear();
    EXPECT_TRUE(failed(::spattn::renderMaskPngs(*module, spec, options)));
    return joinedDiagnostics();
  }

  std::string joinedDiagnostics() const {
    std::string all;
    for (const std::string &message : diagnostics)
      all += message + "\n";
    return all;
  }

  std::string path(llvm::StringRef name) const {
    llvm::SmallString<128> result(dir);
    llvm::sys::path::append(result, name);
    return std::string(result);
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::vector<std::string> diagnostics;
  llvm::SmallString<128> dir;
};

/// The kept fractions whose masked shade is `color`, as [lo, hi]; lo > hi
/// when no fraction has that shade.
std::pair<double, double> maskedFractionsOf(png::Rgb color) {
  auto key = [](png::Rgb c) { return c.r << 16 | c.g << 8 | c.b; };
  // Steps of 1/4096 in sqrt(fraction) are finer than one colour level.
  static const std::map<int, std::pair<double, double>> shades = [&] {
    std::map<int, std::pair<double, double>> table;
    for (int step = 0; step <= 4096; ++step) {
      double fraction = (step / 4096.0) * (step / 4096.0);
      auto [entry, added] = table.try_emplace(
          key(formColor(TileForm::Masked, fraction)), fraction, fraction);
      entry->second.second = fraction;
    }
    return table;
  }();
  auto found = shades.find(key(color));
  return found == shades.end() ? std::pair(2.0, -1.0) : found->second;
}

/// The colour of cell (row, col) of `picture` (its top-left pixel, always
/// inside its fill).
png::Rgb cellPixel(const MaskPicture &picture, int64_t row, int64_t col) {
  return picture.image.pixel(picture.maskLeft + col * picture.cellSize,
                             picture.maskTop + row * picture.cellSize);
}

/// Checks every cell of `picture` against the schedule of `variant` bound to
/// the same call: a cell shows the strongest kind among its tiles, full ones
/// solid, masked ones in a shade of the masked ramp, skipped ones grey.
void expectCellsMatchSchedule(const MaskPicture &picture, ms::VariantOp variant,
                              int64_t length, int64_t head,
                              ref::HeadContent content) {
  ms::SpecEvaluator evaluator(SymbolTable::lookupNearestSymbolFrom<ms::SpecOp>(
      variant, variant.getSpecAttr()));
  ms::ScheduleEvaluator schedule(variant);
  ASSERT_TRUE(succeeded(schedule.bind(
      evaluator.config().problem(length, length), head, content)));
  int64_t factor = picture.tilesPerCell;
  int64_t first = schedule.firstQueryTile();
  int64_t rows = (schedule.endQueryTile() - first + factor - 1) / factor;
  int64_t cols = (schedule.numKeyTiles() + factor - 1) / factor;
  std::vector<TileKind> cells(rows * cols, TileKind::Skipped);
  for (int64_t q = first; q < schedule.endQueryTile(); ++q)
    for (const core::TileRange &range : schedule.tileRanges(q))
      for (int64_t k = range.lo; k < range.hi; ++k) {
        TileKind &cell = cells[(q - first) / factor * cols + k / factor];
        cell = std::max(cell, range.kind);
      }
  int64_t mismatches = 0;
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t col = 0; col < cols; ++col) {
      TileKind kind = cells[row * cols + col];
      png::Rgb pixel = cellPixel(picture, row, col);
      auto [lo, hi] = maskedFractionsOf(pixel);
      bool ok = kind == TileKind::Full ? pixel == formColor(TileForm::Full, 1.0)
                : kind == TileKind::Partial ? lo <= hi
                                            : pixel == ::spattn::skippedColor();
      if (!ok && mismatches++ < 5)
        ADD_FAILURE() << picture.fileName << ": cell (" << row << ", " << col
                      << ") should be kind " << int(kind);
    }
  EXPECT_EQ(mismatches, 0);
  // The mask ends where its frame starts.
  EXPECT_LE(picture.maskLeft + cols * picture.cellSize, picture.image.width());
  EXPECT_LE(picture.maskTop + rows * picture.cellSize, picture.image.height());
}

TEST_F(MaskPngTest, RendersEveryBucketAtItsUpperLength) {
  ms::SpecOp spec = lower(kWindowSpec);
  std::vector<MaskPicture> pictures = render(spec, {});
  ASSERT_EQ(pictures.size(), 2u);
  EXPECT_EQ(pictures[0].fileName, "local_b0_L256_h0.png");
  EXPECT_EQ(pictures[1].fileName, "local_b1_L1024_h0.png");
  SmallVector<ms::VariantOp> variants = ms::variantsOf(*module, spec);
  for (auto [picture, variant, length] :
       llvm::zip(pictures, variants, std::vector<int64_t>{256, 1024})) {
    // 4 and 16 tiles a side, scaled up to 512 pixels.
    EXPECT_EQ(picture.tilesPerCell, 1);
    EXPECT_EQ(picture.cellSize, 512 / (length / 64));
    expectCellsMatchSchedule(picture, variant, length, 0, {});
  }
}

TEST_F(MaskPngTest, LengthPicksTheBucketServingIt) {
  ms::SpecOp spec = lower(kWindowSpec);
  MaskPngOptions options;
  options.length = 300;
  options.head = 3;
  std::vector<MaskPicture> pictures = render(spec, options);
  ASSERT_EQ(pictures.size(), 1u);
  EXPECT_EQ(pictures[0].fileName, "local_b1_L300_h3.png");
  // ceil(300 / 64) = 5 tiles a side: 103-pixel cells.
  EXPECT_EQ(pictures[0].cellSize, 103);
  expectCellsMatchSchedule(pictures[0], ms::variantsOf(*module, spec)[1], 300,
                           3, {});
}

TEST_F(MaskPngTest, LargeGridsShowTheStrongestKindPerPixel) {
  // 16-token tiles at L = 40000: 2500 tiles a side, 2 x 2 tiles a pixel.
  std::string source = kWindowSpec;
  source.replace(source.find("256, 1024"), 9, "40000");
  source.replace(source.find("causal,"), 7,
                 "causal, block_q = 16 : i64, block_k = 16 : i64,");
  ms::SpecOp spec = lower(source);
  std::vector<MaskPicture> pictures = render(spec, {});
  ASSERT_EQ(pictures.size(), 1u);
  EXPECT_EQ(pictures[0].tilesPerCell, 2);
  EXPECT_EQ(pictures[0].cellSize, 1);
  EXPECT_LE(pictures[0].image.width(), 2048 + 64);
  expectCellsMatchSchedule(pictures[0], ms::variantsOf(*module, spec)[0], 40000,
                           0, {});
}

TEST_F(MaskPngTest, HeadSelectsItsPattern) {
  ms::SpecOp spec = lower(kPerHeadSpec);
  MaskPngOptions options;
  std::vector<MaskPicture> window = render(spec, options);
  options.head = 2;
  std::vector<MaskPicture> sinks = render(spec, options);
  ASSERT_EQ(window.size(), 1u);
  ASSERT_EQ(sinks.size(), 1u);
  EXPECT_EQ(sinks[0].fileName, "split_b0_L512_h2.png");
  EXPECT_NE(window[0].image.bytes(), sinks[0].image.bytes());
  ms::VariantOp variant = ms::variantsOf(*module, spec)[0];
  expectCellsMatchSchedule(window[0], variant, 512, 0, {});
  expectCellsMatchSchedule(sinks[0], variant, 512, 2, {});
}

TEST_F(MaskPngTest, SyntheticContentIsTheSummarys) {
  ms::SpecOp spec = lower(kTopkSpec);
  std::vector<MaskPicture> pictures = render(spec, {});
  ASSERT_EQ(pictures.size(), 1u);
  ref::AttentionProblem problem =
      ms::SpecEvaluator(spec).config().problem(512, 512);
  FailureOr<ref::Pattern> pattern =
      ms::SpecEvaluator(spec).evaluatePattern(512);
  ASSERT_TRUE(succeeded(pattern));
  ref::SyntheticContent synthetic(*pattern, problem);
  expectCellsMatchSchedule(pictures[0], ms::variantsOf(*module, spec)[0], 512,
                           0, synthetic.view());
}

TEST_F(MaskPngTest, NpyContentInEveryLayoutGivesTheSamePicture) {
  ms::SpecOp spec = lower(kTopkSpec);
  // Head 3 reads kv head 1; batch 0 is drawn.
  const int64_t length = 480, dim = 8, head = 3;
  std::vector<float> q = ref::normalRows(2 * 4 * length * dim, 1);
  std::vector<float> k = ref::normalRows(2 * 2 * length * dim, 2);
  auto slice = [&](const std::vector<float> &all, int64_t index) {
    auto begin = all.begin() + index * length * dim;
    return std::vector<float>(begin, begin + length * dim);
  };
  auto prefix = [&](const std::vector<float> &all, int64_t heads) {
    return std::vector<float>(all.begin(), all.begin() + heads * length * dim);
  };
  struct Layout {
    NpyArray q, k;
  } layouts[] = {
      {{{2, 4, length, dim}, q}, {{2, 2, length, dim}, k}},
      {{{4, length, dim}, prefix(q, 4)}, {{2, length, dim}, prefix(k, 2)}},
      {{{length, dim}, slice(q, head)}, {{length, dim}, slice(k, 1)}},
  };
  std::vector<std::vector<uint8_t>> images;
  for (const Layout &layout : layouts) {
    MaskPngOptions options;
    options.head = head;
    options.queryFile = path("q.npy");
    options.keyFile = path("k.npy");
    ASSERT_FALSE(
        llvm::errorToBool(::spattn::writeNpy(options.queryFile, layout.q)));
    ASSERT_FALSE(
        llvm::errorToBool(::spattn::writeNpy(options.keyFile, layout.k)));
    // Without --length the files' length is drawn.
    std::vector<MaskPicture> pictures = render(spec, options);
    ASSERT_EQ(pictures.size(), 1u);
    EXPECT_EQ(pictures[0].fileName, "topk_b0_L480_h3.png");
    images.push_back(pictures[0].image.bytes());
    std::vector<float> qRows = slice(q, head), kRows = slice(k, 1);
    expectCellsMatchSchedule(pictures[0], ms::variantsOf(*module, spec)[0],
                             length, head, {qRows.data(), kRows.data()});
  }
  EXPECT_EQ(images[0], images[1]);
  EXPECT_EQ(images[0], images[2]);
}

TEST(MaskPngColors, MaskedShadesDeepenWithTheKeptFraction) {
  auto lightness = [](png::Rgb c) { return int(c.r) + c.g + c.b; };
  const double fractions[] = {0.0, 0.01, 0.02, 0.05, 0.125, 0.25, 0.5, 1.0};
  for (size_t i = 0; i < std::size(fractions); ++i) {
    png::Rgb masked = formColor(TileForm::Masked, fractions[i]);
    if (i > 0) {
      EXPECT_LT(lightness(masked),
                lightness(formColor(TileForm::Masked, fractions[i - 1])))
          << fractions[i];
    }
    // Each form keeps its own hue; full tiles are solid.
    EXPECT_NE(formColor(TileForm::Gathered, fractions[i]), masked);
    EXPECT_EQ(formColor(TileForm::Full, fractions[i]),
              formColor(TileForm::Full, 1.0));
  }
  // Neither full nor skipped tiles look like any masked tile.
  for (png::Rgb other :
       {formColor(TileForm::Full, 1.0), ::spattn::skippedColor()}) {
    auto [lo, hi] = maskedFractionsOf(other);
    EXPECT_GT(lo, hi);
  }
}

TEST_F(MaskPngTest, StridedTilesAreShadedByOneOverTheStride) {
  // Not causal: every row keeps 8 of each tile's 64 keys.
  ms::SpecOp spec = lower(oneHeadSpec("buckets = array<i64: 256>",
                                      "  %s = arith.constant 8 : index\n"
                                      "  %p = spattn.strided %s\n"));
  std::vector<MaskPicture> pictures = render(spec, {});
  ASSERT_EQ(pictures.size(), 1u);
  for (int64_t row = 0; row < 4; ++row)
    for (int64_t col = 0; col < 4; ++col)
      EXPECT_EQ(cellPixel(pictures[0], row, col),
                formColor(TileForm::Masked, 1.0 / 8))
          << row << ", " << col;
}

TEST_F(MaskPngTest, TilesOfFewRowsAreMeasuredExactly) {
  // 8-row tiles: every row is sampled. A causal window of 3 keeps 1 + 2 +
  // 6 * 3 = 21 of the 64 pairs of a diagonal tile and 2 + 1 of the tile
  // before it.
  static_assert(::spattn::kSampledRowsPerTile >= 8);
  ms::SpecOp spec = lower(oneHeadSpec(
      "causal, buckets = array<i64: 32>, block_q = 8 : i64, block_k = 8 : i64",
      "  %w = arith.constant 3 : index\n  %p = spattn.window %w\n"));
  std::vector<MaskPicture> pictures = render(spec, {});
  ASSERT_EQ(pictures.size(), 1u);
  for (int64_t row = 0; row < 4; ++row)
    for (int64_t col = 0; col < 4; ++col) {
      png::Rgb expected = col == row ? formColor(TileForm::Masked, 21.0 / 64)
                          : col == row - 1
                              ? formColor(TileForm::Masked, 3.0 / 64)
                              : ::spattn::skippedColor();
      EXPECT_EQ(cellPixel(pictures[0], row, col), expected)
          << row << ", " << col;
    }
}

TEST_F(MaskPngTest, FullTilesAreSolidBesideShadedEdges) {
  // A causal window of 256 over 64-token tiles: query tile 5 sees tiles 2-4
  // whole, row r keeps r + 1 keys of tile 5 and 63 - r of tile 1. Those
  // counts are linear in r, so 8 evenly spaced rows give the exact mean.
  ms::SpecOp spec = lower(oneHeadSpec(
      "causal, buckets = array<i64: 1024>",
      "  %w = arith.constant 256 : index\n  %p = spattn.window %w\n"));
  std::vector<MaskPicture> pictures = render(spec, {});
  ASSERT_EQ(pictures.size(), 1u);
  const MaskPicture &picture = pictures[0];
  EXPECT_EQ(cellPixel(picture, 5, 0), ::spattn::skippedColor());
  EXPECT_EQ(cellPixel(picture, 5, 1), formColor(TileForm::Masked, 31.5 / 64));
  for (int64_t col = 2; col < 5; ++col)
    EXPECT_EQ(cellPixel(picture, 5, col), formColor(TileForm::Full, 1.0));
  EXPECT_EQ(cellPixel(picture, 5, 5), formColor(TileForm::Masked, 32.5 / 64));
  EXPECT_EQ(cellPixel(picture, 5, 6), ::spattn::skippedColor());
  expectCellsMatchSchedule(picture, ms::variantsOf(*module, spec)[0], 1024, 0,
                           {});
}

TEST_F(MaskPngTest, CellsOfSeveralTilesShowTheMeanOfTheirMaskedTiles) {
  // 4-token tiles at L = 8200: 2050 tiles a side, 2 x 2 tiles a cell, 4 rows
  // sampled per query tile, so every row. A causal window of 3 keeps 9/16 of
  // a diagonal tile and 3/16 of the tile before it: a diagonal cell averages
  // two diagonal tiles and one before (its fourth tile is skipped).
  ms::SpecOp spec = lower(oneHeadSpec(
      "causal, buckets = array<i64: 8200>, block_q = 4 : i64, "
      "block_k = 4 : i64",
      "  %w = arith.constant 3 : index\n  %p = spattn.window %w\n"));
  std::vector<MaskPicture> pictures = render(spec, {});
  ASSERT_EQ(pictures.size(), 1u);
  const MaskPicture &picture = pictures[0];
  ASSERT_EQ(picture.tilesPerCell, 2);
  for (int64_t row : {1, 500, 1024}) {
    EXPECT_EQ(cellPixel(picture, row, row),
              formColor(TileForm::Masked, (9.0 + 3.0 + 9.0) / 3 / 16));
    EXPECT_EQ(cellPixel(picture, row, row - 1),
              formColor(TileForm::Masked, 3.0 / 16));
  }
}

TEST_F(MaskPngTest, ShadesFollowTheReferenceMask) {
  // 64-row tiles, 8 rows sampled: each masked cell's shade is that of a
  // fraction near the exact one counted over every row of the tile.
  for (auto [source, length] : {std::pair(kWindowSpec, int64_t(1024)),
                                std::pair(kTopkSpec, int64_t(512))}) {
    ms::SpecOp spec = lower(source);
    MaskPngOptions options;
    options.length = length;
    std::vector<MaskPicture> pictures = render(spec, options);
    ASSERT_EQ(pictures.size(), 1u);
    ms::SpecEvaluator evaluator(spec);
    ref::AttentionProblem problem = evaluator.config().problem(length, length);
    FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(length);
    ASSERT_TRUE(succeeded(pattern));
    ref::SyntheticContent synthetic(*pattern, problem);
    ref::MaskEvaluator mask(*pattern, problem, 0, synthetic.view());
    ms::VariantOp variant = ms::variantsOf(*module, spec).back();
    const int64_t tileQ = variant.getBlockQ(), tileK = variant.getBlockK();
    const int64_t rows = length / tileQ, cols = length / tileK;
    std::vector<int64_t> kept(rows * cols);
    std::vector<uint8_t> keep;
    for (int64_t i = 0; i < length; ++i) {
      mask.row(i, keep);
      for (int64_t j = 0; j < length; ++j)
        kept[i / tileQ * cols + j / tileK] += keep[j];
    }
    int64_t masked = 0;
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t col = 0; col < cols; ++col) {
        auto [lo, hi] = maskedFractionsOf(cellPixel(pictures[0], row, col));
        if (lo > hi)
          continue;
        ++masked;
        double exact = double(kept[row * cols + col]) / (tileQ * tileK);
        EXPECT_LE(lo - 0.05, exact) << row << ", " << col;
        EXPECT_GE(hi + 0.05, exact) << row << ", " << col;
      }
    EXPECT_GT(masked, 0);
  }
}

TEST_F(MaskPngTest, RenderingIsDeterministic) {
  for (const char *source : {kWindowSpec, kTopkSpec}) {
    ms::SpecOp spec = lower(source);
    std::vector<MaskPicture> first = render(spec, {});
    std::vector<MaskPicture> second = render(spec, {});
    ASSERT_EQ(first.size(), second.size());
    for (auto [a, b] : llvm::zip(first, second))
      EXPECT_EQ(a.image.bytes(), b.image.bytes()) << a.fileName;
  }
}

TEST_F(MaskPngTest, BadOptionsAreErrorsAtTheSpec) {
  ms::SpecOp spec = lower(kWindowSpec);
  struct Case {
    std::optional<int64_t> length;
    int64_t head;
    std::string message;
  } cases[] = {
      {std::nullopt, 4, "--head 4 is out of range: @local has 4 query heads"},
      {std::nullopt, -1, "--head -1 is out of range"},
      {0, 0, "L = 0 is outside every bucket of @local (L in [1, 1024])"},
      {1025, 0, "L = 1025 is outside every bucket"},
  };
  for (const Case &c : cases) {
    MaskPngOptions options;
    options.length = c.length;
    options.head = c.head;
    std::string message = renderError(spec, options);
    EXPECT_NE(message.find(c.message), std::string::npos) << message;
  }
  MaskPngOptions options;
  options.queryFile = path("q.npy");
  EXPECT_NE(
      renderError(spec, options).find("--q and --k must be given together"),
      std::string::npos);
}

TEST_F(MaskPngTest, IllShapedNpyFilesAreErrors) {
  ms::SpecOp spec = lower(kWindowSpec); // head_dim 16, heads 4q / 2kv
  NpyArray good{{4, 64, 16}, std::vector<float>(4 * 64 * 16)};
  NpyArray goodK{{2, 64, 16}, std::vector<float>(2 * 64 * 16)};
  auto array = [](std::vector<int64_t> shape) {
    int64_t count = 1;
    for (int64_t dim : shape)
      count *= dim;
    return NpyArray{shape, std::vector<float>(count)};
  };
  struct Case {
    NpyArray q, k;
    std::optional<int64_t> length;
    std::string message;
  } cases[] = {
      {array({64 * 16}), goodK, std::nullopt,
       "--q " + path("q.npy") +
           ": shape [1024] is not [B, 4, L, 16], [4, L, 16] or [L, 16]"},
      {array({1, 1, 4, 64, 16}), goodK, std::nullopt,
       "shape [1, 1, 4, 64, 16]"},
      {array({4, 64, 8}), goodK, std::nullopt, "shape [4, 64, 8] is not"},
      {array({3, 64, 16}), goodK, std::nullopt, "shape [3, 64, 16] is not"},
      {array({0, 4, 64, 16}), goodK, std::nullopt, "shape [0, 4, 64, 16]"},
      {array({4, 0, 16}), goodK, std::nullopt, "shape [4, 0, 16] is not"},
      {good, array({4, 64, 16}), std::nullopt,
       "--k " + path("k.npy") +
           ": shape [4, 64, 16] is not [B, 2, L, 16], [2, L, 16] or [L, 16]"},
      {good, array({2, 65, 16}), std::nullopt,
       "--q has length 64 but --k has length 65; masks are drawn at Lq = Lk"},
      {good, goodK, 65, "--q and --k have length 64 but --length is 65"},
      {array({4, 2048, 16}), array({2, 2048, 16}), std::nullopt,
       "L = 2048 is outside every bucket of @local"},
  };
  for (const Case &c : cases) {
    MaskPngOptions options;
    options.length = c.length;
    options.queryFile = path("q.npy");
    options.keyFile = path("k.npy");
    ASSERT_FALSE(llvm::errorToBool(::spattn::writeNpy(options.queryFile, c.q)));
    ASSERT_FALSE(llvm::errorToBool(::spattn::writeNpy(options.keyFile, c.k)));
    std::string message = renderError(spec, options);
    EXPECT_NE(message.find(c.message), std::string::npos) << message;
  }

  MaskPngOptions options;
  options.queryFile = path("missing.npy");
  options.keyFile = path("k.npy");
  EXPECT_NE(renderError(spec, options)
                .find("--q " + path("missing.npy") + ": cannot read"),
            std::string::npos);
}

TEST_F(MaskPngTest, WritesEveryFileOrNone) {
  ms::SpecOp spec = lower(kWindowSpec);
  MaskPngOptions options;
  options.outputDir = path("nested/out");
  std::string listing;
  llvm::raw_string_ostream os(listing);
  ASSERT_TRUE(succeeded(::spattn::writeMaskPngs(*module, {spec}, options, os)));
  std::string first = path("nested/out/local_b0_L256_h0.png");
  std::string second = path("nested/out/local_b1_L1024_h0.png");
  EXPECT_EQ(listing, first + "\n" + second + "\n");
  EXPECT_TRUE(llvm::sys::fs::exists(first));
  EXPECT_TRUE(llvm::sys::fs::exists(second));

  // A bad head fails before anything is written.
  options.outputDir = path("bad");
  options.head = 9;
  EXPECT_TRUE(failed(::spattn::writeMaskPngs(*module, {spec}, options, os)));
  EXPECT_FALSE(llvm::sys::fs::exists(path("bad")));

  // An output "directory" that is a file cannot be created.
  options.head = 0;
  options.outputDir = first;
  diagnostics.clear();
  EXPECT_TRUE(failed(::spattn::writeMaskPngs(*module, {spec}, options, os)));
  EXPECT_NE(
      joinedDiagnostics().find("cannot create " + first + ": Not a directory"),
      std::string::npos)
      << joinedDiagnostics();

  // The second file cannot be written (a directory is in the way): the
  // first one, already written, is removed again.
  options.outputDir = path("blocked");
  ASSERT_FALSE(
      llvm::sys::fs::create_directories(path("blocked/local_b1_L1024_h0.png")));
  diagnostics.clear();
  EXPECT_TRUE(failed(::spattn::writeMaskPngs(*module, {spec}, options, os)));
  EXPECT_NE(joinedDiagnostics().find("cannot write '" +
                                     path("blocked/local_b1_L1024_h0.png")),
            std::string::npos)
      << joinedDiagnostics();
  EXPECT_FALSE(llvm::sys::fs::exists(path("blocked/local_b0_L256_h0.png")));
  std::error_code ec;
  int entries = 0; // no temporary file is left behind either
  for (llvm::sys::fs::directory_iterator it(path("blocked"), ec), end;
       !ec && it != end; it.increment(ec))
    ++entries;
  EXPECT_EQ(entries, 1);
  EXPECT_EQ(listing, first + "\n" + second + "\n");
}

} // namespace
