//===- MaskPng.cpp - spattn-compile --emit=mask-png -----------------------===//
//
// Each picture is the schedule the variant runs at one call (Lq = Lk = L,
// one query head): the ScheduleEvaluator's key-tile ranges per query tile,
// drawn one square per tile, masked tiles shaded by how much of them the
// reference mask keeps. The mask is scaled to at least kMinSide pixels a
// side; past kMaxSide tiles a side, one pixel covers several tiles and shows
// the strongest kind among them (full over partial over skipped).
//
//===----------------------------------------------------------------------===//
#include "compiler/spattn-compile/MaskPng.h"

#include "compiler/io/Npy.h"
#include "dialects/SpAttn/Eval/ScheduleEvaluator.h"
#include "dialects/SpAttn/Eval/SpecEvaluator.h"
#include "reference/Density.h"
#include "reference/Mask.h"
#include "passes/Passes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::spattn;
using core::TileKind;

namespace spattn {

namespace {

constexpr png::Rgb kFullColor{31, 78, 156}; // dark blue
// Masked tiles: pale peach (nothing kept) to deep orange (everything kept).
constexpr png::Rgb kMaskedPale{254, 230, 206}, kMaskedColor{217, 72, 1};
// Gathered tiles: pale to deep green.
constexpr png::Rgb kGatheredPale{224, 243, 219}, kGatheredColor{0, 109, 44};
constexpr png::Rgb kSkippedColor{226, 226, 226};
constexpr png::Rgb kBackground{255, 255, 255};
constexpr png::Rgb kInk{30, 30, 30};
constexpr png::Rgb kFrameColor{120, 120, 120};
constexpr int64_t kMinSide = 512, kMaxSide = 2048, kMargin = 16;
/// Cells at least this large get a one-pixel gap so single tiles stand out.
constexpr int64_t kGridLineCell = 6;
/// Shaded swatches in the key are this many plain swatches wide.
constexpr int64_t kRampSwatches = 4;

/// `pale` at fraction 0 to `saturated` at 1. The square root spreads the
/// few-percent fractions of sparse patterns over a visible part of the ramp.
png::Rgb shade(png::Rgb pale, png::Rgb saturated, double fraction) {
  double t = std::sqrt(std::clamp(fraction, 0.0, 1.0));
  auto mix = [t](uint8_t from, uint8_t to) {
    return uint8_t(std::lround(from + (to - from) * t));
  };
  return {mix(pale.r, saturated.r), mix(pale.g, saturated.g),
          mix(pale.b, saturated.b)};
}

StringRef formName(TileForm form) {
  switch (form) {
  case TileForm::Full:
    return "full";
  case TileForm::Masked:
    return "masked";
  case TileForm::Gathered:
    return "gathered";
  }
  llvm_unreachable("unknown tile form");
}

/// Q and K read from --q / --k, checked against the spec.
struct FileContent {
  NpyArray q, k;
  int64_t length = 0;

