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
  spattn.spec @minference attributes {buckets = array<i64: 64, 128>, causal, dtype = bf16, head_dim = 128 : i64, num_kv_heads = 8 : i64, num_q_heads = 16 : i64} {
  ^bb0(%L: index):
    %c4 = arith.constant 4 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %c64_0 = arith.constant 64 : index
    %0 = spattn.budget.fraction %L {fraction = 6.250000e-02 : f64}
    %1 = spattn.budget.clamp %0 {max = 4096 : i64, min = 512 : i64}
    %2 = spattn.sink %c128
    %3 = spattn.window %1
    %4 = spattn.union %2, %3
    %5 = spattn.budget.power %L {coeff = 2.500000e-01 : f64, exponent = 5.000000e-01 : f64}
    %6 = spattn.budget.clamp %5 {max = 256 : i64, min = 8 : i64}
    %7 = spattn.topk_blocks %6 block 64
    %8 = spattn.sink %c4
    %9 = spattn.window %c64
    %10 = spattn.union %7, %8, %9
    %11 = spattn.budget.fraction %L {fraction = 7.812500e-03 : f64}
    %12 = spattn.budget.clamp %11 {max = 1024 : i64, min = 64 : i64}
    %13 = spattn.budget.fraction %L {fraction = 4.687500e-02 : f64}
    %14 = spattn.budget.clamp %13 {max = 8192 : i64, min = 256 : i64}
    %15 = spattn.budget.align %14 {multiple = 64 : i64}
    %16 = spattn.vertical_slash %12, %15 last %c64_0
    %17 = spattn.sink %c4
    %18 = spattn.window %c64
    %19 = spattn.union %16, %17, %18
    %20 = spattn.per_head %4, %10, %19 heads [0, 4, 8]
    spattn.yield %20
  }
  spattn.variant @minference_b0 attributes {block_k = 64 : i64, block_q = 64 : i64, bucket = 0 : i64, budget_labels = ["sink.count", "window.size", "topk_blocks.count", "sink.count#2", "window.size#2", "vertical_slash.verticals", "vertical_slash.slashes", "vertical_slash.last_queries", "sink.count#3", "window.size#3"], budget_max = array<i64: 128, 512, 8, 4, 64, 64, 256, 64, 4, 64>, budget_min = array<i64: 128, 512, 8, 4, 64, 64, 256, 64, 4, 64>, causal, density_low = 1.000000e+00 : f64, hi = 64 : i64, lo = 1 : i64, spec = @minference, strategy = "dense"} {
  ^bb0(%L: index):
    %c4 = arith.constant 4 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %c64_0 = arith.constant 64 : index
    %0 = spattn.blocks.affine[%c128] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map, touch_upper = #map2}
    %c512 = arith.constant 512 : index
    %1 = spattn.blocks.affine[%c512] {full_lower = #map3, full_upper = #map4, keep = #set1, touch_lower = #map5, touch_upper = #map6, touch_when = #set2}
    %2 = spattn.blocks.union %0, %1
    %c8 = arith.constant 8 : index
    %3 = spattn.estimate.pooled block 64
    %4 = spattn.select.topk %3, %c8 capacity 1
    %5 = spattn.blocks.selected %4
    %6 = spattn.blocks.affine[%c4] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map, touch_upper = #map2}
    %7 = spattn.blocks.affine[%c64] {full_lower = #map3, full_upper = #map4, keep = #set1, touch_lower = #map5, touch_upper = #map6, touch_when = #set2}
    %8 = spattn.blocks.union %5, %6, %7
    %c64_1 = arith.constant 64 : index
    %c256 = arith.constant 256 : index
    %9 = spattn.estimate.last_queries %c64_0
    %10 = spattn.select.vertical_slash %9, %c64_1, %c256 capacity 64, 64
    %11 = spattn.blocks.selected %10
    %12 = spattn.blocks.affine[%c4] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map, touch_upper = #map2}
    %13 = spattn.blocks.affine[%c64] {full_lower = #map3, full_upper = #map4, keep = #set1, touch_lower = #map5, touch_upper = #map6, touch_when = #set2}
    %14 = spattn.blocks.union %11, %12, %13
    %15 = spattn.blocks.per_head %2, %8, %14 heads [0, 4, 8]
    %16 = spattn.blocks.affine[] {full_lower = #map7, full_upper = #map8, keep = #set3, touch_lower = #map7, touch_upper = #map9}
    %17 = spattn.blocks.intersect %15, %16
    spattn.yield %17 : !spattn.blocks
  }
  spattn.variant @minference_b1 attributes {block_k = 64 : i64, block_q = 64 : i64, bucket = 1 : i64, budget_labels = ["sink.count", "window.size", "topk_blocks.count", "sink.count#2", "window.size#2", "vertical_slash.verticals", "vertical_slash.slashes", "vertical_slash.last_queries", "sink.count#3", "window.size#3"], budget_max = array<i64: 128, 512, 8, 4, 64, 64, 256, 64, 4, 64>, budget_min = array<i64: 128, 512, 8, 4, 64, 64, 256, 64, 4, 64>, causal, density_low = 1.000000e+00 : f64, hi = 128 : i64, lo = 65 : i64, spec = @minference, strategy = "dense"} {
  ^bb0(%L: index):
    %c4 = arith.constant 4 : index
    %c64 = arith.constant 64 : index
    %c128 = arith.constant 128 : index
    %c64_0 = arith.constant 64 : index
    %0 = spattn.blocks.affine[%c128] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map, touch_upper = #map2}
    %c512 = arith.constant 512 : index
    %1 = spattn.blocks.affine[%c512] {full_lower = #map3, full_upper = #map4, keep = #set1, touch_lower = #map5, touch_upper = #map6, touch_when = #set2}
    %2 = spattn.blocks.union %0, %1
    %c8 = arith.constant 8 : index
    %3 = spattn.estimate.pooled block 64
    %4 = spattn.select.topk %3, %c8 capacity 2
    %5 = spattn.blocks.selected %4
    %6 = spattn.blocks.affine[%c4] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map, touch_upper = #map2}
    %7 = spattn.blocks.affine[%c64] {full_lower = #map3, full_upper = #map4, keep = #set1, touch_lower = #map5, touch_upper = #map6, touch_when = #set2}
    %8 = spattn.blocks.union %5, %6, %7
    %c64_1 = arith.constant 64 : index
    %c256 = arith.constant 256 : index
    %9 = spattn.estimate.last_queries %c64_0
    %10 = spattn.select.vertical_slash %9, %c64_1, %c256 capacity 64, 128
    %11 = spattn.blocks.selected %10
    %12 = spattn.blocks.affine[%c4] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map, touch_upper = #map2}
    %13 = spattn.blocks.affine[%c64] {full_lower = #map3, full_upper = #map4, keep = #set1, touch_lower = #map5, touch_upper = #map6, touch_when = #set2}
    %14 = spattn.blocks.union %11, %12, %13
    %15 = spattn.blocks.per_head %2, %8, %14 heads [0, 4, 8]
    %16 = spattn.blocks.affine[] {full_lower = #map7, full_upper = #map8, keep = #set3, touch_lower = #map7, touch_upper = #map9}
    %17 = spattn.blocks.intersect %15, %16
    spattn.yield %17 : !spattn.blocks
  }
}

