//===- TokenProgram.h - Run a user-written token predicate ------*- C++ -*-===//
//
// `spattn.predicate` regions become straight-line programs of these
// instructions (dialects/SpAttn/IR/SpAttnPredicate.cpp compiles them). The
// reference, the schedule evaluator and every library run them with
// runTokenProgram, so the arithmetic of docs/semantics.md (wrapping mod
// 2^64, 0 for a division by zero, INT64_MIN / -1 = INT64_MIN) exists once.
// Registers 0-3 hold h, p(i), j and L, then the budget arguments, then one
// register per instruction.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_TOKENPROGRAM_H
#define SPATTN_CORE_TOKENPROGRAM_H

#include "core/IntegerMath.h"

#include <cstdint>

namespace spattn::core {

enum class TokenOp : uint8_t {
  Constant,                // imm
  Add, Sub, Mul,           // wrap around mod 2^64
  DivS, RemS,              // truncating
  FloorDivS, CeilDivS,
  MinS, MaxS,
  And, Or, Xor,            // bitwise (i1 values are 0 / 1)
  Compare,                 // `compare` of a and b: 0 / 1
  Select,                  // a ? b : c
};

/// As arith.cmpi's predicates.
enum class TokenCompare : uint8_t { Eq, Ne, Slt, Sle, Sgt, Sge, Ult, Ule, Ugt, Uge };

struct TokenInstruction {
  TokenOp op;
  TokenCompare compare;
  int32_t a, b, c; // operand registers
  int64_t imm;
};

constexpr int32_t kTokenHead = 0, kTokenPosition = 1, kTokenKey = 2,
                  kTokenLength = 3, kTokenFirstArgument = 4;

/// One instruction on operand values a, b, c (c: Select's else value).
/// Generated code calls this with constant `op` and `compare`, so each
/// instruction folds to its one operation.
SPATTN_HOST_DEVICE inline int64_t evalToken(TokenOp op, TokenCompare compare,
                                            int64_t a, int64_t b, int64_t c,
                                            int64_t imm) {
  uint64_t ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
  switch (op) {
  case TokenOp::Constant: return imm;
  case TokenOp::Add: return static_cast<int64_t>(ua + ub);
  case TokenOp::Sub: return static_cast<int64_t>(ua - ub);
  case TokenOp::Mul: return static_cast<int64_t>(ua * ub);
  case TokenOp::DivS:
    return b == 0 ? 0 : b == -1 ? static_cast<int64_t>(0 - ua) : a / b;
  case TokenOp::RemS: return b == 0 || b == -1 ? 0 : a % b;
  case TokenOp::FloorDivS:
    return b == -1 ? static_cast<int64_t>(0 - ua) : floorDiv(a, b);
  case TokenOp::CeilDivS:
    return b == -1 ? static_cast<int64_t>(0 - ua) : ceilDiv(a, b);
  case TokenOp::MinS: return a < b ? a : b;
  case TokenOp::MaxS: return a > b ? a : b;
  case TokenOp::And: return a & b;
  case TokenOp::Or: return a | b;
  case TokenOp::Xor: return a ^ b;
  case TokenOp::Select: return a ? b : c;
  case TokenOp::Compare:
    switch (compare) {
    case TokenCompare::Eq: return a == b;
    case TokenCompare::Ne: return a != b;
    case TokenCompare::Slt: return a < b;
    case TokenCompare::Sle: return a <= b;
    case TokenCompare::Sgt: return a > b;
    case TokenCompare::Sge: return a >= b;
    case TokenCompare::Ult: return ua < ub;
    case TokenCompare::Ule: return ua <= ub;
    case TokenCompare::Ugt: return ua > ub;
    case TokenCompare::Uge: return ua >= ub;
    }
  }
  return 0;
}

SPATTN_HOST_DEVICE inline int64_t applyToken(const TokenInstruction &in,
                                             const int64_t *r) {
  return evalToken(in.op, in.compare, r[in.a], r[in.b],
                   in.op == TokenOp::Select ? r[in.c] : 0, in.imm);
}

/// Whether the program keeps (h, p(i) = position, j = key) at length L.
/// `registers` holds kTokenFirstArgument + numArguments + numInstructions.
SPATTN_HOST_DEVICE inline bool runTokenProgram(
    const TokenInstruction *code, int32_t numInstructions, int32_t result,
    int32_t numArguments, int64_t head, int64_t position, int64_t key,
    int64_t length, const int64_t *args, int64_t *registers) {
  registers[kTokenHead] = head;
  registers[kTokenPosition] = position;
  registers[kTokenKey] = key;
  registers[kTokenLength] = length;
  for (int32_t k = 0; k < numArguments; ++k)
    registers[kTokenFirstArgument + k] = args[k];
  int32_t next = kTokenFirstArgument + numArguments;
  for (int32_t k = 0; k < numInstructions; ++k)
    registers[next++] = applyToken(code[k], registers);
  return registers[result] & 1;
}

} // namespace spattn::core

#endif
