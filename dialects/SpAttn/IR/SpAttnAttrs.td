//===- SpAttnAttrs.td - spattn attribute constraints -------*- tablegen -*-===//
#ifndef SPATTN_ATTRS_TD
#define SPATTN_ATTRS_TD

include "mlir/IR/CommonAttrConstraints.td"

// Block sizes are static: kernels are specialized for them. Positivity and
// power-of-two are checked by the op verifiers, which name the bad value.
defvar SpAttn_BlockSizeAttr = I64Attr;

// Rows of an explicit block matrix, each a string of '1' (kept) and '0'.
def SpAttn_LayoutAttr : TypedArrayAttrBase<StrAttr, "block layout rows">;

#endif // SPATTN_ATTRS_TD
