//===- PngWriter.cpp - RGB images and PNG output --------------------------===//
//
// Encoding goes through libpng's simplified API, which reports errors in
// png_image::message instead of longjmp-ing through C++ frames.
//
//===----------------------------------------------------------------------===//
#include "compiler/io/PngWriter.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <png.h>

#include <algorithm>
#include <cstring>

namespace spattn::png {

Image::Image(int64_t width, int64_t height, Rgb background)
    : w(std::max<int64_t>(width, 0)), h(std::max<int64_t>(height, 0)),
      pixels(size_t(w) * size_t(h) * 3) {
  fillRect(0, 0, w, h, background);
}

Rgb Image::pixel(int64_t x, int64_t y) const {
  if (x < 0 || y < 0 || x >= w || y >= h)
    return Rgb();
  const uint8_t *p = &pixels[(size_t(y) * w + x) * 3];
  return Rgb{p[0], p[1], p[2]};
}

void Image::setPixel(int64_t x, int64_t y, Rgb color) {
  fillRect(x, y, 1, 1, color);
}

void Image::fillRect(int64_t x, int64_t y, int64_t width, int64_t height,
                     Rgb color) {
  int64_t x0 = std::max<int64_t>(x, 0), x1 = std::min(x + width, w);
  int64_t y0 = std::max<int64_t>(y, 0), y1 = std::min(y + height, h);
  for (int64_t row = y0; row < y1; ++row)
    for (int64_t col = x0; col < x1; ++col) {
      uint8_t *p = &pixels[(size_t(row) * w + col) * 3];
      p[0] = color.r;
      p[1] = color.g;
      p[2] = color.b;
    }
}

void Image::frameRect(int64_t x, int64_t y, int64_t width, int64_t height,
                      Rgb color) {
  fillRect(x - 1, y - 1, width + 2, 1, color);
  fillRect(x - 1, y + height, width + 2, 1, color);
  fillRect(x - 1, y, 1, height, color);
  fillRect(x + width, y, 1, height, color);
}

llvm::Expected<std::vector<uint8_t>> encodePng(const Image &image) {
  png_image info;
  std::memset(&info, 0, sizeof(info));
  info.version = PNG_IMAGE_VERSION;
  info.width = png_uint_32(image.width());
  info.height = png_uint_32(image.height());
  info.format = PNG_FORMAT_RGB;
  auto failed = [&]() {
    std::string message = info.message;
    png_image_free(&info);
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot encode PNG: " + message);
  };
  if (image.width() <= 0 || image.height() <= 0 ||
      image.width() > PNG_UINT_31_MAX || image.height() > PNG_UINT_31_MAX)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(), "cannot encode PNG: image of %lldx%lld",
        (long long)image.width(), (long long)image.height());

  // The first call only measures; the second writes.
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&info, nullptr, &size, 0, image.bytes().data(),
                                 0, nullptr))
    return failed();
  std::vector<uint8_t> bytes(size);
  if (!png_image_write_to_memory(&info, bytes.data(), &size, 0,
                                 image.bytes().data(), 0, nullptr))
    return failed();
  bytes.resize(size);
  return bytes;
}

llvm::Error writePng(llvm::StringRef path, const Image &image) {
  llvm::Expected<std::vector<uint8_t>> bytes = encodePng(image);
  if (!bytes)
    return bytes.takeError();
  auto failed = [&](std::error_code ec) {
    return llvm::createStringError(ec, "cannot write '%s': %s",
                                   path.str().c_str(), ec.message().c_str());
  };
  // Written next to the target, then renamed over it: never a torn file.
  llvm::SmallString<256> temp;
  int fd;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(path + "-%%%%%%.tmp", fd, temp))
    return failed(ec);
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  os.write(reinterpret_cast<const char *>(bytes->data()), bytes->size());
  os.close();
  std::error_code ec = os.error();
  os.clear_error();
  if (!ec)
    ec = llvm::sys::fs::rename(temp, path);
  if (ec) {
    llvm::sys::fs::remove(temp);
    return failed(ec);
  }
  return llvm::Error::success();
}

} // namespace spattn::png
