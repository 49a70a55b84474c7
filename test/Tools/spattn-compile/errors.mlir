// spattn-compile fails with a located diagnostic and a non-zero exit status,
// and writes nothing, when a spec is malformed or a budget cannot be
// evaluated at some length of a bucket. Each case is its own input file;
// --leading-lines keeps the line numbers of this file, so [[@LINE]] below
// names the line the diagnostic points at.
//
// RUN: rm -rf %t && split-file --leading-lines %s %t
// RUN: not spattn-compile %t/verifier.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=VERIFIER
// RUN: not spattn-compile %t/parse.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=PARSE
// RUN: not spattn-compile %t/negative.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not spattn-compile %t/late-negative.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=LATE
// RUN: not spattn-compile %t/huge.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=HUGE
// RUN: not spattn-compile %t/stride.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=STRIDE
// RUN: not spattn-compile %t/helper.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=HELPER
// RUN: not spattn-compile %t/empty.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not spattn-compile %t/does-not-exist.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=MISSING
//
// No partial output: the first spec of late-negative.mlir evaluates, the
// second does not, and nothing reaches stdout or the -o file.
// RUN: not spattn-compile %t/late-negative.mlir --emit=summary 2>/dev/null | count 0
// RUN: not spattn-compile %t/late-negative.mlir --emit=summary -o %t/partial.txt
// RUN: not cat %t/partial.txt

//--- verifier.mlir
// A verifier error: the diagnostic points at the op, with its source line.
// VERIFIER: verifier.mlir:[[@LINE+6]]:8: error: 'spattn.window' op size must be non-negative, got -1
// VERIFIER-NEXT: %w = spattn.window %c0
// VERIFIER-NEXT: ^
spattn.spec @verifier attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant -1 : index
  %w = spattn.window %c0
  spattn.yield %w
}

//--- parse.mlir
// A syntax error (the `dilation` keyword is missing).
// PARSE: parse.mlir:[[@LINE+5]]:34: error: custom op 'spattn.dilated_window' expected 'dilation'
// PARSE-NOT: error
spattn.spec @parse attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %d = spattn.dilated_window %c4 %c4
  spattn.yield %d
}

//--- negative.mlir
// The window L - 1024 is negative for every L < 1024; the first length
// evaluated is L = 1.
// NEGATIVE: negative.mlir:[[@LINE+6]]:8: error: a parameter evaluates to -1023 at L = 1; it must be >= 0
// NEGATIVE-NEXT: %w = spattn.window %d
spattn.spec @negative attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 2048, 4096>} {
^bb0(%L: index):
  %c1024 = arith.constant 1024 : index
  %d = arith.subi %L, %c1024 : index
  %w = spattn.window %d
  spattn.yield %w
}

//--- huge.mlir
// A parameter above INT32_MAX (kMaxParameterValue) keeps nothing more at
// any length and overflowed int64 in the masks and schedules (fuzzer).
// HUGE: huge.mlir:[[@LINE+5]]:8: error: a parameter evaluates to 4294967296 at L = 1; it must be <= 2147483647
// HUGE-NEXT: %s = spattn.strided %c
spattn.spec @huge attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c = arith.constant 4294967296 : index
  %s = spattn.strided %c
  spattn.yield %s
}

//--- late-negative.mlir
// A well-formed spec first, then one whose sink count 3000 - L is fine in
// bucket [1, 2048] and turns negative inside the second bucket, at L = 3001.
spattn.spec @fine attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}
// LATE: late-negative.mlir:[[@LINE+6]]:8: error: a parameter evaluates to -1 at L = 3001; it must be >= 0
// LATE-NOT: spec @
spattn.spec @late_negative attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 2048, 4096>} {
^bb0(%L: index):
  %c3000 = arith.constant 3000 : index
  %s = arith.subi %c3000, %L : index
  %p = spattn.sink %s
  spattn.yield %p
}

//--- stride.mlir
// A stride must be >= 1 at every call: L / 64 is 0 below L = 64.
// STRIDE: stride.mlir:[[@LINE+5]]:8: error: a parameter evaluates to 0 at L = 1; it must be >= 1
spattn.spec @stride attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c64 = arith.constant 64 : index
  %t = arith.divui %L, %c64 : index
  %p = spattn.strided %t
  spattn.yield %p
}

//--- helper.mlir
// A budget helper whose input is negative cannot be evaluated; the error
// points at the helper.
// HELPER: helper.mlir:[[@LINE+5]]:8: error: cannot be evaluated at L = 1
spattn.spec @helper attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c512 = arith.constant 512 : index
  %d = arith.subi %L, %c512 : index
  %w = spattn.budget.power %d {coeff = 2.0, exponent = 0.5}
  %p = spattn.window %w
  spattn.yield %p
}

//--- empty.mlir
// A module without a spec.
// EMPTY: empty.mlir:[[@LINE+1]]:1: error: no spattn.spec in the input
module {
}

// MISSING: spattn-compile: cannot open input file '{{.*}}does-not-exist.mlir': No such file or directory
