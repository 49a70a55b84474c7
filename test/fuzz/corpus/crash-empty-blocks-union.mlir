#map = affine_map<(d0)[s0] -> ((d0 * 16 - s0 + 15) floordiv 16 + 1)>
#map1 = affine_map<(d0)[s0] -> (d0)>
#map2 = affine_map<(d0)[s0] -> ((d0 * 16 - s0 + 1) floordiv 16, 0)>
#map3 = affine_map<(d0)[s0] -> (d0 + 1)>
#map4 = affine_map<(d0) -> (0)>
#map5 = affine_map<(d0) -> (d0)>
#map6 = affine_map<(d0) -> (d0 + 1)>
#set = affine_set<(d0, d1)[s0] : (d0 - d1 >= 0, -d0 + s0 - 1 + d1 >= 0)>
#set1 = affine_set<(d0)[s0] : (s0 - 1 >= 0)>
#set2 = affine_set<(d0, d1) : (d0 - d1 >= 0)>
module {
  spattn.spec @requested attributes {block_k = 16 : i64, block_q = 16 : i64, buckets = array<i64: 64, 256>, causal, dtype = f32, head_dim = 16 : i64, num_kv_heads = 1 : i64, num_q_heads = 2 : i64, request = [{max = 3 : i64, min = 0 : i64, name = "quality"}]} {
  ^bb0(%L: index, %quality: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %0 = arith.addi %quality, %c1 : index
    %1 = arith.muli %c16, %0 : index
    %2 = spattn.window %1
    %3 = spattn.budget.power %L {coeff = 1.000000e+00 : f64, exponent = 5.000000e-01 : f64, tune = {coeff = array<f64: 5.000000e-02, 1.600000e+01>, exponent = array<f64: 0.000000e+00, 1.000000e+00>}}
    %4 = spattn.topk_blocks %3 block 16
    %5 = spattn.union %2, %4
    spattn.yield %5
  }
  spattn.variant @requested_b0 attributes {block_k = 16 : i64, block_q = 16 : i64, bucket = 0 : i64, budget_labels = ["window.size", "topk_blocks.count"], budget_max = array<i64: 64, 8>, budget_min = array<i64: 16, 1>, causal, density_low = 1.000000e+00 : f64, hi = 64 : i64, lo = 1 : i64, spec = @requested, strategy = "dense"} {
  ^bb0(%L: index, %quality: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %0 = arith.addi %quality, %c1 : index
    %1 = arith.muli %c16, %0 : index
    %2 = spattn.blocks.affine[%0] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map2, touch_upper = #map3, touch_when = #set1}
    %3 = spattn.budget.power %L {coeff = 1.000000e+00 : f64, exponent = 5.000000e-01 : f64, tune = {coeff = array<f64: 5.000000e-02, 1.600000e+01>, exponent = array<f64: 0.000000e+00, 1.000000e+00>}}
    %4 = spattn.estimate.pooled block 16
    %5 = spattn.select.topk %4, %3 capacity 4
    %6 = spattn.blocks.selected %5
    %7 = spattn.blocks.union spattn.blocks.intersect%2, %6
    %8 = spattn.blocks.affine[] {full_lower = #map4, full_upper = #map5, keep = #set2, touch_lower = #map4, touch_upper = #map6}
    %9 = spattn.blocks.intersect %7, %8
    spattn.yield %9 : !spattn.blocks
  }
  spattn.variant @requested_b1 attributes {block_k = 16 : i64, block_q = 16 : i64, bucket = 1 : i64, budget_labels = ["window.size", "topk_blocks.count"], budget_max = array<i64: 64, 16>, budget_min = array<i64: 16, 8>, causal, density_low = 1.000000e+00 : f64, hi = 256 : i64, lo = 65 : i64, spec = @requested, strategy = "dense"} {
  ^bb0(%L: index, %quality: index):
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %0 = arith.addi %quality, %c1 : index
    %1 = arith.muli %c16, %0 : index
    %2 = spattn.blocks.affine[%1] {full_lower = #map, full_upper = #map1, keep = #set, touch_lower = #map2, touch_upper = #map3, touch_when = #set1}
    %3 = spattn.budget.power %L {coeff = 1.000000e+00 : f64, exponent = 5.000000e-01 : f64, tune = {coeff = array<f64: 5.000000e-02, 1.600000e+01>, exponent = array<f64: 0.000000e+00, 1.000000e+00>}}
    %4 = spattn.estimate.pooled block 16
    %5 = spattn.select.topk %4, %3 capacity 16
    %6 = spattn.blocks.selected %5
    %7 = spattn.blocks.union %2, %6
    %8 = spattn.blocks.affine[] {full_lower = #map4, full_upper = #map5, keep = #set2, touch_lower = #map4, touch_upper = #map6}
    %9 = spattn.blocks.intersect %7, %8
    spattn.yield %9 : !spattn.blocks
  }
}

