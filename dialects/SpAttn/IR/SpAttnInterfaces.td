//===- SpAttnInterfaces.td - spattn op interfaces ----------*- tablegen -*-===//
#ifndef SPATTN_INTERFACES_TD
#define SPATTN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def SpAttn_PatternOpInterface : OpInterface<"PatternOpInterface"> {
  let description = [{
    What the compiler needs of a pattern primitive or combinator, so that
    verification, evaluation, the summary and the lowering to block
    schedules dispatch through the op rather than through switches over
    every op: a new primitive is its op definition, these three methods and
    its semantics in `docs/semantics.md`.
  }];
  let cppNamespace = "::mlir::spattn";
  let methods = [
    InterfaceMethod<[{
        The budget operands in operand order, named as in ODS, with the least
        value each may take at a call (1 for strides, else 0).
      }],
      "::llvm::SmallVector<::mlir::spattn::PatternParameter>",
      "getPatternParameters">,
    InterfaceMethod<[{
        The reference semantics' node of this op when its budgets evaluate
        to `parameters` (in getPatternParameters order) and its pattern
        inputs to `inputs`.
      }],
      "::spattn::ref::Pattern", "toReference",
      (ins "::llvm::ArrayRef<int64_t>":$parameters,
           "std::vector<::spattn::ref::Pattern>":$inputs)>,
    InterfaceMethod<[{
        Builds this op's block schedule (`!spattn.blocks`) at the lowering's
        insertion point: an affine leaf, an estimate/select stage, or a
        combination of the inputs' schedules.
      }],
      "::mlir::Value", "lowerToBlocks",
      (ins "::mlir::spattn::BlockLowering &":$lowering)>,
  ];
}

def SpAttn_ScheduleOpInterface : OpInterface<"ScheduleOpInterface"> {
  let description = [{
    A node of a lowered block schedule (`!spattn.blocks`) describes itself
    as data (SpAttnBlocksNode.h), so the schedule evaluator and the library
    plan read every schedule op the same way.
  }];
  let cppNamespace = "::mlir::spattn";
  let methods = [
    InterfaceMethod<[{The node's kind and data.}],
      "::mlir::spattn::BlocksNode", "describe">,
  ];
}

def SpAttn_SelectionOpInterface : OpInterface<"SelectionOpInterface"> {
  let description = [{
    A selection stage (`spattn.select.*` over the `spattn.estimate.*` it
    reads) describes itself as data (SpAttnBlocksNode.h): which selection,
    its block, seed, gamma, budget operands and capacities.
  }];
  let cppNamespace = "::mlir::spattn";
  let methods = [
    InterfaceMethod<[{The stage's kind and data.}],
      "::mlir::spattn::SelectionNode", "describeSelection">,
  ];
}

#endif // SPATTN_INTERFACES_TD
