//===- LibraryApi.h - The C API of a generated CPU library ------*- C++ -*-===//
//
// A library made by `spattn-compile --target=cpu`, opened with dlopen and
// its C API (<name>.h) resolved, so tools, benchmarks and tests drive any
// spec's library without linking it. Every .so carries its own runtime and
// Halide thread pool; RTLD_LOCAL keeps two libraries in one process apart.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_LIB_LIBRARYAPI_H
#define SPATTN_COMPILER_LIB_LIBRARYAPI_H

#include "spattn/runtime.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace spattn {

struct LibraryApi {
  using Attention = int (*)(const spattn_tensor *, const spattn_tensor *,
                            const spattn_tensor *, spattn_tensor *,
                            spattn_tensor *, const spattn_options *);
  using Selection = int (*)(const spattn_tensor *, const spattn_tensor *,
                            int64_t, int64_t, int32_t, const spattn_options *,
                            spattn_selection *);

  std::string name;
  void *handle = nullptr;
  Attention attention = nullptr;
  const char *(*lastError)() = nullptr;
  const spattn_library_info *(*info)() = nullptr;
  int64_t (*maxLength)() = nullptr;
  int32_t (*numBudgets)() = nullptr;
  const char *(*budgetLabel)(int32_t) = nullptr;
  int (*budgets)(int64_t, const spattn_options *, int64_t *, int32_t) = nullptr;
  int32_t (*numStages)() = nullptr;
  const char *(*stageKind)(int32_t) = nullptr;
  Selection selection = nullptr;
  /// The instruction set the CPU kernels run with (libraries built for cpu;
  /// null otherwise).
  const char *(*cpuIsa)() = nullptr;
  /// Page bounds kept by the caller (libraries with a pages stage; null
  /// otherwise).
  int64_t (*pageSize)(int32_t stage) = nullptr;
  int (*updatePageBounds)(const spattn_tensor *k, int64_t firstKey,
                          int32_t stage, spattn_tensor *bounds) = nullptr;
  int (*attentionWithPageBounds)(const spattn_tensor *, const spattn_tensor *,
                                 const spattn_tensor *, spattn_tensor *,
                                 spattn_tensor *,
                                 const spattn_tensor *const *pageBounds,
                                 const spattn_options *) = nullptr;

  LibraryApi() = default;
  LibraryApi(const LibraryApi &) = delete;
  LibraryApi &operator=(const LibraryApi &) = delete;
  ~LibraryApi();

  /// Opens the shared object `path` and resolves `<name>_attention` and the
  /// rest of the C API; fails naming the file and the missing symbol.
  llvm::Error load(llvm::StringRef path, llvm::StringRef name);
};

/// `path` itself, or `path/lib<name>.so` when `path` is a directory.
std::string sharedObjectPath(llvm::StringRef path, llvm::StringRef name);

/// A contiguous row-major float32 descriptor of `shape` over `data`.
spattn_tensor contiguousTensor(const float *data,
                               llvm::ArrayRef<int64_t> shape);

} // namespace spattn

#endif