  /// Rows of query head `head` (batch 0) and of its kv head.
  ref::HeadContent view(const ref::AttentionProblem &problem,
                        int64_t head) const {
    return {rowsOf(q, head, problem.headDim),
            rowsOf(k, problem.kvHeadOf(head), problem.headDim)};
  }

private:
  const float *rowsOf(const NpyArray &array, int64_t head, int64_t dim) const {
    if (array.shape.size() == 2)
      return array.data.data();
    return array.data.data() + head * length * dim;
  }
};

/// Checks one tensor: [B, H, L, D] (B >= 1), [H, L, D] or [L, D] with H the
/// spec's head count for it and D its head_dim.
LogicalResult checkShape(SpecOp spec, StringRef flag, StringRef path,
                         const NpyArray &array, int64_t heads, int64_t dim) {
  const std::vector<int64_t> &shape = array.shape;
  size_t rank = shape.size();
  bool ok = rank >= 2 && rank <= 4 && shape[rank - 1] == dim &&
            shape[rank - 2] >= 1 && (rank < 3 || shape[rank - 3] == heads) &&
            (rank < 4 || shape[0] >= 1);
  if (ok)
    return success();
  return spec.emitError() << flag << " " << path << ": shape "
                          << shapeText(shape) << " is not [B, " << heads
                          << ", L, " << dim << "], [" << heads << ", L, " << dim
                          << "] or [L, " << dim << "] for @"
                          << spec.getSymName();
}

FailureOr<NpyArray> loadTensor(SpecOp spec, StringRef flag, StringRef path,
                               int64_t heads, int64_t dim) {
  llvm::Expected<NpyArray> array = readNpy(path);
  if (!array)
    return spec.emitError() << flag << " " << llvm::toString(array.takeError());
  if (failed(checkShape(spec, flag, path, *array, heads, dim)))
    return failure();
  return std::move(*array);
}

FailureOr<FileContent> loadContent(SpecOp spec, const SpecConfig &config,
                                   const MaskPngOptions &options) {
  FailureOr<NpyArray> q = loadTensor(spec, "--q", options.queryFile,
                                     config.numQHeads, config.headDim);
  if (failed(q))
    return failure();
  FailureOr<NpyArray> k = loadTensor(spec, "--k", options.keyFile,
                                     config.numKVHeads, config.headDim);
  if (failed(k))
    return failure();
  int64_t queryLength = q->shape[q->shape.size() - 2];
  int64_t keyLength = k->shape[k->shape.size() - 2];
  if (queryLength != keyLength)
    return spec.emitError()
           << "--q has length " << queryLength << " but --k has length "
           << keyLength << "; masks are drawn at Lq = Lk";
  if (options.length && *options.length != queryLength)
    return spec.emitError() << "--q and --k have length " << queryLength
                            << " but --length is " << *options.length;
  return FileContent{std::move(*q), std::move(*k), queryLength};
}

/// Kept fractions of masked tiles, estimated from evenly spaced present
/// rows of their query tile, since one row of the mask costs O(Lk).
class KeptSampler {
public:
  KeptSampler(const ref::Pattern &pattern, const ref::AttentionProblem &problem,
              int64_t head, ref::HeadContent content, int64_t tileQ,
              int64_t tileK)
      : mask(pattern, problem, head, content), problem(problem), tileQ(tileQ),
        tileK(tileK) {}

  /// Kept over all pairs of each partial tile of `ranges` (in order), from up
  /// to `maxRows` rows of query tile `queryTile`: first and last included,
  /// every row when the tile has no more, the middle one when maxRows is 1.
  std::vector<double> partialFractions(int64_t queryTile,
                                       const core::TileRanges &ranges,
                                       int64_t maxRows) {
    std::vector<int64_t> kept(core::countTiles(ranges, TileKind::Partial));
    if (kept.empty())
      return {};
    int64_t firstRow = problem.keyLength - problem.queryLength;
    int64_t lo = std::max(queryTile * tileQ, firstRow);
    int64_t present = std::min((queryTile + 1) * tileQ, problem.keyLength) - lo;
    int64_t rows = std::min(present, maxRows);
    for (int64_t r = 0; r < rows; ++r) {
      int64_t offset =
          rows == 1 ? (present - 1) / 2 : r * (present - 1) / (rows - 1);
      mask.row(lo + offset - firstRow, keep);
      int64_t *tile = kept.data();
      forEachPartialTile(ranges, [&](int64_t c) {
        *tile++ += std::count(keep.begin() + c * tileK,
                              keep.begin() + keysEnd(c), uint8_t{1});
      });
    }
    std::vector<double> fractions;
    forEachPartialTile(ranges, [&](int64_t c) {
      double pairs = double(rows) * double(keysEnd(c) - c * tileK);
      fractions.push_back(double(kept[fractions.size()]) / pairs);
    });
    return fractions;
  }

private:
  int64_t keysEnd(int64_t keyTile) const {
    return std::min((keyTile + 1) * tileK, problem.keyLength);
  }
  template <typename Visit>
  static void forEachPartialTile(const core::TileRanges &ranges, Visit visit) {
    for (const core::TileRange &range : ranges)
      if (range.kind == TileKind::Partial)
        for (int64_t c = range.lo; c < range.hi; ++c)
          visit(c);
  }

