#map = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 64) ceildiv 64)>
#map1 = affine_map<(d0)[s0] -> (d0 + s0 floordiv 64)>
#map2 = affine_map<(d0)[s0] -> ((d0 * 64 - s0 + 1) floordiv 64, 0)>
#map3 = affine_map<(d0)[s0] -> ((d0 * 64 + s0 + 62) floordiv 64 + 1)>
#map4 = affine_map<(d0)[s0, s1] -> (0)>
#map5 = affine_map<(d0)[s0, s1] -> (s1 ceildiv 64)>
#map6 = affine_map<(d0)[s0] -> (0)>
#map7 = affine_map<(d0)[s0] -> (s0 floordiv 64)>
#map8 = affine_map<(d0)[s0] -> (s0 ceildiv 64)>
#set = affine_set<(d0, d1)[s0] : (-d0 + s0 - 1 + d1 >= 0, d0 + s0 - 1 - d1 >= 0)>
#set1 = affine_set<(d0)[s0] : (s0 - 1 >= 0)>
#set2 = affine_set<(d0)[s0, s1] : (-(d0 * 64 + 63) + s0 - 1 >= 0)>
#set3 = affine_set<(d0, d1)[s0, s1] : (-d0 + s0 - 1 >= 0)>
#set4 = affine_set<(d0)[s0, s1] : (d0 * -64 + s0 - 1 >= 0)>
#set5 = affine_set<(d0, d1)[s0] : (-d1 + s0 - 1 >= 0)>
module {
  spattn.spec @bigbird attributes {buckets = array<i64: 64, 128>, dtype = bf16, head_dim = 128 : i64, num_kv_heads = 8 : i64, num_q_heads = 16 : i64} {
  ^bb0(%L: index):
    %c96 = arith.constant 96 : index
    %c128 = arith.constant 128 : index
    %0 = spattn.budget.power %L {coeff = 5.000000e-02 : f64, exponent = 5.000000e-01 : f64}
    %1 = spattn.budget.clamp %0 {max = 8 : i64, min = 2 : i64}
    %2 = spattn.window %c96 symmetric
    %3 = spattn.global_queries %c128
    %4 = spattn.sink %c128
    %5 = spattn.random_blocks %1 block 64 {seed = 42 : i64}
    %6 = spattn.union %2, %3, %4, %5
    spattn.yield %6
  }
  spattn.variant @bigbird_b0 attributes {block_k = 64 : i64, block_q = 64 : i64, bucket = 0 : i64, budget_labels = ["window.size", "global_queries.count", "sink.count", "random_blocks.count"], budget_max = array<i64: 96, 128, 128, 2>, budget_min = array<i64: 96, 128, 128, 2>, density_low = 1.000000e+00 : f64, hi = 64 : i64, lo = 1 : i64, spec = @bigbird, strategy = "dense"} {
  ^bb0(%L: index):
    %c96 = arith.constant 96 : index
    %c128 = arith.constant 128 : index
    %0 = spattn.blocks.affine[%c96] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map2, touch_upper = #map3, touch_when = #set1}
    %1 = spattn.blocks.affine[%c128, %L] {full_lower = #map4, full_upper = #map5, full_when = #set2, keep = #set3, touch_lower = #map4, touch_upper = #map5, touch_when = #set4}
    %2 = spattn.blocks.affine[%c128] {full_lower = #map6, full_upper = #map7, keep = #set5, touch_lower = #map6, touch_upper = #map8}
    %c2 = arith.constant 2 : index
    %3 = spattn.estimate.hash block 64 seed 42
    %4 = spattn.select.topk %3, %c2 capacity 1
    %5 = spattn.blocks.selected %4
    %6 = spattn.blocks.union %0, %1, %2, %5
    spattn.yield %6 : !spattn.blocks
  }
  spattn.variant @bigbird_b1 attributes {block_k = 64 : i64, block_q = 64 : i64, bucket = 1 : i64, budget_labels = ["window.size", "global_queries.count", "sink.count", "random_blocks.count"], budget_max = array<i64: 96, 128, 128, 2>, budget_min = array<i64: 96, 128, 128, 2>, density_low = 1.000000e+00 : f64, hi = 128 : i64, lo = 65 : i64, spec = @bigbird, strategy = "dense"} {
  ^bb0(%L: index):
    %c96 = arith.constant 96 : index
    %c128 = arith.constant 128 : index
    %0 = spattn.blocks.affine[%c96] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map2, touch_upper = #map3, touch_when = #set1}
    %1 = spattn.blocks.affine[%c128, %L] {full_lower = #map4, full_upper = #map5, full_when = #set2, keep = #set3, touch_lower = #map4, touch_upper = #map5, touch_when = #set4}
    %2 = spattn.blocks.affine[%c128] {full_lower = #map6, full_upper = #map7, keep = #set5, touch_lower = #map6, touch_upper = #map8}
    %c2 = arith.constant 2 : index
    %3 = spattn.estimate.hash block 64 seed 42
    %4 = spattn.select.topk %3, %c2 capacity 2
    %5 = spattn.blocks.selected %4
    %6 = spattn.blocks.union %0, %1, %2, %5
    spattn.yield %6 : !spattn.blocks
  }
}

