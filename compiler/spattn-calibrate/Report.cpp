//===- Report.cpp - The markdown report -----------------------------------===//
#include "Report.h"

#include "llvm/Support/Format.h"

#include <algorithm>

namespace spattn::calibrate {

Totals totalOf(const Setting &setting) {
  Totals totals;
  for (const LengthStats &at : setting.stats)
    totals.add(at.totals);
  return totals;
}

double minRecallOf(const Setting &setting) {
  double least = 1.0;
  for (const LengthStats &at : setting.stats)
    least = std::min(least, at.totals.recall());
  return least;
}

namespace {

std::string number(double value, const char *format = "%.4g") {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format(format, value);
  return text;
}

std::string valuesText(const Setting &setting) {
  std::string text;
  for (auto &[label, value] : setting.values)
    text += (text.empty() ? "" : ", ") + label + " = " + number(value, "%.6g");
  return text.empty() ? "(nothing tuned)" : text;
}

double gflop(int64_t pairs, int64_t headDim) {
  return keptFlops(pairs, headDim) / 1e9;
}

} // namespace

void writeTable(const Report &report, llvm::raw_ostream &os) {
  os << "# @" << report.specName << ": recall target "
     << number(report.target, "%g") << "\n\n";
  os << "Data: " << report.source << ", ";
  for (size_t l = 0; l < report.lengths.size(); ++l)
    os << (l ? ", " : "") << report.samplesPerLength[l] << " at L "
       << report.lengths[l];
  os << " (samples). Recall: mean over rows of the dense softmax mass on the "
        "kept keys. Kept GFLOP: 4 * head_dim * kept (query, key) pairs, summed "
        "over the samples and heads. Fixed: the least budget constant in L "
        "(tuned exponents pinned to 0) that meets the same target at every "
        "length. "
     << report.groupsNote << "\n\nEach cell: fitted / fixed.\n";

  Totals fittedAll, fixedAll;
  double fittedMin = 1, fixedMin = 1;
  for (const GroupReport &group : report.groups) {
    os << "\n## " << group.name << "\n\n";
    os << "- fitted: " << valuesText(group.fitted) << "\n";
    os << "- fixed: " << valuesText(group.fixed) << "\n\n";
    os << "| L |";
    for (size_t site : group.shownBudgets)
      os << " " << report.budgetLabels[site] << " |";
    os << " recall | density | kept GFLOP |\n|---:|";
    for (size_t s = 0; s < group.shownBudgets.size(); ++s)
      os << "---:|";
    os << "---:|---:|---:|\n";
    for (size_t l = 0; l < report.lengths.size(); ++l) {
      const LengthStats &fit = group.fitted.stats[l],
                        &fix = group.fixed.stats[l];
      os << "| " << report.lengths[l] << " |";
      for (size_t site : group.shownBudgets)
        os << " " << fit.budgets[site] << " / " << fix.budgets[site] << " |";
      os << " " << number(fit.totals.recall(), "%.4f") << " / "
         << number(fix.totals.recall(), "%.4f") << " | "
         << number(fit.totals.density(), "%.4f") << " / "
         << number(fix.totals.density(), "%.4f") << " | "
         << number(gflop(fit.totals.keptPairs, report.headDim)) << " / "
         << number(gflop(fix.totals.keptPairs, report.headDim)) << " |\n";
    }
    Totals fit = totalOf(group.fitted), fix = totalOf(group.fixed);
    os << "| all |";
    for (size_t s = 0; s < group.shownBudgets.size(); ++s)
      os << " |";
    os << " min " << number(minRecallOf(group.fitted), "%.4f") << " / "
       << number(minRecallOf(group.fixed), "%.4f") << " | "
       << number(fit.density(), "%.4f") << " / "
       << number(fix.density(), "%.4f") << " | "
       << number(gflop(fit.keptPairs, report.headDim)) << " / "
       << number(gflop(fix.keptPairs, report.headDim)) << " |\n";
    fittedAll.add(fit);
    fixedAll.add(fix);
    fittedMin = std::min(fittedMin, minRecallOf(group.fitted));
    fixedMin = std::min(fixedMin, minRecallOf(group.fixed));
  }
  double saved = fixedAll.keptPairs
                     ? 100.0 * (1.0 - double(fittedAll.keptPairs) /
                                          double(fixedAll.keptPairs))
                     : 0.0;
  os << "\n## Total\n\n"
     << "Kept GFLOP: fitted " << number(gflop(fittedAll.keptPairs, report.headDim))
     << ", fixed " << number(gflop(fixedAll.keptPairs, report.headDim))
     << "; fitted saves " << number(saved, "%.1f")
     << "% of the fixed budget's kept FLOPs. Density: fitted "
     << number(fittedAll.density(), "%.4f") << ", fixed "
     << number(fixedAll.density(), "%.4f") << ". Least recall (any group, any "
     << "length): fitted " << number(fittedMin, "%.4f") << ", fixed "
     << number(fixedMin, "%.4f") << ".\n";
}

} // namespace spattn::calibrate
