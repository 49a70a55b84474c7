//===- RunInputs.h - spattn-run's tensors: read, check, write ---*- C++ -*-===//
//
// Q, K and V come from float32 .npy files shaped [B, H, L, D] (or [H, L, D]
// for one batch element) and are checked against the spec before any
// library sees them, so a wrong file gets a message naming it. O and LSE are
// written with the inputs' batch convention.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_RUN_RUNINPUTS_H
#define SPATTN_COMPILER_SPATTN_RUN_RUNINPUTS_H

#include "compiler/io/Npy.h"
#include "dialects/SpAttn/Eval/SpecEvaluator.h"

#include "llvm/Support/raw_ostream.h"

namespace spattn::run {

struct Inputs {
  NpyArray q, k, v;
  bool batched = true; // [B, H, L, D] files; else [H, L, D] and B = 1
  int64_t batch = 1, queryLength = 1, keyLength = 1;
};

/// Reads and checks Q, K and V for `config`: ranks, heads, head_dim, equal
/// batch sizes, K and V alike, 1 <= Lq <= Lk <= the last bucket.
llvm::Expected<Inputs> readInputs(llvm::StringRef qFile, llvm::StringRef kFile,
                                  llvm::StringRef vFile,
                                  const mlir::spattn::SpecConfig &config);

/// Writes O ([B, Hq, Lq, D]) or, with `lse`, LSE ([B, Hq, Lq]); without a
/// batch dimension when the inputs had none.
llvm::Error writeOutput(llvm::StringRef path, const Inputs &inputs,
                        const mlir::spattn::SpecConfig &config,
                        std::vector<float> data, bool lse);

/// --make-inputs: standard-normal DIR/q.npy [B, Hq, Lq, D], DIR/k.npy and
/// DIR/v.npy [B, Hkv, Lk, D] from `seed` (K from seed + 1, V from seed + 2);
/// names the files on `os`.
llvm::Error makeInputs(llvm::StringRef dir,
                       const mlir::spattn::SpecConfig &config, int64_t batch,
                       int64_t queryLength, int64_t keyLength, uint32_t seed,
                       llvm::raw_ostream &os);

} // namespace spattn::run

#endif
