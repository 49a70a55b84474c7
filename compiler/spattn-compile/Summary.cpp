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
  for (size_t k = 0; k < config.requestNames.size(); ++k)
    os << "  request " << config.requestNames[k] << " in ["
       << config.requestMin[k] << ", " << config.requestMax[k] << "]\n";
}

/// "quality=0, task=1": request values for a heading.
static std::string describeRequest(const SpecConfig &config,
                                   ArrayRef<int64_t> request) {
  std::string text;
  for (auto [k, value] : llvm::enumerate(request))
    text += (k ? ", " : "") + config.requestNames[k] + "=" + std::to_string(value);
  return text;
}

/// The request values to summarize: none without parameters, else every
/// parameter at its minimum, then every one at its maximum (the budget
/// ranges above already cover every combination).
static std::vector<std::vector<int64_t>> summaryRequests(const SpecConfig &config) {
  if (config.requestNames.empty())
    return {{}};
  return {config.requestMin, config.requestMax};
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

/// Density and schedule work at the bucket's upper length and `request`,
/// per head group.
static LogicalResult printAtUpperLength(SpecEvaluator &evaluator,
                                        VariantOp variant,
                                        ArrayRef<int64_t> request,
                                        llvm::raw_ostream &os) {
  int64_t high = variant.getHi();
  FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(high, request);
  if (failed(pattern))
    return failure();
  ref::AttentionProblem problem = evaluator.config().problem(high, high);
  ref::SyntheticContent content(*pattern, problem);
  std::vector<int64_t> heads = ref::headGroupStarts(*pattern);
  if (!request.empty())
    os << "    request " << describeRequest(evaluator.config(), request) << "\n";
  os << "    density at L=" << high << ":";
  for (int64_t head : heads)
    os << " head " << head << " "
       << llvm::format("%.4f", ref::keptFraction(*pattern, problem, head,
                                                 content.view()));
  os << "\n    tiles at L=" << high << ":";
  for (int64_t head : heads) {
    ScheduleEvaluator schedule(variant);
    if (failed(schedule.bind(problem, head, content.view(), request)))
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
    for (const std::vector<int64_t> &request : summaryRequests(evaluator.config()))
      if (failed(printAtUpperLength(evaluator, variant, request, os)))
        return failure();
  }
  return success();
}

} // namespace spattn
