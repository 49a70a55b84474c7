//===- LengthTables.cpp - Values of the body at every length --------------===//
#include "targets/common/LengthTables.h"

#include "dialects/SpAttn/Eval/SpecEvaluator.h"

#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::spattn {

FailureOr<std::vector<LengthRuns>> tabulate(Block &body, ArrayRef<Value> values,
                                            int64_t lo, int64_t hi) {
  std::vector<LengthRuns> runs(values.size());
  llvm::DenseMap<Value, Attribute> folded;
  for (int64_t length = lo; length <= hi; ++length) {
    if (failed(foldBodyAt(body, length, folded)))
      return failure();
    for (auto [index, value] : llvm::enumerate(values))
      runs[index].add(length, cast<IntegerAttr>(folded.lookup(value))
                                  .getValue()
                                  .getSExtValue());
  }
  return runs;
}

} // namespace mlir::spattn
