// spattn-calibrate checks the `tune` marks before it reads any data: each
// bad mark is a located error and the tool exits 1.
//
// RUN: rm -rf %t && split-file --leading-lines %s %t
// RUN: not spattn-calibrate %t/marks.mlir --data %t/nowhere --recall 0.9 2>&1 | FileCheck %s --check-prefix=MARKS
// RUN: not spattn-calibrate %t/none.mlir --data %t/nowhere --recall 0.9 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not spattn-calibrate %t/shared.mlir --data %t/nowhere --recall 0.9 2>&1 | FileCheck %s --check-prefix=SHARED
// RUN: not spattn-calibrate %t/dead.mlir --data %t/nowhere --recall 0.9 2>&1 | FileCheck %s --check-prefix=DEAD
//
// A good mark gets as far as the data.
// RUN: not spattn-calibrate %t/good.mlir --data %t/nowhere --recall 0.9 2>&1 | FileCheck %s --check-prefix=NODATA
// NODATA: spattn-calibrate: --data {{.*}}nowhere is not a folder
// RUN: not spattn-calibrate %t/good.mlir --data %t --recall 0.9 2>&1 | FileCheck %s --check-prefix=NOFILES
// NOFILES: spattn-calibrate: no L<len>_<tag>_q.npy file in {{.*}}
// RUN: not spattn-calibrate %t/good.mlir --data %t --recall 1.5 2>&1 | FileCheck %s --check-prefix=RECALL
// RECALL: spattn-calibrate: --recall R is required, 0 < R <= 1

//--- marks.mlir
spattn.spec @marks attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  // MARKS: marks.mlir:[[# @LINE + 1]]:8: error: 'tune' marks only spattn.budget.power (coeff, exponent) and spattn.budget.fraction (fraction)
  %s = spattn.sink %c4 {tune = {count = array<f64: 1.0, 8.0>}}
  // MARKS: marks.mlir:[[# @LINE + 1]]:8: error: 'tune' names 'exponent'; spattn.budget.fraction tunes fraction
  %f = spattn.budget.fraction %L {fraction = 0.5, tune = {exponent = array<f64: 0.0, 1.0>}}
  // MARKS: marks.mlir:[[# @LINE + 1]]:9: error: 'tune' bounds of 'fraction': fraction bounds must lie in (0, 1]
  %f2 = spattn.budget.fraction %L {fraction = 0.5, tune = {fraction = array<f64: 0.1, 1.5>}}
  // MARKS: marks.mlir:[[# @LINE + 1]]:8: error: 'tune' bounds of 'coeff': lower bound 4.000000 is above upper bound 2.000000
  %a = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 4.0, 2.0>}}
  // MARKS: marks.mlir:[[# @LINE + 1]]:8: error: 'tune' bounds of 'coeff': coeff bounds must be positive (coeff > 0)
  %b = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 0.0, 2.0>}}
  // MARKS: marks.mlir:[[# @LINE + 1]]:8: error: 'tune' bounds of 'exponent' must be array<f64: lo, hi>
  %c = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {exponent = array<i64: 0, 1>}}
  // MARKS: marks.mlir:[[# @LINE + 1]]:8: error: 'tune' bounds of 'exponent': bounds must be finite
  %d = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {exponent = array<f64: 0.0, 0x7FF0000000000000>}}
  // MARKS: marks.mlir:[[# @LINE + 1]]:8: error: 'tune' must be a non-empty dictionary of name = array<f64: lo, hi>
  %e = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = 1.0 : f64}
  // MARKS: marks.mlir:[[# @LINE + 1]]:8: error: 'tune' names 'scale'; spattn.budget.power tunes coeff or exponent
  %g = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {scale = array<f64: 0.0, 1.0>}}
  %w = spattn.window %a
  %p = spattn.union %s, %w
  spattn.yield %p
}

//--- none.mlir
// NONE: none.mlir:[[# @LINE + 1]]:1: error: no tunable budget: mark a spattn.budget.power or spattn.budget.fraction with 'tune' = {coeff = array<f64: lo, hi>, ...}
spattn.spec @none attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 64>} {
^bb0(%L: index):
  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5}
  %p = spattn.window %w
  spattn.yield %p
}

//--- shared.mlir
spattn.spec @shared attributes {head_dim = 16 : i64, num_q_heads = 4 : i64, num_kv_heads = 4 : i64, dtype = f32, causal, buckets = array<i64: 64>} {
^bb0(%L: index):
  // SHARED: shared.mlir:[[# @LINE + 1]]:8: error: tunable budget feeds the patterns of several head groups (heads 0-1 and heads 2-3); give each spattn.per_head input its own budget op
  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 0.5, 8.0>}}
  %a = spattn.window %w
  %b = spattn.window %w symmetric
  %p = spattn.per_head %a, %b heads [0, 2]
  spattn.yield %p
}

//--- dead.mlir
spattn.spec @dead attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  // DEAD: dead.mlir:[[# @LINE + 1]]:8: error: tunable budget does not reach the yielded pattern
  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 0.5, 8.0>}}
  %p = spattn.window %c8
  spattn.yield %p
}

//--- good.mlir
spattn.spec @good attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 64>} {
^bb0(%L: index):
  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 0.5, 8.0>}}
  %p = spattn.window %w
  spattn.yield %p
}