  ref::MaskEvaluator mask;
  ref::AttentionProblem problem;
  int64_t tileQ, tileK;
  std::vector<uint8_t> keep;
};

/// One cell of the picture: the strongest kind among its tiles and the sum
/// of the kept fractions of its masked tiles.
struct Cell {
  TileKind kind = TileKind::Skipped;
  uint32_t maskedTiles = 0;
  float keptSum = 0;
};

png::Rgb cellColor(const Cell &cell) {
  switch (cell.kind) {
  case TileKind::Full:
    return formColor(TileForm::Full, 1.0);
  case TileKind::Partial:
    return formColor(TileForm::Masked, cell.keptSum / cell.maskedTiles);
  case TileKind::Skipped:
    return kSkippedColor;
  }
  llvm_unreachable("unknown tile kind");
}

/// The schedule of one call, one cell per `factor` x `factor` tiles.
struct TileGrid {
  int64_t queryTiles = 0, keyTiles = 0, factor = 1;
  int64_t rows = 0, cols = 0; // cells
  /// Rows sampled per query tile at most: a cell row gets about
  /// kSampledRowsPerTile whatever the factor, so the cost stays bounded.
  int64_t sampledRows = kSampledRowsPerTile;
  std::vector<Cell> cells;
  int64_t full = 0, masked = 0;
  double maskedKeptSum = 0; // over every masked tile

  Cell &cell(int64_t row, int64_t col) { return cells[row * cols + col]; }
};

TileGrid collectTiles(ScheduleEvaluator &schedule, KeptSampler &sampler) {
  TileGrid grid;
  int64_t first = schedule.firstQueryTile();
  grid.queryTiles = schedule.endQueryTile() - first;
  grid.keyTiles = schedule.numKeyTiles();
  grid.factor =
      llvm::divideCeil(std::max(grid.queryTiles, grid.keyTiles), kMaxSide);
  grid.rows = llvm::divideCeil(grid.queryTiles, grid.factor);
  grid.cols = llvm::divideCeil(grid.keyTiles, grid.factor);
  grid.sampledRows = llvm::divideCeil(kSampledRowsPerTile, grid.factor);
  grid.cells.resize(grid.rows * grid.cols);
  for (int64_t q = 0; q < grid.queryTiles; ++q) {
    core::TileRanges ranges = schedule.tileRanges(first + q);
    std::vector<double> fractions =
        sampler.partialFractions(first + q, ranges, grid.sampledRows);
    const double *fraction = fractions.data();
    for (const core::TileRange &range : ranges)
      for (int64_t k = range.lo; k < range.hi; ++k) {
        Cell &cell = grid.cell(q / grid.factor, k / grid.factor);
        cell.kind = std::max(cell.kind, range.kind);
        if (range.kind == TileKind::Full) {
          ++grid.full;
          continue;
        }
        ++grid.masked;
        ++cell.maskedTiles;
        cell.keptSum += *fraction;
        grid.maskedKeptSum += *fraction++;
      }
  }
  return grid;
}

/// Splits `text` at spaces into lines of at most `width` characters (a
/// longer word gets a line of its own).
std::vector<std::string> wrapWords(StringRef text, size_t width) {
  std::vector<std::string> lines;
  llvm::SmallVector<StringRef> words;
  text.split(words, ' ', -1, /*KeepEmpty=*/false);
  for (StringRef word : words) {
    if (!lines.empty() && lines.back().size() + 1 + word.size() <= width)
      lines.back() += " " + word.str();
    else
      lines.push_back(word.str());
  }
  return lines;
}

/// One entry of the colour key: a tile form (none for skipped tiles) that
/// occurs, with its tile count.
struct KeyEntry {
  std::optional<TileForm> form;
  int64_t tiles = 0;

