//===- SpAttnDialect.td - The spattn dialect ---------------*- tablegen -*-===//
#ifndef SPATTN_DIALECT_TD
#define SPATTN_DIALECT_TD

include "mlir/IR/OpBase.td"

def SpAttn_Dialect : Dialect {
  let name = "spattn";
  let cppNamespace = "::mlir::spattn";
  let summary = "Sparse attention specifications with length-dependent budgets";
  let description = [{
    The `spattn` dialect describes a sparse attention computation: which keys
    each query attends to (a *pattern* built from primitives and combinators)
    and how much each query keeps as a function of the key length `L` (a
    *budget*). A `spattn.spec` is the unit that becomes one AOT library. Its
    region has one block argument `%L : index`; pattern parameters are `index`
    values computed from `%L` with `arith`, `math` and `spattn.budget.*` ops.

    The token-level meaning of every primitive is normative and fixed in
    `docs/semantics.md`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
  let useDefaultTypePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

class SpAttn_Op<string mnemonic, list<Trait> traits = []>
    : Op<SpAttn_Dialect, mnemonic, traits>;

#endif // SPATTN_DIALECT_TD
