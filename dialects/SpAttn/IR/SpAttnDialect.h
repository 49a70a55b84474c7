//===- SpAttnDialect.h - The spattn dialect ----------------------*- C++ -*-===//
#ifndef SPATTN_DIALECT_SPATTN_IR_SPATTNDIALECT_H
#define SPATTN_DIALECT_SPATTN_IR_SPATTNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Dialect.h"

#include "dialects/SpAttn/IR/SpAttnDialect.h.inc"

namespace mlir::spattn {
/// The dialects a spec may use (spattn, arith, math): every tool registers
/// these and nothing else.
void registerSpecDialects(DialectRegistry &registry);
} // namespace mlir::spattn

#endif
