//===- Summary.cpp - spattn-compile --emit=summary ------------------------===//
#include "compiler/spattn-compile/Summary.h"

#include "dialects/SpAttn/Eval/ScheduleEvaluator.h"
#include "dialects/SpAttn/Eval/SpecEvaluator.h"
#include "reference/Density.h"
#include "passes/Passes.h"

#include "llvm/Support/Format.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::spattn;

namespace spattn {

static void printConfig(const SpecConfig &config, llvm::raw_ostream &os) {
  os << "spec @" << config.name << ": head_dim " << config.headDim
     << ", heads " << config.numQHeads << "q/" << config.numKVHeads
     << "kv, dtype " << config.dtype << (config.causal ? ", causal" : "")
     << ", scale "
     << llvm::format("%.6g", config.problem(1, 1).effectiveScale())
     << ", blocks " << config.blockQ << "x" << config.blockK << "\n";
}

static void printBudgetRanges(VariantOp variant, llvm::raw_ostream &os) {
  size_t width = 0;
  for (StringRef label : variant.getBudgetLabels().getAsValueRange<StringAttr>())
    width = std::max(width, label.size());
  for (auto [index, label] :
       llvm::enumerate(variant.getBudgetLabels().getAsValueRange<StringAttr>()))
    os << "    " << llvm::left_justify(label, width) << "  ["
       << variant.getBudgetMin()[index] << ", " << variant.getBudgetMax()[index]
       << "]\n";
}

/// Density and schedule work at the bucket's upper length, per head group.
static LogicalResult printAtUpperLength(SpecEvaluator &evaluator,
                                        VariantOp variant,
                                        llvm::raw_ostream &os) {
  int64_t high = variant.getHi();
  FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(high);
  if (failed(pattern))
    return failure();
  ref::AttentionProblem problem = evaluator.config().problem(high, high);
  ref::SyntheticContent content(*pattern, problem);
  std::vector<int64_t> heads = ref::headGroupStarts(*pattern);
  os << "    density at L=" << high << ":";
  for (int64_t head : heads)
    os << " head " << head << " "
       << llvm::format("%.4f", ref::keptFraction(*pattern, problem, head,
                                                 content.view()));
  os << "\n    tiles at L=" << high << ":";
  for (int64_t head : heads) {
    ScheduleEvaluator schedule(variant);
    if (failed(schedule.bind(problem, head, content.view())))
      return failure();
    ScheduleStats stats = schedule.stats();
    os << " head " << head << " kept " << stats.keptTiles << "/"
       << stats.denseTiles << " partial " << stats.partialTiles << " flops "
       << llvm::format("%.4f", stats.keptFlops / stats.denseFlops);
  }
  os << "\n";
  return success();
}

LogicalResult printSummary(ModuleOp lowered, SpecOp spec,
                           llvm::raw_ostream &os) {
  SpecEvaluator evaluator(spec);
  printConfig(evaluator.config(), os);
  for (VariantOp variant : variantsOf(lowered, spec)) {
    os << "  bucket " << variant.getBucket() << ": L in [" << variant.getLo()
       << ", " << variant.getHi() << "], strategy " << variant.getStrategy()
       << " (density "
       << llvm::format("%.4f", variant.getDensityLow().convertToDouble())
       << " at L=" << variant.getLo() << ")\n";
    printBudgetRanges(variant, os);
    if (failed(printAtUpperLength(evaluator, variant, os)))
      return failure();
  }
  return success();
}

} // namespace spattn