  std::string label() const {
    return (form ? formName(*form).str() : "skipped") + " " +
           std::to_string(tiles);
  }
  /// Masked and gathered swatches show their whole ramp, pale to saturated.
  bool shaded() const { return form && *form != TileForm::Full; }
  png::Rgb color(double fraction) const {
    return form ? formColor(*form, fraction) : kSkippedColor;
  }
};

/// The forms of the key with at least one tile, in reading order.
std::vector<KeyEntry> keyEntries(const TileGrid &grid) {
  int64_t skipped = grid.queryTiles * grid.keyTiles - grid.full - grid.masked;
  std::vector<KeyEntry> entries;
  for (KeyEntry entry : {KeyEntry{TileForm::Full, grid.full},
                         KeyEntry{TileForm::Masked, grid.masked},
                         KeyEntry{std::nullopt, skipped}})
    if (entry.tiles > 0)
      entries.push_back(entry);
  return entries;
}

/// Lays out the colour key in one line of text at `scale`.
struct KeyLayout {
  int64_t scale, swatch, swatchGap, entryGap;

  explicit KeyLayout(int64_t scale)
      : scale(scale), swatch(png::textHeight(scale) - 2 * scale),
        swatchGap(4 * scale), entryGap(12 * scale) {}

  int64_t swatchWidth(const KeyEntry &entry) const {
    return entry.shaded() ? kRampSwatches * swatch : swatch;
  }
  int64_t width(ArrayRef<KeyEntry> entries) const {
    int64_t total = 0;
    for (const KeyEntry &entry : entries)
      total += swatchWidth(entry) + swatchGap +
               png::textWidth(entry.label(), scale) + entryGap;
    return total;
  }
  void draw(png::Image &image, int64_t x, int64_t y,
            ArrayRef<KeyEntry> entries) const {
    for (const KeyEntry &entry : entries) {
      int64_t w = swatchWidth(entry);
      for (int64_t dx = 0; dx < w; ++dx)
        image.fillRect(x + dx, y + scale, 1, swatch,
                       entry.color(w == 1 ? 1.0 : double(dx) / (w - 1)));
      image.frameRect(x, y + scale, w, swatch, kFrameColor);
      x += w + swatchGap;
      x += image.drawText(x, y, entry.label(), kInk, scale) + entryGap;
    }
  }
};

/// Draws the mask under `legend` and the colour key. The first paragraph of
/// the legend stays on one line (the picture widens if needed); the others
/// wrap to the picture's width.
MaskPicture drawPicture(const TileGrid &grid, ArrayRef<std::string> legend) {
  int64_t cells = std::max(grid.rows, grid.cols);
  int64_t cellSize =
      std::clamp<int64_t>(llvm::divideCeil(kMinSide, cells), 1,
                          std::max<int64_t>(kMaxSide / cells, 1));
  int64_t maskWidth = grid.cols * cellSize, maskHeight = grid.rows * cellSize;
  int64_t scale = std::max(maskWidth, maskHeight) >= 1024 ? 3 : 2;
  int64_t lineHeight = png::textHeight(scale) + 3 * scale;
  KeyLayout key(scale);
  std::vector<KeyEntry> entries = keyEntries(grid);

  int64_t width = std::max({maskWidth, key.width(entries),
                            png::textWidth(legend.front(), scale)}) +
                  2 * kMargin;
  size_t charsPerLine =
      (width - 2 * kMargin + scale) / (png::kGlyphAdvance * scale);
  std::vector<std::string> lines = {legend.front()};
  for (const std::string &paragraph : legend.drop_front())
    for (std::string &line : wrapWords(paragraph, charsPerLine))
      lines.push_back(std::move(line));
  int64_t maskTop =
      kMargin + (int64_t(lines.size()) + 1) * lineHeight + kMargin;
  png::Image image(width, maskTop + maskHeight + kMargin, kBackground);

  int64_t y = kMargin;
  for (const std::string &line : lines) {
    image.drawText(kMargin, y, line, kInk, scale);
    y += lineHeight;
  }
  key.draw(image, kMargin, y, entries);

  int64_t fill = cellSize >= kGridLineCell ? cellSize - 1 : cellSize;
  for (int64_t row = 0; row < grid.rows; ++row)
    for (int64_t col = 0; col < grid.cols; ++col)
      image.fillRect(kMargin + col * cellSize, maskTop + row * cellSize, fill,
                     fill, cellColor(grid.cells[row * grid.cols + col]));
  image.frameRect(kMargin, maskTop, maskWidth, maskHeight, kFrameColor);

  MaskPicture picture{"", std::move(image)};
  picture.maskLeft = kMargin;
  picture.maskTop = maskTop;
  picture.cellSize = cellSize;
  picture.tilesPerCell = grid.factor;
  return picture;
}

/// The density, what masked tiles keep, and how the shades were measured.
std::string keptSummary(const TileGrid &grid, double density) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "overall density " << llvm::format("%.2f%%", 100 * density);
  if (grid.masked == 0)
    return text + ", no masked tiles";
  os << ", masked tiles keep "
     << llvm::format("%.1f%%", 100 * grid.maskedKeptSum / grid.masked)
     << " of their pairs on average.";
  if (grid.full > 0)
    os << " Full tiles run unmasked.";
  os << " Masked tiles test every pair, shaded by the fraction kept (pale 0%, "
        "saturated 100%; from up to "
     << grid.sampledRows << " evenly spaced rows per query tile)";
  return text;
}

/// Renders one variant at length L.
FailureOr<MaskPicture> renderVariant(SpecEvaluator &evaluator,
                                     VariantOp variant, int64_t length,
                                     const MaskPngOptions &options,
                                     const FileContent *files) {
  const SpecConfig &config = evaluator.config();
  std::vector<int64_t> request = config.requestMax;
  if (!options.request.empty()) {
    llvm::Expected<std::vector<int64_t>> given =
        config.requestFromAssignments(options.request);
    if (!given)
      return variant.emitError() << llvm::toString(given.takeError());
    request = std::move(*given);
  }
  FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(length, request);
  if (failed(pattern))
    return failure();
  FailureOr<std::vector<int64_t>> budgets =
      evaluator.evaluateBudgets(length, request);
  if (failed(budgets))
    return failure();

  ref::AttentionProblem problem = config.problem(length, length);
  // Synthetic rows are only made when there are no files (and the pattern
  // reads content at all).
  std::optional<ref::SyntheticContent> synthetic;
  if (!files)
    synthetic.emplace(*pattern, problem);
  ref::HeadContent content =
      files ? files->view(problem, options.head) : synthetic->view();

  ScheduleEvaluator schedule(variant);
  if (failed(schedule.bind(problem, options.head, content, request)))
    return failure();
  KeptSampler sampler(*pattern, problem, options.head, content,
                      schedule.blockQ(), schedule.blockK());
  TileGrid grid = collectTiles(schedule, sampler);

  // Who and where; the budgets at this L; how to read the picture; why it
  // runs as fast as it does.
  std::string legend[4];
  llvm::raw_string_ostream title(legend[0]);
  title << "@" << config.name << " bucket " << variant.getBucket()
        << " L=" << length << " head " << options.head;
  llvm::raw_string_ostream budgetValues(legend[1]);
  for (auto [k, value] : llvm::enumerate(request))
    budgetValues << config.requestNames[k] << "=" << value << " ";
  for (auto [site, value] : llvm::zip(evaluator.budgets(), *budgets))
    budgetValues << site.label << "=" << value << " ";
  llvm::raw_string_ostream detail(legend[2]);
  detail << "rows: " << grid.queryTiles
         << " query tiles, columns: " << grid.keyTiles << " key tiles, tile "
         << schedule.blockQ() << "x" << schedule.blockK() << ", strategy "
         << variant.getStrategy();
  if (pattern->needsContent())
    detail << ", Q/K " << (files ? "from --q/--k" : "synthetic (seed 0)");
  if (grid.factor > 1)
    detail << "; 1 px = " << grid.factor << "x" << grid.factor
           << " tiles, strongest kind shown, masked ones shaded by their mean";
  legend[3] = keptSummary(
      grid, ref::keptFraction(*pattern, problem, options.head, content));

  MaskPicture picture = drawPicture(grid, legend);
  picture.fileName =
      (config.name + "_b" + llvm::Twine(variant.getBucket()) + "_L" +
       llvm::Twine(length) + "_h" + llvm::Twine(options.head) + ".png")
          .str();
  return picture;
}

} // namespace

