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

#define GET_OP_CLASSES
#include "dialects/SpAttn/IR/SpAttnOps.h.inc"

#endif
