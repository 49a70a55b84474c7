// Input that MLIR 22's own parser crashes on (SIGSEGV) is refused before it
// parses (compiler/io/SpecSource.h): every tool that reads spec text exits
// non-zero with a located error. One file per crash class; the fuzz corpus
// (test/fuzz/corpus/crash-*.mlir) keeps the same inputs.
//
// RUN: rm -rf %t && split-file --leading-lines %s %t
// RUN: not spattn-opt %t/index.mlir 2>&1 | FileCheck %s --check-prefix=INDEX
// RUN: not spattn-opt < %t/index.mlir 2>&1 | FileCheck %s --check-prefix=STDIN
// RUN: not spattn-compile %t/index.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=INDEX
// RUN: not spattn-run %t/index.mlir --make-inputs %t/in --length 64 2>&1 | FileCheck %s --check-prefix=INDEX
// RUN: not spattn-calibrate %t/index.mlir --data %t/nowhere --recall 0.9 2>&1 | FileCheck %s --check-prefix=INDEX
// RUN: not spattn-opt %t/alias.mlir 2>&1 | FileCheck %s --check-prefix=ALIAS
// RUN: not spattn-compile %t/alias.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=ALIAS
// RUN: not spattn-run %t/alias.mlir --make-inputs %t/in --length 64 2>&1 | FileCheck %s --check-prefix=ALIAS
// RUN: not spattn-calibrate %t/alias.mlir --data %t/nowhere --recall 0.9 2>&1 | FileCheck %s --check-prefix=ALIAS
//
// The same words in a string or a comment are left to the parser.
// RUN: spattn-opt %t/quoted.mlir | FileCheck %s --check-prefix=QUOTED

//--- index.mlir
// A dense array of `index`: the parser asks `index` for its bit width.
// INDEX: index.mlir:[[@LINE+5]]:34: error: a dense array's element type must be a builtin integer or float type, not 'index'
// INDEX-NEXT: dtype = f16, buckets = array<index: 64>} {
// INDEX-NEXT: ^
// STDIN: <stdin>:[[@LINE+2]]:34: error: a dense array's element type
spattn.spec @index attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64,
    dtype = f16, buckets = array<index: 64>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

//--- alias.mlir
// A type alias of `index` in a dense array: the same crash, one step away.
// ALIAS: alias.mlir:[[@LINE+5]]:5: error: a dense array's element type must be a builtin integer or float type written out, not a type alias
!length = index
spattn.spec @alias attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64,
    dtype = f16, buckets = array<
    // a comment between tokens
    !length: 64>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

//--- quoted.mlir
// array<index: 1> in a comment, and in a string:
// QUOTED: spattn.spec @quoted attributes {buckets = array<i64: 64>
// QUOTED-SAME: note = "array<index: 1>"
spattn.spec @quoted attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64,
    dtype = f16, buckets = array<i64: 64>, note = "array<index: 1>"} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}
