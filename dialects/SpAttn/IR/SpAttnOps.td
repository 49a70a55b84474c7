//===- SpAttnOps.td - spattn operations --------------------*- tablegen -*-===//
#ifndef SPATTN_OPS_TD
#define SPATTN_OPS_TD

include "SpAttnDialect.td"
include "SpAttnTypes.td"
include "SpAttnAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// The spec
//===----------------------------------------------------------------------===//

def SpAttn_SpecOp : SpAttn_Op<"spec", [Symbol, IsolatedFromAbove, SingleBlock,
    NoTerminator,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>]> {
  let summary = "a sparse attention specification: the unit of one library";
  let description = [{
    Describes one attention computation: its shape (`head_dim`, `num_q_heads`,
    `num_kv_heads`), element type (`dtype`: f32, f16 or bf16), `causal`,
    an optional `scale` (default `1/sqrt(head_dim)`), the length buckets the
    compiler specializes for (`buckets`: strictly increasing upper bounds of
    the key length) and the kernel tile sizes `block_q`, `block_k` (powers of
    two, default 64).

    The region has one block with one argument, the key length `%L : index`,
    and ends in `spattn.yield` of the pattern. Its body may only hold `arith`,
    `math` and `spattn` operations, so that every budget is a function of `%L`
    and constants.

    ```mlir
    spattn.spec @streaming attributes {head_dim = 128 : i64,
        num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16,
        causal, buckets = array<i64: 4096, 32768>} {
    ^bb0(%L: index):
      %c4 = arith.constant 4 : index
      %w = spattn.budget.power %L {coeff = 16.0, exponent = 0.5}
      %s = spattn.sink %c4
      %l = spattn.window %w
      %p = spattn.union %s, %l
      spattn.yield %p
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       I64Attr:$head_dim,
                       I64Attr:$num_q_heads,
                       I64Attr:$num_kv_heads,
                       TypeAttr:$dtype,
                       UnitAttr:$causal,
                       OptionalAttr<F64Attr>:$scale,
                       DenseI64ArrayAttr:$buckets,
                       DefaultValuedAttr<SpAttn_BlockSizeAttr, "64">:$block_q,
                       DefaultValuedAttr<SpAttn_BlockSizeAttr, "64">:$block_k);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The key length `%L`.
    ::mlir::BlockArgument getLength() { return getBody().getArgument(0); }
    /// The pattern the body yields.
    ::mlir::Value getPattern();
  }];
}

def SpAttn_YieldOp : SpAttn_Op<"yield", [Pure, Terminator, HasParent<"SpecOp">]> {
  let summary = "yields the pattern of a spec";
  let arguments = (ins SpAttn_PatternType:$pattern);
  let assemblyFormat = "$pattern attr-dict";
}

//===----------------------------------------------------------------------===//
// Pattern primitives
//===----------------------------------------------------------------------===//

// Budget operands below their least valid value (0 for sizes and counts, 1
// for strides) are rejected when they are constants; see
// getPatternParameters.
def SpAttn_CheckedParameters : NativeOpTrait<"CheckedParameters"> {
  let cppNamespace = "::mlir::spattn";
}

class SpAttn_PatternOp<string mnemonic, list<Trait> traits = []>
    : SpAttn_Op<mnemonic, !listconcat(traits, [Pure, HasParent<"SpecOp">,
                                                SpAttn_CheckedParameters])> {
  let results = (outs SpAttn_PatternType:$result);
}

def SpAttn_WindowOp : SpAttn_PatternOp<"window"> {
  let summary = "local window: p(i) - size < j <= p(i), or |p(i) - j| < size";
  let description = [{
    Each query keeps the `size` keys ending at its own position. With
    `symmetric`, the keys at distance less than `size` on either side.
  }];
  let arguments = (ins Index:$size, UnitAttr:$symmetric);
  let assemblyFormat = "$size (`symmetric` $symmetric^)? attr-dict";
}

def SpAttn_SinkOp : SpAttn_PatternOp<"sink"> {
  let summary = "attention sinks / global keys: j < count";
  let arguments = (ins Index:$count);
  let assemblyFormat = "$count attr-dict";
}

def SpAttn_GlobalQueriesOp : SpAttn_PatternOp<"global_queries"> {
  let summary = "global queries: rows with p(i) < count see every key";
  let arguments = (ins Index:$count);
  let assemblyFormat = "$count attr-dict";
}

def SpAttn_StridedOp : SpAttn_PatternOp<"strided"> {
  let summary = "strided: (p(i) - j) mod stride == 0";
  let arguments = (ins Index:$stride);
  let assemblyFormat = "$stride attr-dict";
}

def SpAttn_DilatedWindowOp : SpAttn_PatternOp<"dilated_window"> {
  let summary = "dilated window: `size` taps `dilation` apart ending at p(i)";
  let arguments = (ins Index:$size, Index:$dilation);
  let assemblyFormat = "$size `dilation` $dilation attr-dict";
}

def SpAttn_BlockLayoutOp : SpAttn_PatternOp<"block_layout"> {
  let summary = "explicit block matrix; blocks outside it are not kept";
  let description = [{
    `layout` lists the rows of a (query block x key block) matrix, each a
    string of `1` (kept) and `0` (skipped); all rows have the same length.
  }];
  let arguments = (ins SpAttn_LayoutAttr:$layout, SpAttn_BlockSizeAttr:$block);
  let assemblyFormat = "$layout `block` $block attr-dict";
  let hasVerifier = 1;
}

def SpAttn_RandomBlocksOp : SpAttn_PatternOp<"random_blocks"> {
  let summary = "`count` random candidate key blocks per (head, query block)";
  let description = [{
    Chosen by the counter-based hash of `docs/semantics.md`, identical on
    every target for the same `seed`.
  }];
  let arguments = (ins Index:$count, SpAttn_BlockSizeAttr:$block,
                       DefaultValuedAttr<I64Attr, "0">:$seed);
  let assemblyFormat = "$count `block` $block attr-dict";
  let hasVerifier = 1;
}

def SpAttn_TopkBlocksOp : SpAttn_PatternOp<"topk_blocks"> {
  let summary = "content-based: top `count` key blocks by pooled score";
  let description = [{
    Per (head, query block), scores each candidate key block by the dot
    product of the mean-pooled query block and mean-pooled key block and keeps
    the `count` best (ties: lower block index).
  }];
  let arguments = (ins Index:$count, SpAttn_BlockSizeAttr:$block);
  let assemblyFormat = "$count `block` $block attr-dict";
  let hasVerifier = 1;
}

def SpAttn_VerticalSlashOp : SpAttn_PatternOp<"vertical_slash"> {
  let summary = "content-based: top key columns and diagonals (MInference)";
  let description = [{
    Estimates attention from the last `last_queries` query rows and keeps the
    `verticals` best key columns and the `slashes` best diagonals
    (offset `p(i) - j`).
  }];
  let arguments = (ins Index:$verticals, Index:$slashes, Index:$last_queries);
  let assemblyFormat = [{
    $verticals `,` $slashes `last` $last_queries attr-dict
  }];
}

def SpAttn_MassOp : SpAttn_PatternOp<"mass"> {
  let summary = "content-based: fewest key blocks reaching softmax mass gamma";
  let description = [{
    Per (head, query block), keeps the fewest candidate key blocks whose
    estimated softmax mass reaches `gamma` (in (0, 1]), at most `max_blocks`
    (FlexPrefill-style input-adaptive budget).
  }];
  let arguments = (ins Index:$max_blocks, F64Attr:$gamma,
                       SpAttn_BlockSizeAttr:$block);
  let assemblyFormat = "$max_blocks `gamma` $gamma `block` $block attr-dict";
  let hasVerifier = 1;
}

def SpAttn_PagesOp : SpAttn_PatternOp<"pages"> {
  let summary = "content-based decode-time page selection (Quest)";
  let description = [{
    Per query row, keeps the `count` pages of `page` keys with the highest
    upper-bound score from per-page key minima and maxima.
  }];
  let arguments = (ins Index:$count, SpAttn_BlockSizeAttr:$page);
  let assemblyFormat = "$count `page` $page attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Combinators
//===----------------------------------------------------------------------===//

def SpAttn_UnionOp : SpAttn_PatternOp<"union"> {
  let summary = "keeps a pair kept by any input pattern";
  let arguments = (ins Variadic<SpAttn_PatternType>:$inputs);
  let assemblyFormat = "$inputs attr-dict";
  let hasVerifier = 1;
}

def SpAttn_IntersectOp : SpAttn_PatternOp<"intersect"> {
  let summary = "keeps a pair kept by every input pattern";
  let arguments = (ins Variadic<SpAttn_PatternType>:$inputs);
  let assemblyFormat = "$inputs attr-dict";
  let hasVerifier = 1;
}

def SpAttn_PerHeadOp : SpAttn_PatternOp<"per_head"> {
  let summary = "gives different query heads different patterns";
  let description = [{
    Input `k` serves query heads `heads[k] <= h < heads[k+1]` (the last one up
    to `num_q_heads`). `heads` starts at 0 and is strictly increasing.

    ```mlir
    %p = spattn.per_head %dense_heads, %local_heads heads [0, 8]
    ```
  }];
  let arguments = (ins Variadic<SpAttn_PatternType>:$inputs,
                       DenseI64ArrayAttr:$heads);
  let assemblyFormat = "$inputs `heads` $heads attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Budget helpers (index -> index, evaluated at the call's L)
//===----------------------------------------------------------------------===//

class SpAttn_BudgetOp<string mnemonic, list<Trait> traits = []>
    : SpAttn_Op<"budget." # mnemonic, !listconcat(traits, [Pure])> {
  let results = (outs Index:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def SpAttn_BudgetPowerOp : SpAttn_BudgetOp<"power"> {
  let summary = "power-law budget: floor(coeff * x^exponent)";
  let arguments = (ins Index:$input, F64Attr:$coeff, F64Attr:$exponent);
  let assemblyFormat = "$input attr-dict";
}

def SpAttn_BudgetFractionOp : SpAttn_BudgetOp<"fraction"> {
  let summary = "fractional budget: floor(fraction * x), fraction in (0, 1]";
  let arguments = (ins Index:$input, F64Attr:$fraction);
  let assemblyFormat = "$input attr-dict";
}

def SpAttn_BudgetClampOp : SpAttn_BudgetOp<"clamp"> {
  let summary = "clamps a budget to [min, max]";
  let arguments = (ins Index:$input, I64Attr:$min, I64Attr:$max);
  let assemblyFormat = "$input attr-dict";
}

def SpAttn_BudgetAlignOp : SpAttn_BudgetOp<"align"> {
  let summary = "rounds a budget up to a multiple of a block size";
  let arguments = (ins Index:$input, SpAttn_BlockSizeAttr:$multiple);
  let assemblyFormat = "$input attr-dict";
}

#endif // SPATTN_OPS_TD
