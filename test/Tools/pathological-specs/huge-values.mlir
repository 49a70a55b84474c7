// Huge budgets get a located diagnostic; the most heads and the widest
// head_dim, and blocks of 2^62 keys, compile quickly; tiles above 1024
// are refused by the verifier. (Generated specs: make_spec.py.)

// RUN: python3 %S/make_spec.py budget 9223372036854775807 > %t.budget.mlir
// RUN: not spattn-compile %t.budget.mlir --emit=summary 2>&1 | FileCheck %s --check-prefix=BUDGET
// RUN: not spattn-compile %t.budget.mlir --target=cpu --emit=source 2>&1 | FileCheck %s --check-prefix=BUDGET
// BUDGET: budget.mlir:5:8: error: a parameter evaluates to 9223372036854775807 at L = 1; it must be <= 2147483647

// RUN: python3 %S/make_spec.py heads > %t.heads.mlir
// RUN: spattn-compile %t.heads.mlir --emit=summary | FileCheck %s --check-prefix=SUMMARY
// RUN: spattn-compile %t.heads.mlir --target=cpu --emit=source | FileCheck %s --check-prefix=SOURCE
// RUN: python3 %S/make_spec.py block 4611686018427387904 > %t.block.mlir
// RUN: spattn-compile %t.block.mlir --emit=summary | FileCheck %s --check-prefix=SUMMARY
// RUN: spattn-compile %t.block.mlir --target=cpu --emit=source | FileCheck %s --check-prefix=SOURCE
// SUMMARY: bucket 0
// SOURCE: keepRow

// RUN: python3 %S/make_spec.py tile 2048 > %t.tile.mlir
// RUN: not spattn-opt %t.tile.mlir 2>&1 | FileCheck %s --check-prefix=TILE
// TILE: tile.mlir:1:1: error: 'spattn.spec' op block_q must be at most 1024, got 2048
