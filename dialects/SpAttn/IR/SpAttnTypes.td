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

def SpAttn_BlocksType : SpAttn_Type<"Blocks", "blocks"> {
  let summary = "a block schedule: per query tile, the key tiles it visits";
  let description = [{
    The lowered form of a pattern (`--spattn-lower-to-blocks`). For each
    query tile `q` (rows at positions `[q * block_q, (q + 1) * block_q)`) it
    gives the key tiles the kernel visits, each *full* (every pair is kept,
    no per-token test) or *partial* (the token predicate decides), together
    with the exact token predicate. Expanding it gives the reference mask.
  }];
}

def SpAttn_ScoresType : SpAttn_Type<"Scores", "scores"> {
  let summary = "estimated scores of a content-based stage";
}

def SpAttn_SelectionType : SpAttn_Type<"Selection", "selection"> {
  let summary = "the indices a selection stage kept (blocks, pages, columns, offsets)";
}

#endif // SPATTN_TYPES_TD
