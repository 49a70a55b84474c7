// RUN: spattn-opt %s -split-input-file --spattn-specialize-buckets --spattn-lower-to-blocks --mlir-print-local-scope | FileCheck %s

// Tiles are 64 x 64 here: query tile d0 covers positions [64 d0, 64 d0 + 63].
// A causal window w: touched key tiles [(64 d0 - w + 1) floordiv 64, d0],
// full ones [(64 d0 + 63 - w) floordiv 64 + 1, (64 d0 + 1) floordiv 64), the
// token predicate 0 <= p - j < w; the root is intersected with the causal
// mask (full below the diagonal tile, predicate p - j >= 0).
// CHECK-LABEL: spattn.variant @window_b0
// CHECK:       %[[W:.*]] = spattn.budget.power %L
// CHECK:       %[[WIN:.*]] = spattn.blocks.affine[%[[W]]] {
// CHECK-SAME:    full_lower = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 63) floordiv 64 + 1)>
// CHECK-SAME:    full_upper = affine_map<(d0)[s0] -> (d0)>
// CHECK-SAME:    keep = affine_set<(d0, d1)[s0] : (d0 - d1 >= 0, -d0 + s0 - 1 + d1 >= 0)>
// CHECK-SAME:    touch_lower = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 1) floordiv 64, 0)>
// CHECK-SAME:    touch_upper = affine_map<(d0)[s0] -> (d0 + 1)>
// CHECK-SAME:    touch_when = affine_set<(d0)[s0] : (s0 - 1 >= 0)>}
// CHECK:       %[[CAUSAL:.*]] = spattn.blocks.affine[] {
// CHECK-SAME:    full_lower = affine_map<(d0) -> (0)>, full_upper = affine_map<(d0) -> (d0)>
// CHECK-SAME:    keep = affine_set<(d0, d1) : (d0 - d1 >= 0)>
// CHECK-SAME:    touch_lower = affine_map<(d0) -> (0)>, touch_upper = affine_map<(d0) -> (d0 + 1)>}
// CHECK:       %[[ROOT:.*]] = spattn.blocks.intersect %[[WIN]], %[[CAUSAL]]
// CHECK-NEXT:  spattn.yield %[[ROOT]] : !spattn.blocks
// CHECK-NEXT:  }
spattn.spec @window attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.budget.power %L {coeff = 2.0, exponent = 0.5}
  %p = spattn.window %w
  spattn.yield %p
}

// -----

// Non-causal: no causal leaf. Sinks s: touched [0, ceil(s / 64)), full
// [0, s floordiv 64). A symmetric window: touched [(64 d0 - w + 1) floordiv 64,
// (64 d0 + 63 + w - 1) floordiv 64 + 1), full [ceil((64 d0 + 63 - w + 1) / 64),
// (64 d0 + w) floordiv 64). The union is one op over both leaves.
// CHECK-LABEL: spattn.variant @sinks_symmetric_b0
// CHECK:       %[[S:.*]] = spattn.blocks.affine[%c100] {
// CHECK-SAME:    full_lower = affine_map<(d0)[s0] -> (0)>, full_upper = affine_map<(d0)[s0] -> (s0 floordiv 64)>
// CHECK-SAME:    keep = affine_set<(d0, d1)[s0] : (-d1 + s0 - 1 >= 0)>
// CHECK-SAME:    touch_lower = affine_map<(d0)[s0] -> (0)>, touch_upper = affine_map<(d0)[s0] -> (s0 ceildiv 64)>}
// CHECK:       %[[SYM:.*]] = spattn.blocks.affine[%c8] {
// CHECK-SAME:    full_lower = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 64) ceildiv 64)>
// CHECK-SAME:    full_upper = affine_map<(d0)[s0] -> (d0 + s0 floordiv 64)>
// CHECK-SAME:    keep = affine_set<(d0, d1)[s0] : (-d0 + s0 - 1 + d1 >= 0, d0 + s0 - 1 - d1 >= 0)>
// CHECK-SAME:    touch_upper = affine_map<(d0)[s0] -> ((d0 * 64 + s0 + 62) floordiv 64 + 1)>
// CHECK:       %[[U:.*]] = spattn.blocks.union %[[S]], %[[SYM]]
// CHECK-NEXT:  spattn.yield %[[U]] : !spattn.blocks
spattn.spec @sinks_symmetric attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c100 = arith.constant 100 : index
  %c8 = arith.constant 8 : index
  %s = spattn.sink %c100
  %w = spattn.window %c8 symmetric
  %p = spattn.union %s, %w
  spattn.yield %p
}

