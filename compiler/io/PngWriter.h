//===- PngWriter.h - RGB images, simple drawing, PNG output -----*- C++ -*-===//
//
// An 8-bit RGB raster with the few drawing operations diagnostic pictures
// need (filled rectangles, text in an embedded 5x9 bitmap font), encoded to
// PNG with libpng. Drawing clips to the image, so callers never index out
// of bounds.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_LIB_PNGWRITER_H
#define SPATTN_COMPILER_LIB_PNGWRITER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace spattn::png {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb &o) const {
    return r == o.r && g == o.g && b == o.b;
  }
  bool operator!=(const Rgb &o) const { return !(*this == o); }
};

/// The embedded font: every glyph is 5 pixels wide and 9 tall (7 above the
/// baseline, 2 for descenders), drawn `scale` screen pixels per font pixel
/// with one font pixel between glyphs. Printable ASCII is covered; any
/// other byte draws as '?'.
constexpr int64_t kGlyphWidth = 5, kGlyphHeight = 9, kGlyphAdvance = 6;

/// Width in pixels of `text` drawn at `scale` (no trailing spacing).
int64_t textWidth(llvm::StringRef text, int64_t scale);
/// Height in pixels of one line of text drawn at `scale`.
inline int64_t textHeight(int64_t scale) { return kGlyphHeight * scale; }
/// The rows of glyph `c`, bit 4 the leftmost column (for tests).
const uint8_t *glyphRows(char c);

class Image {
public:
  Image(int64_t width, int64_t height, Rgb background);

  int64_t width() const { return w; }
  int64_t height() const { return h; }
  Rgb pixel(int64_t x, int64_t y) const;
  /// Packed rows of r, g, b bytes, top row first.
  const std::vector<uint8_t> &bytes() const { return pixels; }

  void setPixel(int64_t x, int64_t y, Rgb color);
  /// Fills [x, x + width) x [y, y + height), clipped to the image.
  void fillRect(int64_t x, int64_t y, int64_t width, int64_t height, Rgb color);
  /// Draws a one-pixel outline just outside [x, x + width) x [y, y + height).
  void frameRect(int64_t x, int64_t y, int64_t width, int64_t height,
                 Rgb color);
  /// Draws `text` with its top-left corner at (x, y); returns its width.
  int64_t drawText(int64_t x, int64_t y, llvm::StringRef text, Rgb color,
                   int64_t scale);

private:
  int64_t w, h;
  std::vector<uint8_t> pixels;
};

/// The image as PNG file bytes.
llvm::Expected<std::vector<uint8_t>> encodePng(const Image &image);
/// Writes the image as a PNG file (atomically: a failed write leaves no
/// file behind).
llvm::Error writePng(llvm::StringRef path, const Image &image);

} // namespace spattn::png

#endif
