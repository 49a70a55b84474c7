//===- Npy.cpp - Read and write NumPy .npy files --------------------------===//
//
// Format: the magic "\x93NUMPY", a major and minor version byte, the header
// length (2 bytes little-endian in 1.0, 4 bytes in 2.0), then the header, a
// Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the raw elements.
//
//===----------------------------------------------------------------------===//
#include "compiler/io/Npy.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using llvm::StringRef;

namespace spattn {

namespace {

constexpr StringRef kMagic("\x93NUMPY", 6);
constexpr size_t kAlignment = 64; // numpy aligns the data to 64 bytes

llvm::Error npyError(StringRef name, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 name + ": " + message);
}

/// The three fields every .npy header has.
struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortranOrder;
  std::optional<std::vector<int64_t>> shape;
};

/// A recursive-descent parser for the header's dict literal: string keys and
/// values, True/False, and tuples of non-negative integers. Anything else is
/// rejected rather than guessed at.
class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : rest(text) {}

  /// Fills `header`; on failure returns what was wrong.
  std::optional<std::string> parse(Header &header) {
    if (!consume('{'))
      return "the header is not a dict";
    while (!consume('}')) {
      std::optional<std::string> key = parseString();
      if (!key)
        return "expected a quoted key in the header";
      if (!consume(':'))
        return "expected ':' after '" + *key + "'";
      if (std::optional<std::string> error = parseValue(*key, header))
        return error;
      if (!consume(',') && !peek('}'))
        return "expected ',' or '}' after '" + *key + "'";
    }
    if (!rest.trim().empty())
      return "unexpected text after the header dict";
    return std::nullopt;
  }

private:
  bool peek(char c) {
    rest = rest.ltrim();
    return rest.starts_with(StringRef(&c, 1));
  }
  bool consume(char c) {
    if (!peek(c))
      return false;
    rest = rest.drop_front();
    return true;
  }
  bool consumeWord(StringRef word) {
    rest = rest.ltrim();
    return rest.consume_front(word);
  }

  std::optional<std::string> parseString() {
    rest = rest.ltrim();
    if (rest.empty() || (rest.front() != '\'' && rest.front() != '"'))
      return std::nullopt;
    char quote = rest.front();
    size_t end = rest.find(quote, 1);
    if (end == StringRef::npos)
      return std::nullopt;
    std::string text = rest.slice(1, end).str();
    rest = rest.drop_front(end + 1);
    return text;
  }

  std::optional<std::vector<int64_t>> parseShape() {
    if (!consume('('))
      return std::nullopt;
    std::vector<int64_t> shape;
    while (!consume(')')) {
      rest = rest.ltrim();
      uint64_t dim;
      if (rest.consumeInteger(10, dim) || dim > uint64_t(INT64_MAX))
        return std::nullopt;
      shape.push_back(int64_t(dim));
      if (!consume(',') && !peek(')'))
        return std::nullopt;
    }
    return shape;
  }

  std::optional<std::string> parseValue(StringRef key, Header &header) {
    if (key == "descr") {
      header.descr = parseString();
      if (!header.descr)
        return std::string("'descr' is not a string");
    } else if (key == "fortran_order") {
      if (consumeWord("True"))
        header.fortranOrder = true;
      else if (consumeWord("False"))
        header.fortranOrder = false;
      else
        return std::string("'fortran_order' is not True or False");
    } else if (key == "shape") {
      header.shape = parseShape();
      if (!header.shape)
        return std::string("'shape' is not a tuple of non-negative integers");
    } else {
      return "unexpected header key '" + key.str() + "'";
    }
    return std::nullopt;
  }

  StringRef rest;
};

/// Splits `bytes` into the header text and the data, checking the preamble.
llvm::Error splitPreamble(StringRef bytes, StringRef name, StringRef &header,
                          StringRef &data) {
  if (!bytes.starts_with(kMagic))
    return npyError(name, "not a .npy file (bad magic)");
  if (bytes.size() < kMagic.size() + 2)
    return npyError(name, "truncated header");
  uint8_t major = bytes[6], minor = bytes[7];
  size_t lengthBytes;
  if (major == 1 && minor == 0)
    lengthBytes = 2;
  else if (major == 2 && minor == 0)
    lengthBytes = 4;
  else
    return npyError(name, "unsupported .npy version " +
                              llvm::Twine(unsigned(major)) + "." +
                              llvm::Twine(unsigned(minor)) +
                              " (1.0 and 2.0 are supported)");
  size_t start = kMagic.size() + 2 + lengthBytes;
  if (bytes.size() < start)
    return npyError(name, "truncated header");
  const char *lengthField = bytes.data() + kMagic.size() + 2;
  uint64_t length = lengthBytes == 2
                        ? llvm::support::endian::read16le(lengthField)
                        : llvm::support::endian::read32le(lengthField);
  if (bytes.size() - start < length)
    return npyError(name, "truncated header");
  header = bytes.substr(start, length);
  data = bytes.drop_front(start + length);
  return llvm::Error::success();
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string text = "(";
  for (int64_t dim : shape)
    text += std::to_string(dim) + (shape.size() == 1 ? "," : ", ");
  if (shape.size() > 1)
    text.resize(text.size() - 2);
  return text + ")";
}