// -----

// global_queries g: a tile is touched when its first position is below g and
// full when its last one is; both span every key tile, ceil(L / 64) of them.
// strided t: every key tile touched, all full only when t == 1; predicate
// (p - j) mod t == 0. dilated_window(w, t): touched like a window of
// (w - 1) t + 1 keys, full only when t == 1.
// CHECK-LABEL: spattn.variant @rows_strides_b0
// CHECK:       spattn.blocks.affine[%c4, %L] {
// CHECK-SAME:    full_when = affine_set<(d0)[s0, s1] : (-(d0 * 64 + 63) + s0 - 1 >= 0)>
// CHECK-SAME:    keep = affine_set<(d0, d1)[s0, s1] : (-d0 + s0 - 1 >= 0)>
// CHECK-SAME:    touch_upper = affine_map<(d0)[s0, s1] -> (s1 ceildiv 64)>
// CHECK-SAME:    touch_when = affine_set<(d0)[s0, s1] : (d0 * -64 + s0 - 1 >= 0)>}
// CHECK:       spattn.blocks.affine[%c3, %L] {
// CHECK-SAME:    full_when = affine_set<(d0)[s0, s1] : (s0 - 1 == 0)>
// CHECK-SAME:    keep = affine_set<(d0, d1)[s0, s1] : ((d0 - d1) mod s0 == 0)>
// CHECK:       spattn.blocks.affine[%c4, %c2] {
// CHECK-SAME:    full_when = affine_set<(d0)[s0, s1] : (s1 - 1 == 0)>
// CHECK-SAME:    keep = affine_set<(d0, d1)[s0, s1] : (d0 - d1 >= 0, -d0 + (s0 - 1) * s1 + d1 >= 0, (d0 - d1) mod s1 == 0)>
// CHECK-SAME:    touch_lower = affine_map<(d0)[s0, s1] -> (d0 + (-((s0 - 1) * s1)) floordiv 64, 0)>
// CHECK:       spattn.blocks.intersect
// CHECK:       spattn.blocks.union
spattn.spec @rows_strides attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %c3 = arith.constant 3 : index
  %c2 = arith.constant 2 : index
  %g = spattn.global_queries %c4
  %s = spattn.strided %c3
  %d = spattn.dilated_window %c4 dilation %c2
  %x = spattn.intersect %s, %d
  %p = spattn.union %g, %x
  spattn.yield %p
}

// -----

// Content-based patterns become estimate -> select -> attend stages. The
// capacity is the bucket's largest budget, at most the candidates at the
// bucket's upper length: top-k of 40 blocks of 64 keys at L <= 1024 is capped
// at 16; 8 pages of 16 stay 8; mass keeps at most 5 blocks of 128 but L = 1024
// has only 8; vertical_slash keeps 8 columns and 2000 offsets capped at 1024
// (causal offsets 0 <= d < L). random_blocks is a hash "estimate".
// CHECK-LABEL: spattn.variant @stages_b0
// CHECK:       %[[E1:.*]] = spattn.estimate.pooled block 64
// CHECK-NEXT:  %[[S1:.*]] = spattn.select.topk %[[E1]], %c40 capacity 16
// CHECK-NEXT:  %[[A1:.*]] = spattn.blocks.selected %[[S1]]
// CHECK:       %[[E2:.*]] = spattn.estimate.page_bounds page 16
// CHECK-NEXT:  spattn.select.topk %[[E2]], %c8 capacity 8
// CHECK:       %[[E3:.*]] = spattn.estimate.pooled block 128
// CHECK-NEXT:  spattn.select.mass %[[E3]], %c5 gamma 9.000000e-01 capacity 5
// CHECK:       %[[E4:.*]] = spattn.estimate.last_queries %c64
// CHECK-NEXT:  spattn.select.vertical_slash %[[E4]], %c8, %c2000 capacity 8, 1024
// CHECK:       %[[E5:.*]] = spattn.estimate.hash block 32 seed 9
// CHECK-NEXT:  spattn.select.topk %[[E5]], %c8 capacity 8
// CHECK:       spattn.blocks.layout ["01", "11"] block 256
spattn.spec @stages attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c40 = arith.constant 40 : index
  %c8 = arith.constant 8 : index
  %c5 = arith.constant 5 : index
  %c2000 = arith.constant 2000 : index
  %c64 = arith.constant 64 : index
  %t = spattn.topk_blocks %c40 block 64
  %q = spattn.pages %c8 page 16
  %m = spattn.mass %c5 gamma 0.9 block 128
  %v = spattn.vertical_slash %c8, %c2000 last %c64
  %r = spattn.random_blocks %c8 block 32 {seed = 9}
  %l = spattn.block_layout ["01", "11"] block 256
  %p = spattn.union %t, %q, %m, %v, %r, %l
  spattn.yield %p
}