png::Rgb formColor(TileForm form, double keptFraction) {
  switch (form) {
  case TileForm::Full:
    return kFullColor;
  case TileForm::Masked:
    return shade(kMaskedPale, kMaskedColor, keptFraction);
  case TileForm::Gathered:
    return shade(kGatheredPale, kGatheredColor, keptFraction);
  }
  llvm_unreachable("unknown tile form");
}

png::Rgb skippedColor() { return kSkippedColor; }

FailureOr<std::vector<MaskPicture>>
renderMaskPngs(ModuleOp lowered, SpecOp spec, const MaskPngOptions &options) {
  SpecEvaluator evaluator(spec);
  const SpecConfig &config = evaluator.config();
  if (options.head < 0 || options.head >= config.numQHeads)
    return spec.emitError()
           << "--head " << options.head << " is out of range: @" << config.name
           << " has " << config.numQHeads << " query heads";
  if (options.queryFile.empty() != options.keyFile.empty())
    return spec.emitError() << "--q and --k must be given together";

  std::optional<FileContent> files;
  std::optional<int64_t> length = options.length;
  if (!options.queryFile.empty()) {
    FailureOr<FileContent> loaded = loadContent(spec, config, options);
    if (failed(loaded))
      return failure();
    files = std::move(*loaded);
    length = files->length;
  }

  SmallVector<VariantOp> variants = variantsOf(lowered, spec);
  if (length) {
    llvm::erase_if(variants, [&](VariantOp variant) {
      return *length < int64_t(variant.getLo()) ||
             *length > int64_t(variant.getHi());
    });
    if (variants.empty())
      return spec.emitError()
             << "L = " << *length << " is outside every bucket of @"
             << config.name << " (L in [1, " << config.buckets.back() << "])";
  }

  std::vector<MaskPicture> pictures;
  for (VariantOp variant : variants) {
    FailureOr<MaskPicture> picture =
        renderVariant(evaluator, variant, length.value_or(variant.getHi()),
                      options, files ? &*files : nullptr);
    if (failed(picture))
      return failure();
    pictures.push_back(std::move(*picture));
  }
  return pictures;
}

