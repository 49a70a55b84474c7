//===- MaskPng.h - spattn-compile --emit=mask-png ---------------*- C++ -*-===//
//
// Draws the block schedule of each bucket as a picture: one square per
// (query tile, key tile), full, partial and skipped tiles in three colours,
// under a legend with the spec, bucket, L, head, density and budget values.
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
};

/// The colour of full, partial and skipped tiles.
png::Rgb tileColor(core::TileKind kind);

/// One rendered picture and the file name it is written under. Tile (q, k)
/// (q counted from the first query tile) is drawn in the cell whose top-left
/// pixel is (maskLeft + (k / tilesPerCell) * cellSize,
/// maskTop + (q / tilesPerCell) * cellSize).
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
