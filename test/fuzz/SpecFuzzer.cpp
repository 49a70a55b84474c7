//===- SpecFuzzer.cpp - Arbitrary text through parse, verify, passes, summary --===//
//
// libFuzzer entry point (scripts/fuzz.sh builds it with clang and
// sanitizers). Any input must end in a diagnostic or a summary, never in a
// crash, a sanitizer report or an exception. Specs whose buckets reach past
// kFuzzMaxLength are verified but not summarized, to keep each run short.
//
//===----------------------------------------------------------------------===//
#include "compiler/spattn-compile/Summary.h"
#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "passes/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <cstddef>
#include <cstdint>

namespace {
constexpr int64_t kFuzzMaxLength = 2048;

mlir::MLIRContext &fuzzContext() {
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    mlir::spattn::registerSpecDialects(registry);
    auto *ctx = new mlir::MLIRContext(registry);
    ctx->loadAllAvailableDialects();
    // Diagnostics are the expected outcome for most inputs: drop them.
    ctx->getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
    return ctx;
  }();
  return *context;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, &fuzzContext());
  if (!module)
    return 0;
  auto specs = llvm::to_vector(module->getOps<mlir::spattn::SpecOp>());
  for (mlir::spattn::SpecOp spec : specs)
    if (spec.getBuckets().back() > kFuzzMaxLength)
      return 0;
  if (mlir::failed(mlir::spattn::lowerToSchedules(*module)))
    return 0;
  for (mlir::spattn::SpecOp spec : specs) {
    std::string summary;
    llvm::raw_string_ostream os(summary);
    (void)spattn::printSummary(*module, spec, os);
  }
  return 0;
}
