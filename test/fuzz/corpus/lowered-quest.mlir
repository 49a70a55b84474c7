#map = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 63) floordiv 64 + 1)>
#map1 = affine_map<(d0)[s0] -> (d0)>
#map2 = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 1) floordiv 64, 0)>
#map3 = affine_map<(d0)[s0] -> (d0 + 1)>
#map4 = affine_map<(d0) -> (0)>
#map5 = affine_map<(d0) -> (d0)>
#map6 = affine_map<(d0) -> (d0 + 1)>
#set = affine_set<(d0, d1)[s0] : (d0 - d1 >= 0, -d0 + s0 - 1 + d1 >= 0)>
#set1 = affine_set<(d0)[s0] : (s0 - 1 >= 0)>
#set2 = affine_set<(d0, d1) : (d0 - d1 >= 0)>
module {
  spattn.spec @quest attributes {buckets = array<i64: 64, 128>, causal, dtype = f16, head_dim = 128 : i64, num_kv_heads = 8 : i64, num_q_heads = 16 : i64} {
  ^bb0(%L: index):
    %c16 = arith.constant 16 : index
    %0 = spattn.budget.fraction %L {fraction = 6.250000e-02 : f64}
    %1 = spattn.budget.clamp %0 {max = 4096 : i64, min = 128 : i64}
    %2 = arith.divui %1, %c16 : index
    %3 = spattn.pages %2 page 16
    %4 = spattn.window %c16
    %5 = spattn.union %3, %4
    spattn.yield %5
  }
  spattn.variant @quest_b0 attributes {block_k = 64 : i64, block_q = 64 : i64, bucket = 0 : i64, budget_labels = ["pages.count", "window.size"], budget_max = array<i64: 8, 16>, budget_min = array<i64: 8, 16>, causal, density_low = 1.000000e+00 : f64, hi = 64 : i64, lo = 1 : i64, spec = @quest, strategy = "dense"} {
  ^bb0(%L: index):
    %c16 = arith.constant 16 : index
    %c8 = arith.constant 8 : index
    %0 = spattn.estimate.page_bounds page 16
    %1 = spattn.select.topk %0, %c8 capacity 4
    %2 = spattn.blocks.selected %1
    %3 = spattn.blocks.affine[%c16] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map2, touch_upper = #map3, touch_when = #set1}
    %4 = spattn.blocks.union %2, %3
    %5 = spattn.blocks.affine[] {full_lower = #map4, full_upper = #map5, keep = #set2, touch_lower = #map4, touch_upper = #map6}
    %6 = spattn.blocks.intersect %4, %5
    spattn.yield %6 : !spattn.blocks
  }
  spattn.variant @quest_b1 attributes {block_k = 64 : i64, block_q = 64 : i64, bucket = 1 : i64, budget_labels = ["pages.count", "window.size"], budget_max = array<i64: 8, 16>, budget_min = array<i64: 8, 16>, causal, density_low = 1.000000e+00 : f64, hi = 128 : i64, lo = 65 : i64, spec = @quest, strategy = "dense"} {
  ^bb0(%L: index):
    %c16 = arith.constant 16 : index
    %c8 = arith.constant 8 : index
    %0 = spattn.estimate.page_bounds page 16
    %1 = spattn.select.topk %0, %c8 capacity 8
    %2 = spattn.blocks.selected %1
    %3 = spattn.blocks.affine[%c16] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map2, touch_upper = #map3, touch_when = #set1}
    %4 = spattn.blocks.union %2, %3
    %5 = spattn.blocks.affine[] {full_lower = #map4, full_upper = #map5, keep = #set2, touch_lower = #map4, touch_upper = #map6}
    %6 = spattn.blocks.intersect %4, %5
    spattn.yield %6 : !spattn.blocks
  }
}

