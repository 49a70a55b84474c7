// spattn-calibrate end to end on synthetic attention with planted length
// laws (heads 0-1: window 1.5 * L^0.6, heads 2-3: 4 * L^0.5; see
// compiler/spattn-calibrate/Planted.h): the fitted spec round-trips through
// spattn-opt, calibrating it again gives it back, proposed head groups
// become a spattn.per_head, and the fitted specs compile and match the fp64
// reference in spattn-run --check, with the recall the fit promised.
//
// RUN: rm -rf %t && split-file --leading-lines %s %t
// RUN: spattn-calibrate --make-planted %t/data --planted-laws 1.5:0.6,1.5:0.6,4:0.5,4:0.5 --planted-lengths 16,24,32,48,64 --planted-head-dim 64
//
// One law for all heads.
// RUN: spattn-calibrate %t/window.mlir --data %t/data --recall 0.999 -o %t/fitted.mlir --table %t/table.md --plot %t/plot.png | FileCheck %s --check-prefix=TABLE
// TABLE: # @window: recall target 0.999
// TABLE: Data: 10 files from {{.*}}data, 2 at L 16, 2 at L 24, 2 at L 32, 2 at L 48, 2 at L 64 (samples).
// TABLE: ## heads 0-3
// TABLE: - fitted: power.coeff = {{[0-9.]+}}, power.exponent = {{[0-9.]+}}
// TABLE-NEXT: - fixed: power.coeff = {{[0-9.]+}}, power.exponent = 0
// TABLE: | L | window.size | recall | density | kept GFLOP |
// TABLE: | 16 | {{[0-9]+}} / {{[0-9]+}} | {{(0\.999|1\.000)[0-9]}} / {{(0\.999|1\.000)[0-9]}} |
// TABLE: | 64 | {{[0-9]+}} / {{[0-9]+}} | {{(0\.999|1\.000)[0-9]}} / {{(0\.999|1\.000)[0-9]}} |
// TABLE: ## Total
// TABLE: Kept GFLOP: fitted {{[0-9.e-]+}}, fixed {{[0-9.e-]+}}; fitted saves {{[1-9][0-9]?\.[0-9]}}% of the fixed budget's kept FLOPs.
// RUN: spattn-calibrate %t/window.mlir --data %t/data --recall 0.999 > %t/stdout.md
// RUN: diff %t/stdout.md %t/table.md
// RUN: head -c 8 %t/plot.png | od -An -tx1 | FileCheck %s --check-prefix=PNG
// PNG: 89 50 4e 47 0d 0a 1a 0a
//
// The fitted spec keeps its marks and round-trips through spattn-opt.
// RUN: spattn-opt %t/fitted.mlir | FileCheck %s --check-prefix=FITTED
// FITTED: spattn.spec @window
// FITTED: spattn.budget.power %L {coeff = {{[-+0-9.e]+}} : f64, exponent = {{[-+0-9.e]+}} : f64, tune = {coeff = array<f64: 5.000000e-02, 1.600000e+01>, exponent = array<f64: 0.000000e+00, 1.000000e+00>}}
// RUN: spattn-opt %t/fitted.mlir > %t/a.mlir && spattn-opt %t/a.mlir > %t/b.mlir && diff %t/a.mlir %t/b.mlir
//
// The search does not depend on the starting values: calibrating the
// fitted spec again writes the same spec.
// RUN: spattn-calibrate %t/fitted.mlir --data %t/data --recall 0.999 -o %t/again.mlir > /dev/null
// RUN: diff %t/fitted.mlir %t/again.mlir
//
// Proposed groups find the planted split.
// RUN: spattn-calibrate %t/window.mlir --data %t/data --recall 0.999 --propose-groups 3 -o %t/grouped.mlir | FileCheck %s --check-prefix=GROUPS
// GROUPS: Head groups proposed by --propose-groups 3 (2 chosen)
// GROUPS: ## heads 0-1
// GROUPS: ## heads 2-3
// RUN: spattn-opt %t/grouped.mlir | FileCheck %s --check-prefix=GROUPED
// GROUPED: %[[A:[0-9]+]] = spattn.budget.power %L {{.*}}tune =
// GROUPED: %[[WA:[0-9]+]] = spattn.window %[[A]]
// GROUPED: %[[B:[0-9]+]] = spattn.budget.power %L {{.*}}tune =
// GROUPED: %[[WB:[0-9]+]] = spattn.window %[[B]]
// GROUPED: spattn.per_head %[[WA]], %[[WB]] heads [0, 2]
//
// Both fitted specs compile; the libraries match the fp64 reference on
// the planted data, with the recall the fit promised (>= 0.999 at L = 64),
// and on random inputs at a length the data does not hold.
// RUN: spattn-compile %t/fitted.mlir --target=cpu -o %t/lib
// RUN: spattn-run %t/fitted.mlir --q %t/data/L64_planted0_q.npy --k %t/data/L64_planted0_k.npy --v %t/data/L64_planted0_v.npy --lib %t/lib --check | FileCheck %s --check-prefix=LIB
// RUN: spattn-compile %t/grouped.mlir --target=cpu -o %t/lib-grouped
// RUN: spattn-run %t/grouped.mlir --q %t/data/L64_planted1_q.npy --k %t/data/L64_planted1_k.npy --v %t/data/L64_planted1_v.npy --lib %t/lib-grouped --check | FileCheck %s --check-prefix=LIB
// RUN: spattn-run %t/grouped.mlir --q %t/data/L48_planted0_q.npy --k %t/data/L48_planted0_k.npy --v %t/data/L48_planted0_v.npy --lib %t/lib-grouped --check | FileCheck %s --check-prefix=LIB
// LIB: @window: B 1, Hq 4, Hkv 4, Lq [[L:[0-9]+]], Lk [[L]], D 64;
// LIB: check: max abs error {{.*}}: ok; all {{[0-9]+}} rows of 4 heads
// LIB-NEXT: recall: mean {{(0\.999[0-9]|1\.0000)}}
// RUN: spattn-run --make-inputs %t/random --spec %t/grouped.mlir --length 40 --seed 3 > /dev/null
// RUN: spattn-run %t/grouped.mlir --q %t/random/q.npy --k %t/random/k.npy --v %t/random/v.npy --lib %t/lib-grouped --check | FileCheck %s --check-prefix=RANDOM
// RANDOM: check: max abs error {{.*}}: ok; all 40 rows of 4 heads

//--- window.mlir
// A causal window whose size follows coeff * L^exponent, both tunable.
spattn.spec @window attributes {head_dim = 64 : i64, num_q_heads = 4 : i64, num_kv_heads = 4 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 32, 64>} {
^bb0(%L: index):
  %w = spattn.budget.power %L {coeff = 1.0, exponent = 0.5, tune = {coeff = array<f64: 0.05, 16.0>, exponent = array<f64: 0.0, 1.0>}}
  %p = spattn.window %w
  spattn.yield %p
}
