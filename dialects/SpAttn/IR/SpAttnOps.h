//===- SpAttnOps.h - spattn operations ---------------------------*- C++ -*-===//
#ifndef SPATTN_DIALECT_SPATTN_IR_SPATTNOPS_H
#define SPATTN_DIALECT_SPATTN_IR_SPATTNOPS_H

#include "dialects/SpAttn/IR/SpAttnDialect.h"
#include "dialects/SpAttn/IR/SpAttnTypes.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IntegerSet.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "dialects/SpAttn/IR/SpAttnBlocksNode.h"
#include "reference/Pattern.h"

#include <string>
#include <vector>

namespace mlir::spattn {
/// The longest key length a spec may serve (2^20 tokens). Tools evaluate
/// budgets at every length of a bucket, so the bound keeps them fast.
constexpr int64_t kMaxKeyLength = int64_t{1} << 20;
/// Bounds on the static shape, far above real models (head_dim <= 576 in
/// shipped LLMs), so that tools never size buffers from absurd values.
constexpr int64_t kMaxHeadDim = 1024;
constexpr int64_t kMaxHeads = 1024;
/// The largest block_q / block_k (kernel tile sizes; the examples use <= 128).
constexpr int64_t kMaxTileSize = 1024;
/// Bounds on a spec's size, far above real specs (<= 5 buckets, <= 12
/// pattern ops in examples/): the compiler estimates each bucket's density
/// on up to 4096 rows of its length, each row costing O(Lk) per pattern op
/// (seconds at Lk = 2^20), so these bound its time.
constexpr int64_t kMaxBuckets = 32;
constexpr int64_t kMaxPatternOps = 128;
/// The largest value a pattern parameter may take (SpecEvaluator checks
/// it). Lengths are at most kMaxKeyLength, so a larger budget keeps nothing
/// more; bounded here, sums and products of two parameters stay far inside
/// int64 in every mask, schedule and selection computation, and every value
/// fits an int32.
constexpr int64_t kMaxParameterValue = INT32_MAX;
/// The largest magnitude any subexpression of a block schedule's affine
/// maps and sets may reach, with dimensions (tiles, tokens) up to
/// kMaxKeyLength and symbols (%L, parameters) up to kMaxParameterValue:
/// generated code and the compiler evaluate them in int64.
constexpr double kMaxAffineMagnitude = 0x1p62;

/// Whether `name` is a C identifier (spec names of libraries, request
/// parameter names).
bool isCIdentifier(StringRef name);

/// A request parameter a spec declares: a named integer every call passes,
/// in [minimum, maximum]; the body's argument 1 + k for the k-th.
struct RequestParameter {
  std::string name;
  int64_t minimum = 0, maximum = 0;
};

/// A budget operand of a pattern op, named as in ODS, with the least value it
/// may take at a call (1 for strides and estimation rows, else 0).
struct PatternParameter {
  Value value;
  const char *name;
  int64_t minimum;
};

/// The budget operands of a pattern op in operand order (empty for others).
SmallVector<PatternParameter> getPatternParameters(Operation *op);

class BlockLowering;

/// A block layout's rows as CSR groups of kept key blocks: row r holds
/// indices[offsets[r] .. offsets[r + 1]). `offsets` starts with 0.
void layoutRowsAsGroups(ArrayAttr layout, std::vector<int64_t> &offsets,
                        std::vector<int64_t> &indices);

/// Rejects constant budget operands below their minimum.
LogicalResult verifyPatternParameters(Operation *op);

template <typename ConcreteType>
class CheckedParameters
    : public OpTrait::TraitBase<ConcreteType, CheckedParameters> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return verifyPatternParameters(op);
  }
};
} // namespace mlir::spattn

#include "dialects/SpAttn/IR/SpAttnInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/SpAttn/IR/SpAttnOps.h.inc"

#endif
