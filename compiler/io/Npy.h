//===- Npy.h - Read and write NumPy .npy files ------------------*- C++ -*-===//
//
// The subset of the .npy format the tools exchange tensors in: little-endian
// float32 ('<f4'), C order, any rank, header versions 1.0 and 2.0, and uint8
// ('|u1') masks written out. Reading never trusts the file: every malformed
// or unsupported input ends in an error naming the file and the problem.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_LIB_NPY_H
#define SPATTN_COMPILER_LIB_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace spattn {

/// A dense float32 array in C (row-major) order; rank 0 holds one element.
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// Parses the bytes of a .npy file; `name` only labels error messages.
/// "[2, 4, 300, 32]": a shape for messages.
std::string shapeText(llvm::ArrayRef<int64_t> shape);

llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);

/// Reads a .npy file.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// Writes `array` as a version 1.0 .npy file (2.0 if the header needs it).
/// Fails if the shape does not match the number of elements.
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

/// Writes `bytes` as a uint8 ('|u1') .npy array of `shape` (a mask).
llvm::Error writeNpyBytes(llvm::StringRef path,
                          const std::vector<int64_t> &shape,
                          llvm::ArrayRef<uint8_t> bytes);

} // namespace spattn

#endif
