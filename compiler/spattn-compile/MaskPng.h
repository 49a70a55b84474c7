//===- MaskPng.h - spattn-compile --emit=mask-png ---------------*- C++ -*-===//
//
// Draws the block schedule of each bucket as a picture: one square per
// (query tile, key tile) coloured by how the CPU runs it (full tiles solid,
// masked tiles shaded by the fraction of their pairs the mask keeps, skipped
// tiles grey), under a legend with the spec, bucket, L, head, budget values,
// density and the mean kept fraction of masked tiles.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_COMPILE_MASKPNG_H
#define SPATTN_COMPILER_SPATTN_COMPILE_MASKPNG_H

#include "compiler/io/PngWriter.h"
#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "core/TileRanges.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace spattn {

struct MaskPngOptions {
  /// Where the pictures go; created if missing.
  std::string outputDir;
  /// Draw only the bucket serving this L, at this L. Without it: every
  /// bucket at its upper length, or at the length of --q/--k when given.
  std::optional<int64_t> length;
  /// The query head drawn.
  int64_t head = 0;
  /// .npy files with Q and K ([B, H, L, D], [H, L, D] or [L, D], float32)
  /// for content-based patterns; both or neither. Without them the content
  /// is the summary's synthetic standard-normal Q and K.
  std::string queryFile, keyFile;
  /// Request parameter values as "name=value"; empty: each parameter at the
  /// top of its range (the most the spec keeps, for a monotone budget).
  std::vector<std::string> request;
};

/// How the CPU runs a kept tile: full tiles without a mask, partial tiles
/// (core::TileKind::Partial) masked pair by pair. Gathered (the kept
/// scattered columns packed into a dense panel) has a colour but no tile is
/// classified as gathered yet.
enum class TileForm { Full, Masked, Gathered };

/// The colour of a tile run as `form` that keeps `keptFraction` (in [0, 1])
/// of its pairs: solid for full tiles; masked and gathered tiles go from a
/// pale tint (0) to their saturated hue (1) on a square-root scale.
png::Rgb formColor(TileForm form, double keptFraction);
/// The colour of skipped tiles.
png::Rgb skippedColor();

/// Kept fractions are estimated from at most this many evenly spaced present
/// rows per query tile (first and last included), divided among the query
/// tiles of a cell when a cell covers several.
constexpr int64_t kSampledRowsPerTile = 8;

/// One rendered picture and the file name it is written under. Tile (q, k)
/// (q counted from the first query tile) is drawn in the cell whose top-left
/// pixel is (maskLeft + (k / tilesPerCell) * cellSize,
/// maskTop + (q / tilesPerCell) * cellSize). A cell shows the strongest kind
/// among its tiles (full over partial over skipped); a masked cell is shaded
/// by the mean kept fraction of its masked tiles.
struct MaskPicture {
  std::string fileName; // <spec>_b<bucket>_L<L>_h<head>.png
  png::Image image;
  int64_t maskLeft = 0, maskTop = 0, cellSize = 1, tilesPerCell = 1;
};

/// The pictures of `spec` (a spec of `lowered`, after lowerToSchedules).
/// Emits a located diagnostic and fails on a bad option or input.
mlir::FailureOr<std::vector<MaskPicture>>
renderMaskPngs(mlir::ModuleOp lowered, mlir::spattn::SpecOp spec,
               const MaskPngOptions &options);

/// Renders the pictures of every spec in `specs`, then writes them to
/// options.outputDir and prints each path written, one per line, to
/// `listing`. Nothing is written unless every picture renders, and a failed
/// write removes the files written before it.
mlir::LogicalResult writeMaskPngs(mlir::ModuleOp lowered,
                                  llvm::ArrayRef<mlir::spattn::SpecOp> specs,
                                  const MaskPngOptions &options,
                                  llvm::raw_ostream &listing);

} // namespace spattn

#endif
