//===- LoadedLibrary.h - A generated library, loaded for tests --*- C++ -*-===//
//
// Opens test/e2e/libs/<name>/lib<name>.so with dlopen and resolves its C API
// (compiler/library/LibraryApi.h), so one test binary checks every spec's
// library. Also parses the spec the library was made from, for the reference.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_E2E_LOADEDLIBRARY_H
#define SPATTN_TEST_E2E_LOADEDLIBRARY_H

#include "compiler/library/LibraryApi.h"
#include "dialects/SpAttn/Eval/SpecEvaluator.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <memory>
#include <string>
#include <vector>

namespace spattn::test {

struct LoadedLibrary : LibraryApi {
  /// The spec it was compiled from, parsed.
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::spattn::SpecOp spec;
};

/// Loads library `name` compiled from `specFile`; fails the test if absent.
std::unique_ptr<LoadedLibrary> loadLibrary(const std::string &name,
                                           const std::string &specFile);

/// Float32 [B, H, L, D] (or [B, H, L]) data with its descriptor.
struct Tensor {
  std::vector<float> data;
  spattn_tensor desc;
  Tensor(std::vector<int64_t> shape);
  /// Fills with standard-normal values from `seed`.
  void randomize(uint32_t seed);
  float at(int64_t b, int64_t h, int64_t l, int64_t d = 0) const;
};

} // namespace spattn::test

#endif
