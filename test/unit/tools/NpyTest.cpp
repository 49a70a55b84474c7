//===- NpyTest.cpp - .npy round trips and malformed input -----------------===//
#include "compiler/io/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace spattn;

namespace {

/// A fresh directory per test, removed afterwards.
class NpyTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("npy-test", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string path(llvm::StringRef name) {
    llvm::SmallString<128> result(dir);
    llvm::sys::path::append(result, name);
    return std::string(result);
  }
  std::string writeBytes(llvm::StringRef name, llvm::StringRef bytes) {
    std::string file = path(name);
    std::error_code ec;
    llvm::raw_fd_ostream os(file, ec);
    EXPECT_FALSE(ec);
    os << bytes;
    return file;
  }

  llvm::SmallString<128> dir;
};

/// A .npy file as numpy writes it: version 1.0 (or `version`), `dict` padded
/// so the data starts at a multiple of 64, then `data`.
std::string npyBytes(llvm::StringRef dict, llvm::StringRef data,
                     char version = 1) {
  size_t preamble = version == 1 ? 10 : 12;
  std::string header = dict.str();
  while ((preamble + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string bytes = std::string("\x93NUMPY", 6) + version + '\0';
  for (size_t i = 0; i < preamble - 8; ++i)
    bytes += char((header.size() >> (8 * i)) & 0xff);
  return bytes + header + data.str();
}

std::string floatBytes(std::initializer_list<float> values) {
  std::string bytes;
  for (float value : values) {
    char raw[4];
    std::memcpy(raw, &value, 4); // the test hosts are little-endian
    bytes.append(raw, 4);
  }
  return bytes;
}

/// The error message of a read that must fail.
std::string readError(const std::string &file) {
  llvm::Expected<NpyArray> array = readNpy(file);
  if (array) {
    ADD_FAILURE() << file << " was read without error";
    return "";
  }
  return llvm::toString(array.takeError());
}

constexpr const char *kDict2x3 =
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

TEST_F(NpyTest, RoundTripsEveryRank) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  float inf = std::numeric_limits<float>::infinity();
  std::vector<NpyArray> arrays = {
      {{}, {42.5f}},
      {{4}, {-0.0f, inf, -inf, nan}},
      {{2, 3}, {1, 2, 3, 4, 5, 6}},
      {{1, 2, 0, 3}, {}},
      {{2, 1, 2, 2}, {1e-38f, 3e38f, -7, 0.25f, 1, 2, 3, 4}},
  };
  for (const NpyArray &array : arrays) {
    std::string file = path("a.npy");
    ASSERT_FALSE(llvm::errorToBool(writeNpy(file, array)));
    llvm::Expected<NpyArray> back = readNpy(file);
    ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(back->shape, array.shape);
    ASSERT_EQ(back->data.size(), array.data.size());
    // Bit-exact, so NaN and -0 survive too (memcmp may not see the null
    // data of an empty array: UBSan).
    if (!array.data.empty())
      EXPECT_EQ(0, std::memcmp(back->data.data(), array.data.data(),
                               array.data.size() * sizeof(float)));
  }
}

TEST_F(NpyTest, WritesExactlyWhatNumpyWrites) {
  std::string file = path("a.npy");
  ASSERT_FALSE(llvm::errorToBool(writeNpy(file, {{2, 3}, {0, 1, 2, 3, 4, 5}})));
  auto buffer = llvm::MemoryBuffer::getFile(file);
  ASSERT_TRUE(bool(buffer));
  EXPECT_EQ((*buffer)->getBuffer().str(),
            npyBytes(kDict2x3, floatBytes({0, 1, 2, 3, 4, 5})));
  EXPECT_EQ((*buffer)->getBufferSize(), 128u + 24u);
}

TEST_F(NpyTest, WritesUint8MasksAsNumpyDoes) {
  std::string file = path("m.npy");
  const uint8_t mask[] = {1, 0, 1, 1, 0, 0};
  ASSERT_FALSE(llvm::errorToBool(writeNpyBytes(file, {2, 3}, mask)));
  auto buffer = llvm::MemoryBuffer::getFile(file);
  ASSERT_TRUE(bool(buffer));
  std::string dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ((*buffer)->getBuffer().str(),
            npyBytes(dict, std::string("\x01\x00\x01\x01\x00\x00", 6)));
  std::string message =
      llvm::toString(writeNpyBytes(file, {4}, llvm::ArrayRef(mask, 3)));
  EXPECT_NE(message.find("needs 4 bytes, the array has 3"), std::string::npos)
      << message;
}

TEST_F(NpyTest, ReadsVersion2AndHeaderVariants) {
  llvm::Expected<NpyArray> v2 =
      parseNpy(npyBytes(kDict2x3, floatBytes({0, 1, 2, 3, 4, 5}), 2), "v2.npy");
  ASSERT_TRUE(bool(v2)) << llvm::toString(v2.takeError());
  EXPECT_EQ(v2->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(v2->data[5], 5.0f);

  // Key order, quotes and spacing are free in a dict literal.
  llvm::Expected<NpyArray> reordered = parseNpy(
      npyBytes("{\"shape\":(3,),\"fortran_order\":False,\"descr\":\"<f4\"}",
               floatBytes({7, 8, 9})),
      "reordered.npy");
  ASSERT_TRUE(bool(reordered)) << llvm::toString(reordered.takeError());
  EXPECT_EQ(reordered->shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(reordered->data[2], 9.0f);
}

TEST_F(NpyTest, LargeShapesUseVersion2Headers) {
  // 30000 dimensions of 1 push the header past the 64 KiB of version 1.0.
  NpyArray array{std::vector<int64_t>(30000, 1), {3.0f}};
  std::string file = path("rank.npy");
  ASSERT_FALSE(llvm::errorToBool(writeNpy(file, array)));
  auto buffer = llvm::MemoryBuffer::getFile(file);
  ASSERT_TRUE(bool(buffer));
  EXPECT_EQ((*buffer)->getBuffer()[6], 2);
  llvm::Expected<NpyArray> back = readNpy(file);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->shape.size(), 30000u);
}

TEST_F(NpyTest, MissingFile) {
  EXPECT_NE(readError(path("missing.npy")).find("cannot read"),
            std::string::npos);
}

TEST_F(NpyTest, RejectsBadPreambles) {
  std::string good = npyBytes(kDict2x3, floatBytes({0, 1, 2, 3, 4, 5}));
  struct Case {
    std::string bytes, message;
  } cases[] = {
      {"", "bad magic"},
      {"PK\x03\x04 not numpy at all", "bad magic"},
      {good.substr(0, 7), "truncated header"},
      {good.substr(0, 9), "truncated header"},
      {good.substr(0, 60), "truncated header"},
      {npyBytes(kDict2x3, "", 3), "unsupported .npy version 3.0"},
      {std::string(good).replace(7, 1, "\x01"), "unsupported .npy version 1.1"},
  };
  for (const Case &c : cases) {
    std::string message = readError(writeBytes("bad.npy", c.bytes));
    EXPECT_NE(message.find(c.message), std::string::npos) << message;
    EXPECT_NE(message.find("bad.npy"), std::string::npos) << message;
  }
}

TEST_F(NpyTest, RejectsUnsupportedOrMalformedHeaders) {
  std::string six = floatBytes({0, 1, 2, 3, 4, 5});
  struct Case {
    std::string dict, message;
  } cases[] = {
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
       "unsupported dtype '<f8'"},
      {"{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }",
       "unsupported dtype '>f4'"},
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }",
       "unsupported dtype '<i4'"},
      {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
       "fortran_order arrays are not supported"},
      {"{'descr': '<f4', 'shape': (2, 3), }", "are required"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}",
       "unexpected header key 'x'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2, -3), }",
       "'shape' is not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }",
       "'shape' is not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }",
       "'shape' is not a tuple"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }",
       "'fortran_order' is not True or False"},
      {"{'descr': <f4, 'fortran_order': False, 'shape': (2, 3), }",
       "'descr' is not a string"},
      {"{'descr: '<f4', 'fortran_order': False, 'shape': (2, 3), }",
       "expected ':'"},
      {"{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3), }",
       "expected ',' or '}'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ",
       "expected a quoted key"},
      {"['descr', '<f4']", "the header is not a dict"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x",
       "unexpected text"},
  };
  for (const Case &c : cases) {
    std::string message =
        readError(writeBytes("bad.npy", npyBytes(c.dict, six)));
    EXPECT_NE(message.find(c.message), std::string::npos)
        << c.dict << " -> " << message;
  }
}