/// The header text (with padding and newline) for `shape`, and its version:
/// 1.0 unless the padded header outgrows its 2-byte length field.
std::string headerFor(const std::vector<int64_t> &shape, StringRef descr,
                      uint8_t &major) {
  std::string dict = "{'descr': '" + descr.str() +
                     "', 'fortran_order': False, 'shape': " +
                     formatShape(shape) + ", }";
  auto padded = [&](size_t lengthBytes) {
    size_t unpadded = kMagic.size() + 2 + lengthBytes + dict.size() + 1;
    size_t padding = (kAlignment - unpadded % kAlignment) % kAlignment;
    return dict + std::string(padding, ' ') + "\n";
  };
  std::string header = padded(2);
  major = 1;
  if (header.size() > 0xffff) {
    header = padded(4);
    major = 2;
  }
  return header;
}

} // namespace

llvm::Expected<NpyArray> parseNpy(StringRef bytes, StringRef name) {
  StringRef headerText, data;
  if (llvm::Error error = splitPreamble(bytes, name, headerText, data))
    return error;

  Header header;
  if (std::optional<std::string> error = HeaderParser(headerText).parse(header))
    return npyError(name, "bad header: " + *error);
  if (!header.descr || !header.fortranOrder || !header.shape)
    return npyError(name, "bad header: 'descr', 'fortran_order' and 'shape' "
                          "are required");
  if (*header.descr != "<f4")
    return npyError(name, "unsupported dtype '" + *header.descr +
                              "' (only little-endian float32 '<f4')");
  if (*header.fortranOrder)
    return npyError(name, "fortran_order arrays are not supported");

  // The element count is bounded by the data actually present, so an absurd
  // shape can neither overflow nor allocate.
  int64_t count = 1;
  for (int64_t dim : *header.shape)
    if (llvm::MulOverflow(count, dim, count))
      return npyError(name,
                      "shape " + formatShape(*header.shape) + " is too large");
  if (count > int64_t(data.size()) ||
      data.size() != uint64_t(count) * sizeof(float))
    return npyError(name, "shape " + formatShape(*header.shape) + " needs " +
                              llvm::Twine(count) + " floats, found " +
                              llvm::Twine(data.size()) + " data bytes");

  NpyArray array;
  array.shape = std::move(*header.shape);
  array.data.resize(count);
  for (int64_t i = 0; i < count; ++i)
    array.data[i] = llvm::bit_cast<float>(
        llvm::support::endian::read32le(data.data() + i * sizeof(float)));
  return array;
}

llvm::Expected<NpyArray> readNpy(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return npyError(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

namespace {

/// Writes a .npy file of `count` elements of type `descr` whose bytes
/// `writeData` produces, after checking `shape` holds `count` elements.
llvm::Error writeArray(StringRef path, const std::vector<int64_t> &shape,
                       StringRef descr, int64_t count, StringRef unit,
                       llvm::function_ref<void(llvm::raw_ostream &)> writeData) {
  int64_t elements = 1;
  for (int64_t dim : shape)
    if (dim < 0 || llvm::MulOverflow(elements, dim, elements))
      return npyError(path, "invalid shape " + formatShape(shape));
  if (elements != count)
    return npyError(path, "shape " + formatShape(shape) + " needs " +
                              llvm::Twine(elements) + " " + unit +
                              ", the array has " + llvm::Twine(count));

  uint8_t major;
  std::string header = headerFor(shape, descr, major);
  return llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << kMagic << char(major) << char(0);
    char length[4];
    if (major == 1) {
      llvm::support::endian::write16le(length, header.size());
      os.write(length, 2);
    } else {
      llvm::support::endian::write32le(length, header.size());
      os.write(length, 4);
    }
    os << header;
    writeData(os);
    return llvm::Error::success();
  });
}

} // namespace

llvm::Error writeNpy(StringRef path, const NpyArray &array) {
  return writeArray(path, array.shape, "<f4", array.data.size(), "floats",
                    [&](llvm::raw_ostream &os) {
                      for (float value : array.data) {
                        char bytes[4];
                        llvm::support::endian::write32le(
                            bytes, llvm::bit_cast<uint32_t>(value));
                        os.write(bytes, 4);
                      }
                    });
}

llvm::Error writeNpyBytes(StringRef path, const std::vector<int64_t> &shape,
                          llvm::ArrayRef<uint8_t> bytes) {
  return writeArray(path, shape, "|u1", bytes.size(), "bytes",
                    [&](llvm::raw_ostream &os) {
                      os.write(reinterpret_cast<const char *>(bytes.data()),
                               bytes.size());
                    });
}

std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (size_t d = 0; d < shape.size(); ++d)
    text += (d ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

} // namespace spattn
