//===- Dataset.h - Attention tensors to calibrate on ------------*- C++ -*-===//
//
// A folder of float32 .npy files named L<len>_<tag>_q.npy and
// L<len>_<tag>_k.npy (a _v.npy beside them is ignored), each [heads, L, D]:
// q with the spec's num_q_heads, k with its num_kv_heads. This is what
// examples/python/minilm.py --dump writes. Head h of the spec is calibrated
// on head h of every file.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_CALIBRATE_DATASET_H
#define SPATTN_COMPILER_SPATTN_CALIBRATE_DATASET_H

#include "compiler/io/Npy.h"
#include "dialects/SpAttn/Eval/SpecEvaluator.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace spattn::calibrate {

/// The Q and K of one input (one text chunk of one layer, say).
struct Sample {
  std::string name; // the file stem, e.g. "L64_c0_layer0"
  int64_t length = 0;
  NpyArray q, k; // [Hq, L, D] and [Hkv, L, D]
};

struct Dataset {
  std::vector<Sample> samples; // sorted by (length, name)
  std::vector<int64_t> lengths; // the distinct lengths, ascending
};

/// Reads every L<len>_<tag>_q.npy of `folder` whose name contains one of
/// `matches` (all files when empty) and its _k.npy. Errors name the file:
/// unreadable, a missing _k.npy, a shape that does not fit `config`, a
/// length that differs from the name; and a folder with no such file.
llvm::Expected<Dataset> loadDataset(llvm::StringRef folder,
                                    const std::vector<std::string> &matches,
                                    const mlir::spattn::SpecConfig &config);

} // namespace spattn::calibrate

#endif
