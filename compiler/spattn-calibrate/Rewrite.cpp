//===- Rewrite.cpp - The fitted spec --------------------------------------===//
#include "Rewrite.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace mlir::spattn;

namespace spattn::calibrate {

void applyValues(const std::vector<Tunable> &tunables,
                 const std::vector<size_t> &which,
                 const std::vector<double> &values) {
  for (size_t s = 0; s < which.size(); ++s)
    setTunableValue(tunables[which[s]], values[s]);
}

LogicalResult splitIntoGroups(SpecOp spec, const std::vector<Tunable> &tunables,
                              const std::vector<ProposedGroup> &groups) {
  std::vector<size_t> all;
  for (size_t t = 0; t < tunables.size(); ++t)
    all.push_back(t);
  applyValues(tunables, all, groups.front().fit.values);
  if (groups.size() == 1)
    return success();

  Block &body = spec.getBody().front();
  Operation *yield = body.getTerminator();
  Value pattern = spec.getPattern();
  llvm::SmallPtrSet<Operation *, 16> slice = backwardSliceOf(pattern);
  // Ops of the pattern's slice that depend on a tunable, in program order.
  llvm::SmallPtrSet<Operation *, 16> dependent;
  for (const Tunable &t : tunables)
    dependent.insert(t.op);
  std::vector<Operation *> toClone;
  for (Operation &op : body) {
    if (!slice.contains(&op))
      continue;
    bool depends = dependent.contains(&op);
    for (Value operand : op.getOperands())
      if (Operation *def = operand.getDefiningOp())
        depends |= dependent.contains(def);
    if (depends) {
      dependent.insert(&op);
      toClone.push_back(&op);
    }
  }

  OpBuilder builder(yield);
  SmallVector<Value> inputs{pattern};
  SmallVector<int64_t> starts{groups.front().begin};
  for (size_t g = 1; g < groups.size(); ++g) {
    IRMapping mapping;
    for (Operation *op : toClone)
      builder.clone(*op, mapping);
    for (size_t t = 0; t < tunables.size(); ++t) {
      Operation *clone =
          mapping.lookup(tunables[t].op->getResult(0)).getDefiningOp();
      Tunable copy = tunables[t];
      copy.op = clone;
      setTunableValue(copy, groups[g].fit.values[t]);
    }
    inputs.push_back(mapping.lookupOrDefault(pattern));
    starts.push_back(groups[g].begin);
  }
  auto perHead = PerHeadOp::create(builder, yield->getLoc(), pattern.getType(),
                                   inputs, starts);
  yield->setOperand(0, perHead.getResult());
  return verify(spec);
}

void printSpec(SpecOp spec, llvm::raw_ostream &os) {
  spec->print(os);
  os << "\n";
}

} // namespace spattn::calibrate
