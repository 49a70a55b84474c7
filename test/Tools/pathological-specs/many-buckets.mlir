// Thousands of buckets get a located diagnostic; the most a spec may have
// specialize, lower and compile to a summary and library source quickly.
// (Generated specs: make_spec.py.)

// RUN: python3 %S/make_spec.py buckets 4096 1048576 > %t.many.mlir
// RUN: not spattn-opt %t.many.mlir 2>&1 | FileCheck %s --check-prefix=MANY
// RUN: not spattn-compile %t.many.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=MANY
// MANY: many.mlir:1:1: error: 'spattn.spec' op has 4096 buckets; at most 32 are supported

// RUN: python3 %S/make_spec.py buckets 32 4096 > %t.most.mlir
// RUN: spattn-opt --spattn-specialize-buckets --spattn-lower-to-blocks %t.most.mlir | FileCheck %s --check-prefix=LOWERED
// LOWERED-COUNT-32: spattn.variant
// LOWERED-NOT: spattn.variant
// RUN: spattn-compile %t.most.mlir --emit=summary | FileCheck %s --check-prefix=SUMMARY
// SUMMARY: bucket 31
// RUN: spattn-compile %t.most.mlir --target=cpu --emit=source | FileCheck %s --check-prefix=SOURCE
// SOURCE: 4096
