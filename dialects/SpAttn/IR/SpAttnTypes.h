//===- SpAttnTypes.h - spattn types ------------------------------*- C++ -*-===//
#ifndef SPATTN_DIALECT_SPATTN_IR_SPATTNTYPES_H
#define SPATTN_DIALECT_SPATTN_IR_SPATTNTYPES_H

#include "mlir/IR/Types.h"

#define GET_TYPEDEF_CLASSES
#include "dialects/SpAttn/IR/SpAttnTypes.h.inc"

#endif
