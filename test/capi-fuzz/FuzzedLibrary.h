//===- FuzzedLibrary.h - A built library and its spec, under fuzz -*- C++ -*-===//
//
// A CPU library of the build tree opened through its C API
// (compiler/library/LibraryApi.h), the runtime functions it exports, and the
// spec it was compiled from, whose evaluator gives the reference pattern
// and budgets of a call.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_CAPIFUZZ_FUZZEDLIBRARY_H
#define SPATTN_TEST_CAPIFUZZ_FUZZEDLIBRARY_H

#include "compiler/io/SpecFile.h"
#include "compiler/library/LibraryApi.h"
#include "dialects/SpAttn/Eval/SpecEvaluator.h"

#include <memory>
#include <string>

namespace spattn::capifuzz {

struct FuzzedLibrary {
  LibraryApi api;
  const char *(*statusString)(int) = nullptr;
  spattn_tensor (*contiguous)(void *, spattn_dtype, int32_t, const int64_t *) = nullptr;
  std::unique_ptr<SpecFile> specFile;
  std::unique_ptr<mlir::spattn::SpecEvaluator> evaluator;

  const mlir::spattn::SpecConfig &config() const { return evaluator->config(); }
  /// The dtype the spec declares, as the C API names it.
  spattn_dtype specDtype() const;
};

/// Opens lib<name>.so in `libDir`/<name>/ and parses `specPath`; on failure
/// prints why and returns null.
std::unique_ptr<FuzzedLibrary> openLibrary(const std::string &libDir,
                                           const std::string &specPath);

} // namespace spattn::capifuzz

#endif
