//===- PngWriterTest.cpp - Images, the bitmap font and PNG output ---------===//
#include "compiler/io/PngWriter.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cstring>
#include <set>

using namespace spattn::png;

namespace {

constexpr Rgb kWhite{255, 255, 255}, kRed{200, 30, 10}, kBlue{10, 40, 220};

/// Decodes a PNG file with libpng into packed RGB rows.
bool readPng(const std::string &file, int64_t &width, int64_t &height,
             std::vector<uint8_t> &rgb) {
  png_image info;
  std::memset(&info, 0, sizeof(info));
  info.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&info, file.c_str()))
    return false;
  info.format = PNG_FORMAT_RGB;
  width = info.width;
  height = info.height;
  rgb.resize(PNG_IMAGE_SIZE(info));
  return png_image_finish_read(&info, nullptr, rgb.data(), 0, nullptr);
}

TEST(PngWriterTest, WritesAPngThatLibpngReadsBack) {
  Image image(7, 5, kWhite);
  image.fillRect(1, 1, 3, 2, kRed);
  image.setPixel(6, 4, kBlue);

  llvm::SmallString<128> file;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("png-test", "png", file));
  ASSERT_FALSE(llvm::errorToBool(writePng(file, image)));

  auto buffer = llvm::MemoryBuffer::getFile(file);
  ASSERT_TRUE(bool(buffer));
  EXPECT_TRUE((*buffer)->getBuffer().starts_with("\x89PNG\r\n\x1a\n"));

  int64_t width = 0, height = 0;
  std::vector<uint8_t> rgb;
  ASSERT_TRUE(readPng(std::string(file), width, height, rgb));
  llvm::sys::fs::remove(file);
  EXPECT_EQ(width, 7);
  EXPECT_EQ(height, 5);
  EXPECT_EQ(rgb, image.bytes());
  for (int64_t y = 0; y < 5; ++y)
    for (int64_t x = 0; x < 7; ++x) {
      Rgb expected = kWhite;
      if (x >= 1 && x < 4 && y >= 1 && y < 3)
        expected = kRed;
      if (x == 6 && y == 4)
        expected = kBlue;
      const uint8_t *p = &rgb[(y * 7 + x) * 3];
      EXPECT_EQ((Rgb{p[0], p[1], p[2]}), expected) << x << "," << y;
    }
}

TEST(PngWriterTest, EmptyImagesAndBadPathsAreErrors) {
  llvm::Expected<std::vector<uint8_t>> empty = encodePng(Image(0, 3, kWhite));
  ASSERT_FALSE(bool(empty));
  std::string message = llvm::toString(empty.takeError());
  EXPECT_NE(message.find("image of 0x3"), std::string::npos) << message;

  message = llvm::toString(writePng("/no/such/dir/x.png", Image(2, 2, kWhite)));
  EXPECT_NE(message.find("cannot write '/no/such/dir/x.png'"),
            std::string::npos)
      << message;
}

TEST(PngWriterTest, DrawingClipsToTheImage) {
  Image image(4, 4, kWhite);
  image.fillRect(-10, -10, 12, 11, kRed); // covers (0..1, 0)
  image.fillRect(3, 3, 100, 100, kBlue);
  image.setPixel(-1, 2, kRed);
  image.frameRect(0, 0, 4, 4, kRed); // entirely outside
  EXPECT_EQ(image.pixel(0, 0), kRed);
  EXPECT_EQ(image.pixel(1, 0), kRed);
  EXPECT_EQ(image.pixel(2, 0), kWhite);
  EXPECT_EQ(image.pixel(0, 1), kWhite);
  EXPECT_EQ(image.pixel(3, 3), kBlue);
  EXPECT_EQ(image.pixel(2, 2), kWhite);
}

TEST(PngWriterTest, FrameSurroundsTheRectangle) {
  Image image(6, 6, kWhite);
  image.frameRect(2, 2, 2, 2, kBlue);
  for (int64_t y = 0; y < 6; ++y)
    for (int64_t x = 0; x < 6; ++x) {
      bool inBox = x >= 1 && x <= 4 && y >= 1 && y <= 4;
      bool inside = x >= 2 && x <= 3 && y >= 2 && y <= 3;
      EXPECT_EQ(image.pixel(x, y), inBox && !inside ? kBlue : kWhite)
          << x << "," << y;
    }
}

TEST(PngWriterTest, TextDrawsScaledGlyphs) {
  Image image(40, 30, kWhite);
  EXPECT_EQ(image.drawText(2, 3, "H-", kRed, 2), textWidth("H-", 2));
  EXPECT_EQ(textWidth("H-", 2), (2 * kGlyphAdvance - 1) * 2);
  EXPECT_EQ(textWidth("", 3), 0);
  EXPECT_EQ(textHeight(2), 18);
  const uint8_t *rows = glyphRows('H');
  for (int64_t row = 0; row < kGlyphHeight; ++row)
    for (int64_t col = 0; col < kGlyphWidth; ++col) {
      bool on = rows[row] & (0x10 >> col);
      for (int64_t dy = 0; dy < 2; ++dy)
        for (int64_t dx = 0; dx < 2; ++dx)
          EXPECT_EQ(image.pixel(2 + 2 * col + dx, 3 + 2 * row + dy),
                    on ? kRed : kWhite);
    }
  // The spacing column between glyphs stays empty.
  for (int64_t y = 0; y < 30; ++y)
    EXPECT_EQ(image.pixel(2 + 2 * kGlyphWidth, y), kWhite);
  // '-' is its middle row.
  EXPECT_EQ(image.pixel(2 + 2 * kGlyphAdvance, 3 + 2 * 3), kRed);
}

TEST(PngWriterTest, FontCoversPrintableAsciiWithDistinctGlyphs) {
  std::set<std::vector<uint8_t>> seen;
  for (char c = ' '; c <= '~'; ++c) {
    const uint8_t *rows = glyphRows(c);
    std::vector<uint8_t> glyph(rows, rows + kGlyphHeight);
    bool blank = std::all_of(glyph.begin(), glyph.end(),
                             [](uint8_t row) { return row == 0; });
    EXPECT_EQ(blank, c == ' ') << "glyph '" << c << "'";
    for (uint8_t row : glyph)
      EXPECT_EQ(row & ~0x1f, 0) << "glyph '" << c << "' is wider than 5";
    EXPECT_TRUE(seen.insert(glyph).second) << "glyph '" << c << "' repeats";
  }
  // Bytes outside printable ASCII draw as '?'.
  EXPECT_EQ(glyphRows('\n'), glyphRows('?'));
  EXPECT_EQ(glyphRows(char(0xc3)), glyphRows('?'));
}

} // namespace
