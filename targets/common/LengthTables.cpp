//===- LengthTables.cpp - Values of the body at every length --------------===//
#include "targets/common/LengthTables.h"

#include "dialects/SpAttn/Eval/SpecEvaluator.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::spattn {

FailureOr<std::vector<LengthRuns>>
tabulate(Block &body, ArrayRef<Value> values, int64_t lo, int64_t hi,
         ArrayRef<std::vector<int64_t>> requests) {
  std::vector<LengthRuns> runs(values.size() * requests.size());
  llvm::DenseMap<Value, Attribute> folded;
  for (auto [combination, request] : llvm::enumerate(requests)) {
    LengthRuns *tables = runs.data() + combination * values.size();
    for (int64_t length = lo; length <= hi; ++length) {
      if (failed(foldBodyAt(body, length, request, folded)))
        return failure();
      for (auto [index, value] : llvm::enumerate(values))
        tables[index].add(length, cast<IntegerAttr>(folded.lookup(value))
                                      .getValue()
                                      .getSExtValue());
    }
  }
  return runs;
}

} // namespace mlir::spattn
