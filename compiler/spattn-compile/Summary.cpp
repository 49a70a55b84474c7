//===- Summary.cpp - spattn-compile --emit=summary ------------------------===//
#include "compiler/spattn-compile/Summary.h"

#include "dialects/SpAttn/Reference/Density.h"
#include "dialects/SpAttn/Eval/SpAttnEvaluator.h"

#include "llvm/Support/Format.h"

#include <algorithm>
#include <set>

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

LogicalResult printSummary(SpecOp spec, llvm::raw_ostream &os) {
  SpecEvaluator evaluator(spec);
  const SpecConfig &config = evaluator.config();
  printConfig(config, os);
  size_t labelWidth = 0;
  for (const BudgetSite &site : evaluator.budgets())
    labelWidth = std::max(labelWidth, site.label.size());

  int64_t low = 1;
  for (auto [index, high] : llvm::enumerate(config.buckets)) {
    os << "  bucket " << index << ": L in [" << low << ", " << high << "]\n";
    size_t count = evaluator.budgets().size();
    std::vector<int64_t> minimum(count, INT64_MAX), maximum(count, INT64_MIN);
    for (int64_t length = low; length <= high; ++length) {
      FailureOr<std::vector<int64_t>> values = evaluator.evaluateBudgets(length);
      if (failed(values))
        return failure();
      for (size_t b = 0; b < count; ++b) {
        minimum[b] = std::min(minimum[b], (*values)[b]);
        maximum[b] = std::max(maximum[b], (*values)[b]);
      }
    }
    for (size_t b = 0; b < count; ++b)
      os << "    " << llvm::left_justify(evaluator.budgets()[b].label, labelWidth)
         << "  [" << minimum[b] << ", " << maximum[b] << "]\n";

    FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(high);
    if (failed(pattern))
      return failure();
    ref::AttentionProblem problem = config.problem(high, high);
    ref::SyntheticContent content(*pattern, problem);
    os << "    density at L=" << high << ":";
    for (int64_t head : ref::headGroupStarts(*pattern))
      os << " head " << head << " "
         << llvm::format("%.4f", ref::keptFraction(*pattern, problem, head,
                                              content.view()));
    os << "\n";
    low = high + 1;
  }
  return success();
}

} // namespace spattn