// -----

// per_head keeps its head starts; each input is lowered on its own. The maps
// follow the variant's tile sizes (block_q = 32, block_k = 128).
// CHECK-LABEL: spattn.variant @heads_b0
// CHECK:       %[[A:.*]] = spattn.blocks.affine[%c16] {
// CHECK-SAME:    touch_upper = affine_map<(d0)[s0] -> (s0 ceildiv 128)>
// CHECK:       %[[B:.*]] = spattn.blocks.affine[%c16] {
// CHECK-SAME:    touch_lower = affine_map<(d0)[s0] -> ((d0 * 32 - s0 + 1) floordiv 128, 0)>
// CHECK-SAME:    touch_upper = affine_map<(d0)[s0] -> ((d0 * 32 + 31) floordiv 128 + 1)>
// CHECK:       spattn.blocks.per_head %[[A]], %[[B]] heads [0, 2]
spattn.spec @heads attributes {head_dim = 16 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, block_q = 32 : i64, block_k = 128 : i64, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c16 = arith.constant 16 : index
  %s = spattn.sink %c16
  %w = spattn.window %c16
  %p = spattn.per_head %s, %w heads [0, 2]
  spattn.yield %p
}

// -----

// spattn.predicate: the affine comparison 2j >= p becomes one affine leaf:
// j >= ceil(p / 2) is touched from the tile of ceil(qs / 2) (the smallest
// bound, at the first position qs = 64 d0) and full from the first tile
// starting at or after ceil(qe / 2) (qe = 64 d0 + 63), every tile up to
// ceil(L / 64). The head-dependent part becomes a spattn.blocks.predicate
// over a copy of the region yielding that part; the two are intersected as
// the andi says.
// CHECK-LABEL: spattn.variant @predicate_b0
// CHECK:       %[[HALF:.*]] = spattn.blocks.affine[%L] {
// CHECK-SAME:    full_lower = affine_map<(d0)[s0] -> (((d0 * 64 + 63) ceildiv 2) ceildiv 64, 0)>
// CHECK-SAME:    full_upper = affine_map<(d0)[s0] -> (s0 ceildiv 64)>
// CHECK-SAME:    keep = affine_set<(d0, d1)[s0] : (d1 * 2 - d0 >= 0)>
// CHECK-SAME:    touch_lower = affine_map<(d0)[s0] -> ((d0 * 32) floordiv 64, 0)>
// CHECK:       %[[HEAD:.*]] = spattn.blocks.predicate() {
// CHECK:         %[[R:.*]] = arith.remsi
// CHECK:         %[[EVEN:.*]] = arith.cmpi eq, %[[R]]
// CHECK:         spattn.predicate.yield %[[EVEN]]
// CHECK:       spattn.blocks.intersect %[[HALF]], %[[HEAD]]
spattn.spec @predicate attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 512>} {
^bb0(%L: index):
  %p = spattn.predicate () {
  ^bb0(%h: index, %pos: index, %j: index, %len: index):
    %c2 = arith.constant 2 : index
    %c0 = arith.constant 0 : index
    %twice = arith.muli %j, %c2 : index
    %half = arith.cmpi sge, %twice, %pos : index
    %r = arith.remsi %h, %c2 : index
    %even = arith.cmpi eq, %r, %c0 : index
    %keep = arith.andi %half, %even : i1
    spattn.predicate.yield %keep
  }
  spattn.yield %p
}
