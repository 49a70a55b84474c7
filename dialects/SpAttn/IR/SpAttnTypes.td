//===- SpAttnTypes.td - spattn types -----------------------*- tablegen -*-===//
#ifndef SPATTN_TYPES_TD
#define SPATTN_TYPES_TD

include "SpAttnDialect.td"
include "mlir/IR/AttrTypeBase.td"

class SpAttn_Type<string name, string typeMnemonic>
    : TypeDef<SpAttn_Dialect, name> {
  let mnemonic = typeMnemonic;
}

def SpAttn_PatternType : SpAttn_Type<"Pattern", "pattern"> {
  let summary = "an attention sparsity pattern";
  let description = [{
    A predicate `M(h, i, j)` over (query head, query row, key column), built
    from pattern primitives and combinators. Its parameters are evaluated at
    the key length of each call.
  }];
}

#endif // SPATTN_TYPES_TD