TEST_F(NpyTest, RejectsDataThatDoesNotMatchTheShape) {
  std::string six = floatBytes({0, 1, 2, 3, 4, 5});
  struct Case {
    std::string dict, data, message;
  } cases[] = {
      // Truncated data, one byte short and one element short.
      {kDict2x3, six.substr(0, 23), "needs 6 floats, found 23 data bytes"},
      {kDict2x3, six.substr(0, 20), "needs 6 floats, found 20 data bytes"},
      // Trailing bytes are not silently ignored.
      {kDict2x3, six + "x", "needs 6 floats, found 25 data bytes"},
      // A huge shape with no data behind it allocates nothing.
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }",
       six, "needs 1000000000000 floats"},
      // A shape whose element count overflows 64 bits.
      {"{'descr': '<f4', 'fortran_order': False, "
       "'shape': (4294967296, 4294967296), }",
       six, "is too large"},
      {"{'descr': '<f4', 'fortran_order': False, "
       "'shape': (99999999999999999999,), }",
       six, "'shape' is not a tuple"},
  };
  for (const Case &c : cases) {
    std::string message =
        readError(writeBytes("bad.npy", npyBytes(c.dict, c.data)));
    EXPECT_NE(message.find(c.message), std::string::npos)
        << c.dict << " -> " << message;
  }
}

TEST_F(NpyTest, WriteRejectsInconsistentArrays) {
  std::string file = path("w.npy");
  std::string message = llvm::toString(writeNpy(file, {{2, 3}, {1, 2, 3}}));
  EXPECT_NE(message.find("needs 6 floats, the array has 3"), std::string::npos)
      << message;
  message = llvm::toString(writeNpy(file, {{-1}, {}}));
  EXPECT_NE(message.find("invalid shape (-1,)"), std::string::npos) << message;
  EXPECT_FALSE(llvm::sys::fs::exists(file));

  message = llvm::toString(writeNpy(path("no/such/dir/w.npy"), {{1}, {1}}));
  EXPECT_FALSE(message.empty());
}

} // namespace
