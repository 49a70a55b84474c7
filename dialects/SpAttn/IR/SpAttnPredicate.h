//===- SpAttnPredicate.h - spattn.predicate as a token program --*- C++ -*-===//
//
// The region of a `spattn.predicate` compiled into the reference's
// straight-line TokenProgram (reference/TokenProgram.h). The verifier uses
// it to reject what the program cannot express, SpecEvaluator to give the
// reference its predicate, and the lowering and the libraries to run it.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_DIALECT_SPATTN_IR_SPATTNPREDICATE_H
#define SPATTN_DIALECT_SPATTN_IR_SPATTNPREDICATE_H

#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "reference/TokenProgram.h"

namespace mlir::spattn {

/// Compiles the predicate's region; with `emitErrors`, a located diagnostic
/// at the first op that is not supported.
FailureOr<::spattn::ref::TokenProgram> compilePredicate(Region &body,
                                                        bool emitErrors);

} // namespace mlir::spattn

#endif
