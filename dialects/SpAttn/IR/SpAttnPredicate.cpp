//===- SpAttnPredicate.cpp - spattn.predicate ------------------------------===//
//
// Verification, parameters and the reference node of `spattn.predicate`
// (its lowering is in SpAttnPredicateLowering.cpp), and the compilation of
// its region into a TokenProgram.
//
//===----------------------------------------------------------------------===//
#include "dialects/SpAttn/IR/SpAttnPredicate.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::spattn;
using ::spattn::ref::TokenProgram;

namespace {

using TokenOp = ::spattn::core::TokenOp;
using Compare = ::spattn::core::TokenCompare;

FailureOr<Compare> compareOf(arith::CmpIPredicate predicate) {
  switch (predicate) {
  case arith::CmpIPredicate::eq: return Compare::Eq;
  case arith::CmpIPredicate::ne: return Compare::Ne;
  case arith::CmpIPredicate::slt: return Compare::Slt;
  case arith::CmpIPredicate::sle: return Compare::Sle;
  case arith::CmpIPredicate::sgt: return Compare::Sgt;
  case arith::CmpIPredicate::sge: return Compare::Sge;
  case arith::CmpIPredicate::ult: return Compare::Ult;
  case arith::CmpIPredicate::ule: return Compare::Ule;
  case arith::CmpIPredicate::ugt: return Compare::Ugt;
  case arith::CmpIPredicate::uge: return Compare::Uge;
  }
  return failure();
}

} // namespace

FailureOr<TokenProgram> mlir::spattn::compilePredicate(Region &body, bool emitErrors) {
  Block &block = body.front();
  TokenProgram program;
  program.numArguments = static_cast<int32_t>(block.getNumArguments()) - 4;
  llvm::DenseMap<Value, int32_t> registers;
  for (BlockArgument argument : block.getArguments())
    registers[argument] = argument.getArgNumber();
  auto fail = [&](Operation &op, const Twine &why) -> FailureOr<TokenProgram> {
    if (emitErrors)
      op.emitOpError() << why;
    return failure();
  };
  for (Operation &op : block) {
    if (auto yield = dyn_cast<PredicateYieldOp>(op)) {
      program.result = registers.lookup(yield.getKeep());
      continue;
    }
    for (Type type : op.getResultTypes())
      if (!type.isIndex() && !type.isInteger(1))
        return fail(op, "in a spattn.predicate must produce index or i1 values");
    ::spattn::core::TokenInstruction in{TokenOp::Constant, Compare::Eq, 0, 0, 0, 0};
    auto binary = [&](TokenOp kind) {
      in.op = kind;
      return success();
    };
    LogicalResult known =
        llvm::TypeSwitch<Operation *, LogicalResult>(&op)
            .Case([&](arith::ConstantOp c) {
              auto value = dyn_cast<IntegerAttr>(c.getValue());
              if (!value)
                return failure();
              in.imm = value.getType().isInteger(1) ? value.getValue().getZExtValue()
                                                    : value.getValue().getSExtValue();
              return success();
            })
            .Case([&](arith::AddIOp) { return binary(TokenOp::Add); })
            .Case([&](arith::SubIOp) { return binary(TokenOp::Sub); })
            .Case([&](arith::MulIOp) { return binary(TokenOp::Mul); })
            .Case([&](arith::DivSIOp) { return binary(TokenOp::DivS); })
            .Case([&](arith::RemSIOp) { return binary(TokenOp::RemS); })
            .Case([&](arith::FloorDivSIOp) { return binary(TokenOp::FloorDivS); })
            .Case([&](arith::CeilDivSIOp) { return binary(TokenOp::CeilDivS); })
            .Case([&](arith::MinSIOp) { return binary(TokenOp::MinS); })
            .Case([&](arith::MaxSIOp) { return binary(TokenOp::MaxS); })
            .Case([&](arith::AndIOp) { return binary(TokenOp::And); })
            .Case([&](arith::OrIOp) { return binary(TokenOp::Or); })
            .Case([&](arith::XOrIOp) { return binary(TokenOp::Xor); })
            .Case([&](arith::SelectOp) { return binary(TokenOp::Select); })
            .Case([&](arith::CmpIOp c) {
              FailureOr<Compare> compare = compareOf(c.getPredicate());
              if (failed(compare))
                return failure();
              in.op = TokenOp::Compare;
              in.compare = *compare;
              return success();
            })
            .Default([](Operation *) { return failure(); });
    if (failed(known))
      return fail(op, "is not supported in a spattn.predicate: use arith "
                      "constant, addi, subi, muli, divsi, remsi, floordivsi, "
                      "ceildivsi, minsi, maxsi, andi, ori, xori, cmpi or select");
    int32_t *slots[] = {&in.a, &in.b, &in.c};
    for (auto [k, operand] : llvm::enumerate(op.getOperands()))
      *slots[k] = registers.lookup(operand);
    registers[op.getResult(0)] =
        ::spattn::core::kTokenFirstArgument + program.numArguments +
        static_cast<int32_t>(program.code.size());
    program.code.push_back(in);
  }
  return program;
}

LogicalResult PredicateOp::verifyRegions() {
  Block &block = getBody().front();
  if (block.getNumArguments() != 4 + getArgs().size() ||
      !llvm::all_of(block.getArgumentTypes(), [](Type t) { return t.isIndex(); }))
    return emitOpError() << "region must take (%h, %pos, %j, %L) and one index "
                            "per operand, all of type index ("
                         << 4 + getArgs().size() << " arguments)";
  if (block.empty() || !isa<PredicateYieldOp>(block.back()))
    return emitOpError() << "region must end in spattn.predicate.yield";
  return success(succeeded(compilePredicate(getBody(), /*emitErrors=*/true)));
}

SmallVector<PatternParameter> PredicateOp::getPatternParameters() {
  SmallVector<PatternParameter> parameters;
  for (Value arg : getArgs())
    parameters.push_back({arg, "arg", 0});
  return parameters;
}

::spattn::ref::Pattern PredicateOp::toReference(ArrayRef<int64_t> parameters,
                                                std::vector<::spattn::ref::Pattern>) {
  ::spattn::ref::Pattern p;
  p.kind = ::spattn::ref::PatternKind::Predicate;
  p.program = std::make_shared<TokenProgram>(*compilePredicate(getBody(), false));
  p.arguments.assign(parameters.begin(), parameters.end());
  return p;
}
