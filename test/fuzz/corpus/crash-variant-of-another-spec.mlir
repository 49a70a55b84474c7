#map = affine_map<(d0)[s0] -> (0)>
#map1 = affine_map<(d0)[s0] -> (s0 floordiv 64)>
#map2 = affine_map<(d0)[s0] -> (s0 ceildiv 64)>
#map3 = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 63) floordiv 64 + 1)>
#map4 = affine_map<(d0)[s0] -> (d0)>
#map5 = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 1) floordiv 64, 0)>
#map6 = affine_map<(d0)[s0] -> (d0 + 1)>
#map7 = affine_map<(d0) -> (0)>
#map8 = affine_map<(d0) -> (d0)>
#map9 = affine_map<(d0) -> (d0 + 1)>
#set = affine_set<(d0, d1)[s0] : (-d1 + s0 - 1 >= 0)>
#set1 = affine_set<(d0, d1)[s0] : (d0 - d1 >= 0, -d0 + s0 - 1 + d1 >= 0)>
#set2 = affine_set<(d0)[s0] : (s0 - 1 >= 0)>
#set3 = affine_set<(d0, d1) : (d0 - d1 >= 0)>
module {
  spattn.spec @block_topk attributes {buckets = array<i64: 64, 128>, causal, dtype = bf16, head_dim = 128 : i64, num_kv_heads = 8 : i64, num_q_heads = 16 : i64} {
  ^bb0(%L: index):
    %c64 = arith.constant 64 : index
    %0 = spattn.budget.power %L {coeff = 2.500000e-01 : f64, exponent = 5.000000e-01 : f64}
    %1 = spattn.budget.clamp %0 {max = 128 : i64, min = 4 : i64}
    %2 = spattn.topk_blocks %1 block 64
    %3 = spattn.sink %c64
    %4 = spattn.window %c64
    %5 = spattn.union %2, %3, %4
    spattn.yield %5
  }
  spattn.variant @block_topk_b0 attributes {block_k = 64 : i64, block_q = 64 : i64, bucket = 0 : i64, budget_labels = ["topk_blocks.count", "sink.count", "window.size"], budget_max = array<i64: 4, 64, 64>, budget_min = array<i64: 4, 64, 64>, causal, density_low = 1.000000e+00 : f64, hi = 64 : i64, lo = 1 : i64, spec = @other, strategy = "dense"} {
  ^bb0(%L: index):
    %c64 = arith.constant 64 : index
    %c4 = arith.constant 4 : index
    %0 = spattn.estimate.pooled block 64
    %1 = spattn.select.topk %0, %c4 capacity 1
    %2 = spattn.blocks.selected %1
    %3 = spattn.blocks.affine[%c64] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map, touch_upper = #map2}
    %4 = spattn.blocks.affine[%c64] {full_lower = #map3, full_upper = #map4, keep = #set1, touch_lower = #map5, touch_upper = #map6, touch_when = #set2}
    %5 = spattn.blocks.union %2, %3, %4
    %6 = spattn.blocks.affine[] {full_lower = #map7, full_upper = #map8, keep = #set3, touch_lower = #map7, touch_upper = #map9}
    %7 = spattn.blocks.intersect %5, %6
    spattn.yield %7 : !spattn.blocks
  }
  spattn.variant @block_topk_b1 attributes {block_k = 64 : i64, block_q = 64 : i64, bucket = 1 : i64, budget_labels = ["topk_blocks.count", "sink.count", "window.size"], budget_max = array<i64: 4, 64, 64>, budget_min = array<i64: 4, 64, 64>, causal, density_low = 1.000000e+00 : f64, hi = 128 : i64, lo = 65 : i64, spec = @other, strategy = "dense"} {
  ^bb0(%L: index):
    %c64 = arith.constant 64 : index
    %c4 = arith.constant 4 : index
    %0 = spattn.estimate.pooled block 64
    %1 = spattn.select.topk %0, %c4 capacity 2
    %2 = spattn.blocks.selected %1
    %3 = spattn.blocks.affine[%c64] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map, touch_upper = #map2}
    %4 = spattn.blocks.affine[%c64] {full_lower = #map3, full_upper = #map4, keep = #set1, touch_lower = #map5, touch_upper = #map6, touch_when = #set2}
    %5 = spattn.blocks.union %2, %3, %4
    %6 = spattn.blocks.affine[] {full_lower = #map7, full_upper = #map8, keep = #set3, touch_lower = #map7, touch_upper = #map9}
    %7 = spattn.blocks.intersect %5, %6
    spattn.yield %7 : !spattn.blocks
  }
}

