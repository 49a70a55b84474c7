//===- SpecFuzzer.cpp - Arbitrary text through the compiler up to source --===//
//
// libFuzzer entry point (scripts/fuzz.sh runs it in the ASan+UBSan build).
// Input goes the way spattn-compile takes it: parseSpecSource (the
// parser-crash guard, then parse and verify), both passes, the summary, and
// the library plan and generated source text of the cpu and cuda targets
// (text only: nothing is compiled). Any input must end in a diagnostic or
// that text, never in a crash, a hang, a sanitizer report or an exception.
// The reference mask behind the summary and the lowering costs one
// predicate evaluation per (head, query, key): specs whose largest bucket
// has more than kFuzzMaxMaskCells of them are verified only, to keep each
// run within milliseconds.
//
//===----------------------------------------------------------------------===//
#include "compiler/io/SpecSource.h"
#include "compiler/spattn-compile/Summary.h"
#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "passes/Passes.h"
#include "targets/common/LibraryBuild.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {
constexpr int64_t kFuzzMaxMaskCells = int64_t(1) << 18; // 16 heads at L 128

/// num_q_heads * L * L at the largest bucket is within the bound.
bool withinFuzzBudget(mlir::spattn::SpecOp spec) {
  int64_t length = spec.getBuckets().back();
  int64_t heads = spec.getNumQHeads();
  if (length > kFuzzMaxMaskCells || heads > kFuzzMaxMaskCells)
    return false;
  return heads * length * length <= kFuzzMaxMaskCells; // < 2^60: no overflow
}

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

const std::vector<const mlir::spattn::Target *> &fuzzTargets() {
  static const std::vector<const mlir::spattn::Target *> targets = [] {
    mlir::spattn::registerAllTargets();
    std::string error;
    auto parsed = mlir::spattn::parseTargetList("cpu,cuda", error);
    if (failed(parsed)) {
      llvm::errs() << "spattn-spec-fuzzer: " << error << "\n";
      std::abort();
    }
    return *parsed;
  }();
  return targets;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A copy: MLIR's lexer reads the NUL after the text, and libFuzzer's
  // buffer has none.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz-input.mlir"),
      llvm::SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      spattn::parseSpecSource(sourceMgr, &fuzzContext());
  if (!module)
    return 0;
  auto specs = llvm::to_vector(module->getOps<mlir::spattn::SpecOp>());
  for (mlir::spattn::SpecOp spec : specs)
    if (!withinFuzzBudget(spec))
      return 0;
  if (mlir::failed(mlir::spattn::lowerToSchedules(*module)))
    return 0;
  for (mlir::spattn::SpecOp spec : specs) {
    std::string summary;
    llvm::raw_string_ostream os(summary);
    (void)spattn::printSummary(*module, spec, os);
    (void)mlir::spattn::generateSource(*module, spec, fuzzTargets());
  }
  return 0;
}
