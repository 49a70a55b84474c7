// Calibration per request class: a spec whose window budget is chosen by a
// request parameter (task 0 and task 1 each read their own tunable power
// law) is fitted class by class, each with its own recall target. Under
// --request task=0 only the first law is read, so only it is fitted and
// the other is kept as written; fitting task=1 next fits the second and
// keeps the first. The result serves both classes, each at its target.
//
// RUN: rm -rf %t && split-file --leading-lines %s %t
// RUN: spattn-calibrate --make-planted %t/data --planted-laws 2:0.6,2:0.6 --planted-lengths 16,32,48,64 --planted-head-dim 64
//
// RUN: not spattn-calibrate %t/classed.mlir --data %t/data --recall 0.9 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: spattn-calibrate: @classed needs a value for request parameter task in [0, 1]
//
// RUN: spattn-calibrate %t/classed.mlir --data %t/data --recall 0.8 --request task=0 -o %t/task0.mlir | FileCheck %s --check-prefix=TASK0
// TASK0: Fitted for the request class task=0; tunables it does not read, kept as written: power#2.coeff.
// TASK0: - fitted: power.coeff = {{[0-9.]+}}
// TASK0-NOT: power#2.coeff =
// RUN: spattn-calibrate %t/task0.mlir --data %t/data --recall 0.999 --request task=1 -o %t/both.mlir | FileCheck %s --check-prefix=TASK1
// TASK1: Fitted for the request class task=1; tunables it does not read, kept as written: power.coeff.
// TASK1: - fitted: power#2.coeff = {{[0-9.]+}}
//
// The first law is task 0's fit in both outputs; the second was 1.0 until
// task 1's fit.
// RUN: grep -o 'coeff = [-+0-9][-+0-9.e]*' %t/task0.mlir > %t/task0.coeffs
// RUN: grep -o 'coeff = [-+0-9][-+0-9.e]*' %t/both.mlir > %t/both.coeffs
// RUN: head -1 %t/task0.coeffs > %t/a && head -1 %t/both.coeffs > %t/b && diff %t/a %t/b
// RUN: sed -n 2p %t/task0.coeffs | FileCheck %s --check-prefix=UNTOUCHED
// UNTOUCHED: coeff = 1.000000e+00
// RUN: sed -n 2p %t/both.coeffs | FileCheck %s --check-prefix=TOUCHED
// TOUCHED-NOT: coeff = 1.000000e+00
//
// Each class meets its own target on the planted data with the library.
// RUN: spattn-compile %t/both.mlir --target=cpu -o %t/lib
// RUN: spattn-run %t/both.mlir --q %t/data/L64_planted0_q.npy --k %t/data/L64_planted0_k.npy --v %t/data/L64_planted0_v.npy --lib %t/lib --check --request task=0 | FileCheck %s --check-prefix=RUN0
// RUN0: check: max abs error {{.*}}: ok
// RUN0-NEXT: recall: mean 0.{{[89][0-9]+}}
// RUN: spattn-run %t/both.mlir --q %t/data/L64_planted0_q.npy --k %t/data/L64_planted0_k.npy --v %t/data/L64_planted0_v.npy --lib %t/lib --check --request task=1 | FileCheck %s --check-prefix=RUN1
// RUN1: check: max abs error {{.*}}: ok
// RUN1-NEXT: recall: mean {{(0\.999[0-9]|1\.0000)}}

//--- classed.mlir
spattn.spec @classed attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 64>, request = [{name = "task", min = 0, max = 1}]} {
^bb0(%L: index, %task: index):
  %c0 = arith.constant 0 : index
  %a = spattn.budget.power %L {coeff = 1.0, exponent = 0.6, tune = {coeff = array<f64: 0.05, 16.0>}}
  %b = spattn.budget.power %L {coeff = 1.0, exponent = 0.6, tune = {coeff = array<f64: 0.05, 16.0>}}
  %first = arith.cmpi eq, %task, %c0 : index
  %w = arith.select %first, %a, %b : index
  %p = spattn.window %w
  spattn.yield %p
}
