//===- SpAttnOps.td - spattn operations --------------------*- tablegen -*-===//
#ifndef SPATTN_OPS_TD
#define SPATTN_OPS_TD

include "SpAttnDialect.td"
include "SpAttnTypes.td"
include "SpAttnAttrs.td"
include "SpAttnInterfaces.td"
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

    The region has one block whose first argument is the key length
    `%L : index`, and ends in `spattn.yield` of the pattern. Its body may only
    hold `arith`, `math` and `spattn` operations, so that every budget is a
    function of `%L`, the request parameters and constants.

    `request` (optional) declares request parameters: named integers that
    every call passes, each in an inclusive range, as a list of entries like
    `{name = "quality", min = 0, max = 4}`. Each adds one `index`
    argument after `%L`, in declaration order, usable in budgets exactly like
    `%L`. Names are C identifiers; the ranges together allow at most 4096
    combinations of values (a library tabulates its budgets per length and
    combination).

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
                       DefaultValuedAttr<SpAttn_BlockSizeAttr, "64">:$block_k,
                       OptionalAttr<ArrayAttr>:$request);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The key length `%L`.
    ::mlir::BlockArgument getLength() { return getBody().getArgument(0); }
    /// The pattern the body yields.
    ::mlir::Value getPattern();
    /// The declared request parameters (none without `request`); only
    /// meaningful on a verified op.
    ::std::vector<::mlir::spattn::RequestParameter> getRequestParameters();
  }];
}

def SpAttn_VariantOp : SpAttn_Op<"variant", [Symbol, IsolatedFromAbove,
    SingleBlock, NoTerminator,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>]> {
  let summary = "one length bucket of a spec, specialized";
  let description = [{
    Made by `--spattn-specialize-buckets`: one per bucket `[lo, hi]` of the
    spec `@spec`. The body is the spec's body with every budget that is
    constant over the bucket replaced by that constant. Attributes record
    what later passes and tools read:

    - `budget_labels`, `budget_min`, `budget_max`: every budget of the spec
      (labelled as in `--emit=summary`) and its exact minimum and maximum
      over every `L` in the bucket;
    - `density_low`: the kept fraction at `L = lo`;
    - `strategy`: `"dense"` (visit every candidate tile, masked) when
      `density_low` reaches the pass's threshold, `"sparse"` otherwise;
    - `block_q`, `block_k`, `causal`: copied from the spec.

    `--spattn-lower-to-blocks` then turns the body's pattern into a block
    schedule (`!spattn.blocks`). Budgets are still evaluated at each call's
    `L` (and request values); a variant only serves lengths in `[lo, hi]`.
    The body takes the spec's arguments: `%L`, then one per request
    parameter; budget bounds and `density_low` cover every request value.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       FlatSymbolRefAttr:$spec,
                       I64Attr:$bucket, I64Attr:$lo, I64Attr:$hi,
                       StrAttr:$strategy, F64Attr:$density_low,
                       StrArrayAttr:$budget_labels,
                       DenseI64ArrayAttr:$budget_min,
                       DenseI64ArrayAttr:$budget_max,
                       SpAttn_BlockSizeAttr:$block_q,
                       SpAttn_BlockSizeAttr:$block_k,
                       UnitAttr:$causal);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::BlockArgument getLength() { return getBody().getArgument(0); }
    /// The pattern or block schedule the body yields.
    ::mlir::Value getResult();
  }];
}

