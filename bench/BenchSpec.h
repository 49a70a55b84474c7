//===- BenchSpec.h - One benchmark spec and its library ---------*- C++ -*-===//
//
// A spec of bench/specs, parsed, with the library spattn-compile built from
// it at build time (loaded with dlopen), measured at one length: the median
// time of a call, the time its selection stages take, and the pairs it kept.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_BENCH_BENCHSPEC_H
#define SPATTN_BENCH_BENCHSPEC_H

#include "compiler/library/LibraryApi.h"
#include "dialects/SpAttn/Eval/SpecEvaluator.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <memory>
#include <vector>

namespace spattn::bench {

/// Standard-normal inputs at one key length L, shared by every spec: Q for
/// up to `heads` query heads, one kv head. Q rows [heads, L, D] for prefill
/// and [heads, 1, D] for decode; a spec with fewer heads reads the first.
struct Inputs {
  int64_t length, heads, headDim;
  std::vector<float> q, qDecode, k, v;
  Inputs(int64_t length, int64_t heads, int64_t headDim);
};

struct Measurement {
  double seconds = 0;          // median time of one call
  double selectionSeconds = 0; // of the selection stages alone
  double keptPairs = 0, densePairs = 0;
};

class BenchSpec {
public:
  /// Parses `specDir/<name>.mlir` and loads `libDir/<name>/lib<name>.so`.
  static llvm::Expected<std::unique_ptr<BenchSpec>>
  load(mlir::MLIRContext &context, llvm::StringRef specDir,
       llvm::StringRef libDir, llvm::StringRef name);

  const mlir::spattn::SpecConfig &config() const { return specConfig; }
  /// The instruction set its CPU kernels run with here ("?" if unknown).
  std::string instructionSet() const { return lib.cpuIsa ? lib.cpuIsa() : "?"; }

  /// Runs a call with Lk = in.length and Lq = Lk (prefill) or 1 (decode).
  llvm::Expected<Measurement> measure(const Inputs &in, bool decode,
                                      int threads);

private:
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::spattn::SpecOp spec;
  mlir::spattn::SpecConfig specConfig;
  LibraryApi lib;
};

} // namespace spattn::bench

#endif