LogicalResult writeMaskPngs(ModuleOp lowered, ArrayRef<SpecOp> specs,
                            const MaskPngOptions &options,
                            llvm::raw_ostream &listing) {
  std::vector<MaskPicture> pictures;
  for (SpecOp spec : specs) {
    FailureOr<std::vector<MaskPicture>> rendered =
        renderMaskPngs(lowered, spec, options);
    if (failed(rendered))
      return failure();
    std::move(rendered->begin(), rendered->end(), std::back_inserter(pictures));
  }

  Location where = lowered.getLoc();
  if (!specs.empty())
    where = SpecOp(specs.front()).getLoc();
  std::error_code ec = llvm::sys::fs::create_directories(options.outputDir);
  if (!ec && !llvm::sys::fs::is_directory(options.outputDir))
    ec = std::make_error_code(std::errc::not_a_directory);
  if (ec)
    return emitError(where)
           << "cannot create " << options.outputDir << ": " << ec.message();
  std::vector<std::string> written;
  for (const MaskPicture &picture : pictures) {
    llvm::SmallString<256> path(options.outputDir);
    llvm::sys::path::append(path, picture.fileName);
    if (llvm::Error error = png::writePng(path, picture.image)) {
      for (const std::string &file : written)
        llvm::sys::fs::remove(file);
      return emitError(where) << llvm::toString(std::move(error));
    }
    written.push_back(std::string(path));
  }
  for (const std::string &file : written)
    listing << file << "\n";
  return success();
}

} // namespace spattn
