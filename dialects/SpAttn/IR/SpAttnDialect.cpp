//===- SpAttnDialect.cpp - spattn dialect registration --------------------===//
#include "dialects/SpAttn/IR/SpAttnDialect.h"
#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "dialects/SpAttn/IR/SpAttnTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::spattn;

#include "dialects/SpAttn/IR/SpAttnDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/SpAttn/IR/SpAttnTypes.cpp.inc"

void SpAttnDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/SpAttn/IR/SpAttnTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/SpAttn/IR/SpAttnOps.cpp.inc"
      >();
}

// Folded budgets become arith constants, so canonicalization can fold a
// whole budget chain once %L is known.
Operation *SpAttnDialect::materializeConstant(OpBuilder &builder,
                                              Attribute value, Type type,
                                              Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}

void mlir::spattn::registerSpecDialects(DialectRegistry &registry) {
  registry.insert<SpAttnDialect, arith::ArithDialect, math::MathDialect>();
}
