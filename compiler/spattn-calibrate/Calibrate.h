//===- Calibrate.h - The whole calibration of one spec ----------*- C++ -*-===//
//
// Reads the `tune` marks, fits every head group (or proposes groups), fits
// the fixed baseline, builds the report and rewrites the spec into the
// fitted spec. The tool's main only parses options and writes files.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_CALIBRATE_CALIBRATE_H
#define SPATTN_COMPILER_SPATTN_CALIBRATE_CALIBRATE_H

#include "Dataset.h"
#include "Report.h"

#include <string>

namespace spattn::calibrate {

struct CalibrateOptions {
  double recall = 0.9;
  int gridPoints = 41;
  int refineRounds = 3;
  int64_t proposeGroups = 0; // 0: keep the spec's own groups
  unsigned jobs = 1;
  /// Request parameter values (one per parameter the spec declares): the
  /// fit is for this request class; tunables its budgets do not read are
  /// left as written.
  std::vector<int64_t> request;
};

/// Calibrates `spec` on `data`; on success `spec` is the fitted spec and the
/// report describes it. On failure either a located diagnostic was emitted
/// (bad marks, a budget that does not evaluate) or `error` says why (no
/// setting meets the target: which group, which length).
mlir::FailureOr<Report> calibrate(mlir::spattn::SpecOp spec,
                                  const Dataset &data,
                                  const CalibrateOptions &options,
                                  std::string &error);

} // namespace spattn::calibrate

#endif
