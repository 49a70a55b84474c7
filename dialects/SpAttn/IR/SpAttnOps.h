//===- SpAttnOps.h - spattn operations ---------------------------*- C++ -*-===//
#ifndef SPATTN_DIALECT_SPATTN_IR_SPATTNOPS_H
#define SPATTN_DIALECT_SPATTN_IR_SPATTNOPS_H

#include "dialects/SpAttn/IR/SpAttnDialect.h"
#include "dialects/SpAttn/IR/SpAttnTypes.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::spattn {
/// The longest key length a spec may serve (2^20 tokens). Tools evaluate
/// budgets at every length of a bucket, so the bound keeps them fast.
constexpr int64_t kMaxKeyLength = int64_t{1} << 20;
} // namespace mlir::spattn

#define GET_OP_CLASSES
#include "dialects/SpAttn/IR/SpAttnOps.h.inc"

#endif
