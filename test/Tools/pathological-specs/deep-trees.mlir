// Operator trees nested a thousand deep get a located diagnostic at the op
// past the limit; the deepest allowed (63 unions or intersections, 127
// pattern ops) compile to a summary and library source quickly.
// (Generated specs: make_spec.py.)

// RUN: python3 %S/make_spec.py union 1000 > %t.union1000.mlir
// RUN: not spattn-opt %t.union1000.mlir 2>&1 | FileCheck %s --check-prefix=TOO-DEEP
// RUN: python3 %S/make_spec.py intersect 1000 > %t.intersect1000.mlir
// RUN: not spattn-compile %t.intersect1000.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=TOO-DEEP
// TOO-DEEP: .mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'spattn.{{sink|union|intersect}}' op is pattern op number 129 of the spec; at most 128 are supported

// RUN: python3 %S/make_spec.py union 63 > %t.union63.mlir
// RUN: spattn-compile %t.union63.mlir --emit=summary | FileCheck %s --check-prefix=SUMMARY
// RUN: spattn-compile %t.union63.mlir --target=cpu --emit=source | FileCheck %s --check-prefix=SOURCE
// RUN: python3 %S/make_spec.py intersect 63 > %t.intersect63.mlir
// RUN: spattn-compile %t.intersect63.mlir --emit=summary | FileCheck %s --check-prefix=SUMMARY
// RUN: spattn-compile %t.intersect63.mlir --target=cpu --emit=source | FileCheck %s --check-prefix=SOURCE
// SUMMARY: bucket 0
// SOURCE: keepRow
