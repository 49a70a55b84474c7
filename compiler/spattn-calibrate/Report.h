//===- Report.h - What a calibration found ----------------------*- C++ -*-===//
//
// Per head group and data length, the fitted and the fixed baseline's
// budgets, recall, density and kept FLOPs; written as a markdown table
// (--table and stdout) and drawn as a PNG (--plot, Plot.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_CALIBRATE_REPORT_H
#define SPATTN_COMPILER_SPATTN_CALIBRATE_REPORT_H

#include "Evaluation.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace spattn::calibrate {

/// One way of setting the tunables (fitted or fixed) for one group.
struct Setting {
  std::vector<std::pair<std::string, double>> values; // label = value
  std::vector<LengthStats> stats;                     // per data length
  std::vector<int64_t> curve; // the plotted budget at Report::curveLengths
};

struct GroupReport {
  std::string name; // "heads 0-3"
  int64_t begin = 0, end = 0;
  std::vector<size_t> shownBudgets; // budget sites that depend on a tunable
  Setting fitted, fixed;
};

struct Report {
  std::string specName, source;
  double target = 0;
  int64_t headDim = 0;
  std::vector<std::string> budgetLabels; // every budget site of the spec
  std::vector<int64_t> lengths, samplesPerLength;
  std::vector<int64_t> curveLengths; // where the budget curves are sampled
  std::vector<GroupReport> groups;
  std::string groupsNote; // how the groups came about
};

/// The markdown report.
void writeTable(const Report &report, llvm::raw_ostream &os);

/// Two panels: recall vs L and the first tuned budget vs L, fitted (solid)
/// and fixed (dashed), one colour per group.
llvm::Error writePlot(const Report &report, llvm::StringRef path);

/// Totals of one setting of one group over all lengths.
Totals totalOf(const Setting &setting);
double minRecallOf(const Setting &setting);

} // namespace spattn::calibrate

#endif