def SpAttn_YieldOp : SpAttn_Op<"yield", [Pure, Terminator,
    ParentOneOf<["SpecOp", "VariantOp"]>]> {
  let summary = "yields the pattern (or block schedule) of a spec or variant";
  let arguments = (ins AnyTypeOf<[SpAttn_PatternType, SpAttn_BlocksType]>:$pattern);
  // The type is spelled only for a block schedule: `spattn.yield %p` in specs.
  let hasCustomAssemblyFormat = 1;
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
    : SpAttn_Op<mnemonic, !listconcat(traits, [Pure,
    ParentOneOf<["SpecOp", "VariantOp"]>, SpAttn_CheckedParameters,
    DeclareOpInterfaceMethods<SpAttn_PatternOpInterface>])> {
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

def SpAttn_PredicateOp : SpAttn_PatternOp<"predicate", [IsolatedFromAbove, SingleBlock]> {
  let summary = "user-written token predicate over (h, p(i), j, L, budgets)";
  let description = [{
    Keeps `(i, j)` for query head `h` iff the region yields true. The region
    has one block whose arguments are `%h`, `%pos` (the position `p(i)`),
    `%j`, `%L` and then one `index` per operand (budgets computed from `%L`
    outside, passed in). Its body is straight-line `arith` on `index` and
    `i1` values: `constant`, `addi`, `subi`, `muli`, `divsi`, `remsi`,
    `floordivsi`, `ceildivsi`, `minsi`, `maxsi`, `andi`, `ori`, `xori`,
    `cmpi`, `select`; it ends in `spattn.predicate.yield` of an `i1`. The
    arithmetic is fixed in `docs/semantics.md` (wrapping, and 0 for a
    division by zero). Composes with every combinator.

    When the predicate is a conjunction/disjunction of comparisons that are
    affine in `(p(i), j)` (with budgets and `L` as symbols), the lowering
    classifies tiles exactly in closed form; otherwise the library
    classifies them itself, once per length and head.

    ```mlir
    // Keys at most w behind, or in the same 256-key segment.
    %p = spattn.predicate (%w) {
    ^bb0(%h: index, %pos: index, %j: index, %L: index, %w: index):
      %c256 = arith.constant 256 : index
      %d = arith.subi %pos, %j : index
      %near = arith.cmpi ult, %d, %w : index
      %a = arith.floordivsi %pos, %c256 : index
      %b = arith.floordivsi %j, %c256 : index
      %same = arith.cmpi eq, %a, %b : index
      %keep = arith.ori %near, %same : i1
      spattn.predicate.yield %keep
    }
    ```
  }];
  let arguments = (ins Variadic<Index>:$args);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "`(` $args `)` $body attr-dict";
  let hasRegionVerifier = 1;
}

def SpAttn_PredicateYieldOp : SpAttn_Op<"predicate.yield", [Pure, Terminator,
    ParentOneOf<["PredicateOp", "BlocksPredicateOp"]>]> {
  let summary = "yields whether a predicate keeps the pair";
  let arguments = (ins I1:$keep);
  let assemblyFormat = "$keep attr-dict";
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

//===----------------------------------------------------------------------===//
// Block schedules (made by --spattn-lower-to-blocks)
//===----------------------------------------------------------------------===//
//
// Tiles: query tile q holds positions [q*block_q, (q+1)*block_q), key tile c
// keys [c*block_k, (c+1)*block_k). Every consumer clips key tiles to the
// ones that exist, [0, ceil(L / block_k)), and visits only query tiles with a
// present row.

class SpAttn_BlocksOp<string mnemonic, list<Trait> traits = []>
    : SpAttn_Op<"blocks." # mnemonic, !listconcat(traits,
                [Pure, HasParent<"VariantOp">,
                 DeclareOpInterfaceMethods<SpAttn_ScheduleOpInterface>])> {
  let results = (outs SpAttn_BlocksType:$result);
}

def SpAttn_BlocksAffineOp : SpAttn_BlocksOp<"affine"> {
  let summary = "key tiles with closed-form bounds and an affine token predicate";
  let description = [{
    The lowering of `window`, `sink`, `global_queries`, `strided`,
    `dilated_window` and the causal mask. Maps and sets take the query tile
    `d0` as their dimension and `symbols` (budgets, `%L`) as their symbols.

    - *touched* tiles `[max(touch_lower), min(touch_upper))`, only where
      `touch_when(q)` holds: every tile that may keep a pair;
    - *full* tiles `[max(full_lower), min(full_upper))` where `full_when(q)`
      holds (absent: none): a subset in which every pair is kept;
    - `keep(p, j)`: the exact token predicate, position `p = p(i)`, key `j`.

    Touched tiles outside the full range are partial.

    ```mlir
    // window(%w) with 64x64 tiles
    %0 = spattn.blocks.affine [%w] {
      touch_when = affine_set<(d0)[s0] : (s0 - 1 >= 0)>,
      touch_lower = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 1) floordiv 64, 0)>,
      touch_upper = affine_map<(d0)[s0] -> (d0 + 1)>,
      full_lower = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 63) floordiv 64 + 1)>,
      full_upper = affine_map<(d0)[s0] -> ((d0 * 64 + 1) floordiv 64)>,
      keep = affine_set<(d0, d1)[s0] : (d0 - d1 >= 0, s0 - d0 + d1 - 1 >= 0)>}
    ```
  }];
  let arguments = (ins Variadic<Index>:$symbols,
                       AffineMapAttr:$touch_lower, AffineMapAttr:$touch_upper,
                       OptionalAttr<IntegerSetAttr>:$touch_when,
                       OptionalAttr<AffineMapAttr>:$full_lower,
                       OptionalAttr<AffineMapAttr>:$full_upper,
                       OptionalAttr<IntegerSetAttr>:$full_when,
                       IntegerSetAttr:$keep);
  let assemblyFormat = "`[` $symbols `]` attr-dict";
  let hasVerifier = 1;
}

def SpAttn_BlocksLayoutOp : SpAttn_BlocksOp<"layout"> {
  let summary = "key tiles of an explicit block matrix";
  let description = [{
    The lowering of `block_layout`: the tiles overlapping a kept `block`
    square; full when the tile lies inside one kept square.
  }];
  let arguments = (ins SpAttn_LayoutAttr:$layout, SpAttn_BlockSizeAttr:$block);
  let assemblyFormat = "$layout `block` $block attr-dict";
}

def SpAttn_BlocksPredicateOp : SpAttn_BlocksOp<"predicate",
    [IsolatedFromAbove, SingleBlock]> {
  let summary = "tiles of a token predicate that is not affine";
  let description = [{
    The schedule of a `spattn.predicate` (or of a part of one) that the
    lowering could not classify in closed form: the region is the
    predicate's, its operands the predicate's budgets. Tiles are classified
    by evaluating the predicate on their pairs, once per (length, head) in
    a library (and cached); partial tiles apply it per token.
  }];
  let arguments = (ins Variadic<Index>:$args);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "`(` $args `)` $body attr-dict";
}

def SpAttn_BlocksSelectedOp : SpAttn_BlocksOp<"selected"> {
  let summary = "attend stage: the key tiles a selection kept";
  let description = [{
    The tiles overlapping the blocks, pages, columns or diagonals that a
    `spattn.select.*` stage chose. Full only when one tile lies inside one
    chosen block for every row it holds (block selections with
    `block >= block_q` and `block >= block_k`); partial otherwise, the
    token predicate being membership in the selection.
  }];
  let arguments = (ins SpAttn_SelectionType:$selection);
  let assemblyFormat = "$selection attr-dict";
}

def SpAttn_BlocksUnionOp : SpAttn_BlocksOp<"union"> {
  let summary = "tiles of any input; full where any input is full";
  let description = [{
    Overlapping ranges are merged: a tile appears once, full if any input
    has it full, else partial.
  }];
  let arguments = (ins Variadic<SpAttn_BlocksType>:$inputs);
  let assemblyFormat = "$inputs attr-dict";
  let hasVerifier = 1;
}

def SpAttn_BlocksIntersectOp : SpAttn_BlocksOp<"intersect"> {
  let summary = "tiles of every input; full where every input is full";
  let description = [{
    Ranges are clipped to their overlap: a tile kept by every input, full
    only if full in each.
  }];
  let arguments = (ins Variadic<SpAttn_BlocksType>:$inputs);
  let assemblyFormat = "$inputs attr-dict";
  let hasVerifier = 1;
}

def SpAttn_BlocksPerHeadOp : SpAttn_BlocksOp<"per_head"> {
  let summary = "input k serves query heads [heads[k], heads[k+1])";
  let arguments = (ins Variadic<SpAttn_BlocksType>:$inputs,
                       DenseI64ArrayAttr:$heads);
  let assemblyFormat = "$inputs `heads` $heads attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Selection stages: estimate -> select (the attend stage is blocks.selected)
//===----------------------------------------------------------------------===//
//
// `capacity` is the most indices a stage can keep anywhere in the variant's
// bucket (from the bucket's largest budget), so buffers are sized statically.

class SpAttn_StageOp<string mnemonic, Type resultType, list<Trait> traits = []>
    : SpAttn_Op<mnemonic, !listconcat(traits, [Pure, HasParent<"VariantOp">])> {
  let results = (outs resultType:$result);
}

def SpAttn_EstimatePooledOp
    : SpAttn_StageOp<"estimate.pooled", SpAttn_ScoresType> {
  let summary = "block scores of mean-pooled query and key blocks";
  let description = [{
    `scale * <pooled q block, pooled key block>` over the candidate key
    blocks of each query block (topk_blocks, mass).
  }];
  let arguments = (ins SpAttn_BlockSizeAttr:$block);
  let assemblyFormat = "`block` $block attr-dict";
}

def SpAttn_EstimateHashOp : SpAttn_StageOp<"estimate.hash", SpAttn_ScoresType> {
  let summary = "counter-based hash ranks of candidate key blocks (random_blocks)";
  let arguments = (ins SpAttn_BlockSizeAttr:$block, I64Attr:$seed);
  let assemblyFormat = "`block` $block `seed` $seed attr-dict";
}

def SpAttn_EstimatePageBoundsOp
    : SpAttn_StageOp<"estimate.page_bounds", SpAttn_ScoresType> {
  let summary = "per-page key min/max and each row's upper-bound page score";
  let arguments = (ins SpAttn_BlockSizeAttr:$page);
  let assemblyFormat = "`page` $page attr-dict";
}

def SpAttn_EstimateLastQueriesOp
    : SpAttn_StageOp<"estimate.last_queries", SpAttn_ScoresType> {
  let summary = "column and diagonal scores from the last queries' softmax";
  let arguments = (ins Index:$last_queries);
  let assemblyFormat = "$last_queries attr-dict";
}

def SpAttn_SelectTopkOp : SpAttn_StageOp<"select.topk", SpAttn_SelectionType,
    [DeclareOpInterfaceMethods<SpAttn_SelectionOpInterface>]> {
  let summary = "keeps the `count` best-scored candidates (ties: lower index)";
  let arguments = (ins SpAttn_ScoresType:$scores, Index:$count,
                       I64Attr:$capacity);
  let assemblyFormat = "$scores `,` $count `capacity` $capacity attr-dict";
}

def SpAttn_SelectMassOp : SpAttn_StageOp<"select.mass", SpAttn_SelectionType,
    [DeclareOpInterfaceMethods<SpAttn_SelectionOpInterface>]> {
  let summary = "keeps the fewest blocks reaching estimated mass `gamma`";
  let arguments = (ins SpAttn_ScoresType:$scores, Index:$max_blocks,
                       F64Attr:$gamma, I64Attr:$capacity);
  let assemblyFormat = [{
    $scores `,` $max_blocks `gamma` $gamma `capacity` $capacity attr-dict
  }];
}

def SpAttn_SelectVerticalSlashOp
    : SpAttn_StageOp<"select.vertical_slash", SpAttn_SelectionType,
    [DeclareOpInterfaceMethods<SpAttn_SelectionOpInterface>]> {
  let summary = "keeps the best key columns and diagonals";
  let arguments = (ins SpAttn_ScoresType:$scores, Index:$verticals,
                       Index:$slashes, I64Attr:$capacity_verticals,
                       I64Attr:$capacity_slashes);
  let assemblyFormat = [{
    $scores `,` $verticals `,` $slashes `capacity` $capacity_verticals `,`
    $capacity_slashes attr-dict
  }];
}

#endif // SPATTN_OPS_TD
