//===- TokenProgram.h - A user-written token predicate, as data -*- C++ -*-===//
//
// `spattn.predicate` in the reference: the region compiled into a
// straight-line program (core/TokenProgram.h holds its instructions and
// the one definition of their arithmetic). No MLIR here, so the reference
// stays independent of the compiler.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_REFERENCE_TOKENPROGRAM_H
#define SPATTN_REFERENCE_TOKENPROGRAM_H

#include "core/TokenProgram.h"

#include <cstdint>
#include <vector>

namespace spattn::ref {

struct TokenProgram {
  int32_t numArguments = 0; // budget arguments after h, p(i), j, L
  std::vector<core::TokenInstruction> code;
  int32_t result = 0; // register of the kept (i1) value

  int32_t numRegisters() const {
    return core::kTokenFirstArgument + numArguments + static_cast<int32_t>(code.size());
  }
  /// Whether (h, p(i), j) is kept at L; `registers` holds numRegisters().
  bool evaluate(int64_t head, int64_t position, int64_t key, int64_t length,
                const int64_t *args, int64_t *registers) const {
    return core::runTokenProgram(code.data(), static_cast<int32_t>(code.size()), result,
                                 numArguments, head, position, key, length, args,
                                 registers);
  }
};

} // namespace spattn::ref

#endif
