// RUN: spattn-opt %s | FileCheck %s
// RUN: spattn-opt %s | spattn-opt | FileCheck %s
// RUN: spattn-opt %s --mlir-print-op-generic | spattn-opt | FileCheck %s

// Parse/print round trip of every spattn op. The second RUN line re-parses
// the printed form, the third goes through the generic form first.

//===----------------------------------------------------------------------===//
// spattn.spec attributes and spattn.yield
//===----------------------------------------------------------------------===//

// Every attribute, including the optional scale and non-default blocks. The
// attribute dictionary prints sorted by name.
// CHECK-LABEL: spattn.spec @all_attributes
// CHECK-SAME: attributes {block_k = 32 : i64, block_q = 128 : i64, buckets = array<i64: 1024, 4096, 16384>, causal, dtype = bf16, head_dim = 128 : i64, num_kv_heads = 8 : i64, num_q_heads = 32 : i64, scale = 1.250000e-01 : f64} {
// CHECK-NEXT: ^bb0(%L: index):
// CHECK-NEXT: %[[C4:.+]] = arith.constant 4 : index
// CHECK-NEXT: %[[S:.+]] = spattn.sink %[[C4]]
// CHECK-NEXT: spattn.yield %[[S]]
// CHECK-NEXT: }
spattn.spec @all_attributes attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, scale = 0.125, buckets = array<i64: 1024, 4096, 16384>, block_q = 128 : i64, block_k = 32 : i64} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %s = spattn.sink %c4
  spattn.yield %s
}

// Request parameters: the body takes one index argument per parameter after
// %L, printed with the parameter's name, and budgets use them like %L.
// CHECK-LABEL: spattn.spec @request_parameters
// CHECK-SAME: request = [{max = 4 : i64, min = 0 : i64, name = "quality"}, {max = 2 : i64, min = 0 : i64, name = "task"}]
// CHECK-NEXT: ^bb0(%L: index, %quality: index, %task: index):
// CHECK-NEXT: %[[P:.+]] = spattn.budget.power %L
// CHECK-NEXT: %[[W:.+]] = arith.muli %[[P]], %quality : index
// CHECK-NEXT: %[[S:.+]] = spattn.sink %task
spattn.spec @request_parameters attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 512>, request = [{name = "quality", min = 0, max = 4}, {name = "task", min = 0, max = 2}]} {
^bb0(%len: index, %a: index, %b: index):
  %p = spattn.budget.power %len {coeff = 1.0, exponent = 0.5}
  %w = arith.muli %p, %a : index
  %s = spattn.sink %b
  %l = spattn.window %w
  %u = spattn.union %s, %l
  spattn.yield %u
}

// Only the required attributes: no causal, no scale, and the default 64x64
// blocks are not printed.
// CHECK-LABEL: spattn.spec @required_only
// CHECK-SAME: attributes {buckets = array<i64: 512>, dtype = f32, head_dim = 64 : i64, num_kv_heads = 1 : i64, num_q_heads = 1 : i64} {
// CHECK-NEXT: ^bb0(%L: index):
// CHECK-NEXT: %[[W:.+]] = spattn.window %L
// CHECK-NEXT: spattn.yield %[[W]]
spattn.spec @required_only attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 512>} {
^bb0(%len: index):
  %w = spattn.window %len
  spattn.yield %w
}

// Blocks spelled with their default value are elided as well; f16.
// CHECK-LABEL: spattn.spec @explicit_default_blocks
// CHECK-SAME: attributes {buckets = array<i64: 64, 128>, causal, dtype = f16, head_dim = 32 : i64, num_kv_heads = 4 : i64, num_q_heads = 4 : i64} {
// CHECK-NOT: block_q
// CHECK: spattn.yield
spattn.spec @explicit_default_blocks attributes {head_dim = 32 : i64, num_q_heads = 4 : i64, num_kv_heads = 4 : i64, dtype = f16, causal, buckets = array<i64: 64, 128>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %c1 = arith.constant 1 : index
  %s = spattn.sink %c1
  spattn.yield %s
}

//===----------------------------------------------------------------------===//
// Static pattern primitives
//===----------------------------------------------------------------------===//

// CHECK-LABEL: spattn.spec @static_primitives
// CHECK: ^bb0(%L: index):
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK: %[[WIN:.+]] = spattn.window %[[C16]]{{$}}
// CHECK-NEXT: %[[SYM:.+]] = spattn.window %[[C16]] symmetric{{$}}
// CHECK-NEXT: %[[SINK:.+]] = spattn.sink %[[C4]]{{$}}
// CHECK-NEXT: %[[GQ:.+]] = spattn.global_queries %[[C4]]{{$}}
// CHECK-NEXT: %[[STR:.+]] = spattn.strided %[[C16]]{{$}}
// CHECK-NEXT: %[[DIL:.+]] = spattn.dilated_window %[[C4]] dilation %[[C2]]{{$}}
// CHECK-NEXT: %[[LAY:.+]] = spattn.block_layout ["100", "110", "011"] block 32{{$}}
// CHECK-NEXT: %[[RND0:.+]] = spattn.random_blocks %[[C2]] block 64{{$}}
// CHECK-NEXT: %[[RND7:.+]] = spattn.random_blocks %[[C2]] block 16 {seed = 7 : i64}{{$}}
// CHECK-NEXT: %[[U:.+]] = spattn.union %[[WIN]], %[[SYM]], %[[SINK]], %[[GQ]], %[[STR]], %[[DIL]]{{$}}
// CHECK-NEXT: %[[I:.+]] = spattn.intersect %[[LAY]], %[[RND0]], %[[RND7]]{{$}}
// CHECK-NEXT: %[[ALL:.+]] = spattn.union %[[U]], %[[I]]{{$}}
// CHECK-NEXT: spattn.yield %[[ALL]]
spattn.spec @static_primitives attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, causal, buckets = array<i64: 256>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %win = spattn.window %c16
  %sym = spattn.window %c16 symmetric
  %sink = spattn.sink %c4
  %gq = spattn.global_queries %c4
  %str = spattn.strided %c16
  %dil = spattn.dilated_window %c4 dilation %c2
  %lay = spattn.block_layout ["100", "110", "011"] block 32
  %rnd0 = spattn.random_blocks %c2 block 64
  %rnd7 = spattn.random_blocks %c2 block 16 {seed = 7 : i64}
  %u = spattn.union %win, %sym, %sink, %gq, %str, %dil
  %i = spattn.intersect %lay, %rnd0, %rnd7
  %all = spattn.union %u, %i
  spattn.yield %all
}

// An explicit seed of 0 is the default and is not printed.
// CHECK-LABEL: spattn.spec @default_seed
// CHECK: spattn.random_blocks %{{.+}} block 128{{$}}
spattn.spec @default_seed attributes {head_dim = 64 : i64, num_q_heads = 2 : i64, num_kv_heads = 2 : i64, dtype = f32, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c3 = arith.constant 3 : index
  %r = spattn.random_blocks %c3 block 128 {seed = 0 : i64}
  spattn.yield %r
}

//===----------------------------------------------------------------------===//
// Content-based pattern primitives
//===----------------------------------------------------------------------===//

// CHECK-LABEL: spattn.spec @content_primitives
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK-DAG: %[[C64:.+]] = arith.constant 64 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK: %[[TOPK:.+]] = spattn.topk_blocks %[[C8]] block 64{{$}}
// CHECK-NEXT: %[[VS:.+]] = spattn.vertical_slash %[[C256]], %[[C64]] last %[[C64]]{{$}}
// CHECK-NEXT: %[[MASS:.+]] = spattn.mass %[[C8]] gamma 0.94999999999999996 block 128{{$}}
// CHECK-NEXT: %[[MASS1:.+]] = spattn.mass %[[C8]] gamma 1.000000e+00 block 64{{$}}
// CHECK-NEXT: %[[PAGES:.+]] = spattn.pages %[[C8]] page 16{{$}}
// CHECK-NEXT: %[[U:.+]] = spattn.union %[[TOPK]], %[[VS]], %[[MASS]], %[[MASS1]], %[[PAGES]]{{$}}
// CHECK-NEXT: spattn.yield %[[U]]
spattn.spec @content_primitives attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, causal, buckets = array<i64: 4096, 8192>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %topk = spattn.topk_blocks %c8 block 64
  %vs = spattn.vertical_slash %c256, %c64 last %c64
  %mass = spattn.mass %c8 gamma 0.95 block 128
  %mass1 = spattn.mass %c8 gamma 1.0 block 64
  %pages = spattn.pages %c8 page 16
  %u = spattn.union %topk, %vs, %mass, %mass1, %pages
  spattn.yield %u
}

//===----------------------------------------------------------------------===//
// per_head
//===----------------------------------------------------------------------===//

// CHECK-LABEL: spattn.spec @per_head
// CHECK: %[[DENSE:.+]] = spattn.window %L{{$}}
// CHECK-NEXT: %[[LOCAL:.+]] = spattn.window %{{.+}}{{$}}
// CHECK-NEXT: %[[SINK:.+]] = spattn.sink %{{.+}}{{$}}
// CHECK-NEXT: %[[PH:.+]] = spattn.per_head %[[DENSE]], %[[LOCAL]], %[[SINK]] heads [0, 4, 20]{{$}}
// CHECK-NEXT: %[[ONE:.+]] = spattn.per_head %[[PH]] heads [0]{{$}}
// CHECK-NEXT: spattn.yield %[[ONE]]
spattn.spec @per_head attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 8192>} {
^bb0(%L: index):
  %c128 = arith.constant 128 : index
  %dense = spattn.window %L
  %local = spattn.window %c128
  %sink = spattn.sink %c128
  %ph = spattn.per_head %dense, %local, %sink heads [0, 4, 20]
  %one = spattn.per_head %ph heads [0]
  spattn.yield %one
}

//===----------------------------------------------------------------------===//
// Budget helpers, arith and math on %L
//===----------------------------------------------------------------------===//

// CHECK-LABEL: spattn.spec @budgets
// CHECK: ^bb0(%L: index):
// CHECK-NEXT: %[[POW:.+]] = spattn.budget.power %L {coeff = 1.600000e+01 : f64, exponent = 5.000000e-01 : f64}{{$}}
// CHECK-NEXT: %[[FRAC:.+]] = spattn.budget.fraction %L {fraction = 1.250000e-01 : f64}{{$}}
// CHECK-NEXT: %[[CLAMP:.+]] = spattn.budget.clamp %[[FRAC]] {max = 4096 : i64, min = 64 : i64}{{$}}
// CHECK-NEXT: %[[ALIGN:.+]] = spattn.budget.align %[[CLAMP]] {multiple = 64 : i64}{{$}}
// CHECK-NEXT: %[[CAST:.+]] = arith.index_cast %L : index to i64
// CHECK-NEXT: %[[F:.+]] = arith.sitofp %[[CAST]] : i64 to f64
// CHECK-NEXT: %[[LOG:.+]] = math.log2 %[[F]] : f64
// CHECK-NEXT: %[[I:.+]] = arith.fptosi %[[LOG]] : f64 to i64
// CHECK-NEXT: %[[LOGL:.+]] = arith.index_cast %[[I]] : i64 to index
// CHECK-NEXT: %[[SUM:.+]] = arith.addi %[[POW]], %[[LOGL]] : index
// CHECK-NEXT: %[[W:.+]] = spattn.window %[[SUM]]{{$}}
// CHECK-NEXT: %[[S:.+]] = spattn.sink %[[ALIGN]]{{$}}
// CHECK-NEXT: %[[U:.+]] = spattn.union %[[W]], %[[S]]{{$}}
// CHECK-NEXT: spattn.yield %[[U]]
spattn.spec @budgets attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 4096, 32768>} {
^bb0(%L: index):
  %pow = spattn.budget.power %L {coeff = 16.0, exponent = 0.5}
  %frac = spattn.budget.fraction %L {fraction = 0.125}
  %clamp = spattn.budget.clamp %frac {min = 64, max = 4096}
  %align = spattn.budget.align %clamp {multiple = 64}
  %cast = arith.index_cast %L : index to i64
  %f = arith.sitofp %cast : i64 to f64
  %log = math.log2 %f : f64
  %i = arith.fptosi %log : f64 to i64
  %logl = arith.index_cast %i : i64 to index
  %sum = arith.addi %pow, %logl : index
  %w = spattn.window %sum
  %s = spattn.sink %align
  %u = spattn.union %w, %s
  spattn.yield %u
}

// The budget helpers are plain index -> index ops and also parse outside a
// spec (e.g. in a function computing a budget).
// CHECK-LABEL: func.func @budget_helpers_in_a_function
// CHECK-NEXT: %[[P:.+]] = spattn.budget.power %arg0 {coeff = 2.500000e-01 : f64, exponent = 0.000000e+00 : f64}
// CHECK-NEXT: %[[F:.+]] = spattn.budget.fraction %[[P]] {fraction = 1.000000e+00 : f64}
// CHECK-NEXT: %[[C:.+]] = spattn.budget.clamp %[[F]] {max = 0 : i64, min = 0 : i64}
// CHECK-NEXT: %[[A:.+]] = spattn.budget.align %[[C]] {multiple = 1 : i64}
// CHECK-NEXT: return %[[A]] : index
func.func @budget_helpers_in_a_function(%x: index) -> index {
  %p = spattn.budget.power %x {coeff = 0.25, exponent = 0.0}
  %f = spattn.budget.fraction %p {fraction = 1.0}
  %c = spattn.budget.clamp %f {min = 0, max = 0}
  %a = spattn.budget.align %c {multiple = 1}
  return %a : index
}

//===----------------------------------------------------------------------===//
// spattn.variant, block schedules and selection stages (made by the passes)
//===----------------------------------------------------------------------===//

// CHECK-LABEL: spattn.variant @schedule_ops attributes {block_k = 64 : i64, block_q = 32 : i64, bucket = 1 : i64, budget_labels = ["sink.count", "topk_blocks.count"], budget_max = array<i64: 4, 16>, budget_min = array<i64: 4, 8>, causal, density_low = 2.500000e-01 : f64, hi = 4096 : i64, lo = 1025 : i64, spec = @all_attributes, strategy = "sparse"} {
// CHECK-NEXT: ^bb0(%L: index):
// CHECK-NEXT: %[[C4:.+]] = arith.constant 4 : index
// CHECK-NEXT: %[[SINK:.+]] = spattn.blocks.affine[%[[C4]]] {full_lower = #{{.+}}, full_upper = #{{.+}}, keep = #{{.+}}, touch_lower = #{{.+}}, touch_upper = #{{.+}}}
// CHECK-NEXT: %[[CAUSAL:.+]] = spattn.blocks.affine[] {full_lower = #{{.+}}, full_upper = #{{.+}}, full_when = #{{.+}}, keep = #{{.+}}, touch_lower = #{{.+}}, touch_upper = #{{.+}}, touch_when = #{{.+}}}
// CHECK-NEXT: %[[LAYOUT:.+]] = spattn.blocks.layout ["10", "01"] block 128
// CHECK-NEXT: %[[E1:.+]] = spattn.estimate.pooled block 64
// CHECK-NEXT: %[[T:.+]] = spattn.select.topk %[[E1]], %[[C4]] capacity 16
// CHECK-NEXT: %[[M:.+]] = spattn.select.mass %[[E1]], %[[C4]] gamma 5.000000e-01 capacity 8
// CHECK-NEXT: %[[E2:.+]] = spattn.estimate.hash block 32 seed 3
// CHECK-NEXT: %[[E3:.+]] = spattn.estimate.page_bounds page 16
// CHECK-NEXT: %[[E4:.+]] = spattn.estimate.last_queries %[[C4]]
// CHECK-NEXT: %[[VS:.+]] = spattn.select.vertical_slash %[[E4]], %[[C4]], %[[C4]] capacity 4, 4
// CHECK-NEXT: %[[A1:.+]] = spattn.blocks.selected %[[T]]
// CHECK-NEXT: %[[A2:.+]] = spattn.blocks.selected %[[VS]]
// CHECK-NEXT: %[[U:.+]] = spattn.blocks.union %[[SINK]], %[[LAYOUT]], %[[A1]], %[[A2]]
// CHECK-NEXT: %[[H:.+]] = spattn.blocks.per_head %[[U]], %[[SINK]] heads [0, 16]
// CHECK-NEXT: %[[I:.+]] = spattn.blocks.intersect %[[H]], %[[CAUSAL]]
// CHECK-NEXT: spattn.yield %[[I]] : !spattn.blocks
// CHECK-NEXT: }
spattn.variant @schedule_ops attributes {spec = @all_attributes, bucket = 1 : i64, lo = 1025 : i64, hi = 4096 : i64, strategy = "sparse", density_low = 0.25 : f64, budget_labels = ["sink.count", "topk_blocks.count"], budget_min = array<i64: 4, 8>, budget_max = array<i64: 4, 16>, block_q = 32 : i64, block_k = 64 : i64, causal} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %sink = spattn.blocks.affine[%c4] {touch_lower = affine_map<(d0)[s0] -> (0)>, touch_upper = affine_map<(d0)[s0] -> (s0 ceildiv 64)>, full_lower = affine_map<(d0)[s0] -> (0)>, full_upper = affine_map<(d0)[s0] -> (s0 floordiv 64)>, keep = affine_set<(d0, d1)[s0] : (s0 - d1 - 1 >= 0)>}
  %causal = spattn.blocks.affine[] {touch_lower = affine_map<(d0) -> (0)>, touch_upper = affine_map<(d0) -> ((d0 * 32 + 31) floordiv 64 + 1)>, touch_when = affine_set<(d0) : (d0 >= 0)>, full_lower = affine_map<(d0) -> (0)>, full_upper = affine_map<(d0) -> ((d0 * 32 + 1) floordiv 64)>, full_when = affine_set<(d0) : (d0 >= 0)>, keep = affine_set<(d0, d1) : (d0 - d1 >= 0)>}
  %layout = spattn.blocks.layout ["10", "01"] block 128
  %pooled = spattn.estimate.pooled block 64
  %topk = spattn.select.topk %pooled, %c4 capacity 16
  %mass = spattn.select.mass %pooled, %c4 gamma 0.5 capacity 8
  %hash = spattn.estimate.hash block 32 seed 3
  %bounds = spattn.estimate.page_bounds page 16
  %last = spattn.estimate.last_queries %c4
  %vs = spattn.select.vertical_slash %last, %c4, %c4 capacity 4, 4
  %a1 = spattn.blocks.selected %topk
  %a2 = spattn.blocks.selected %vs
  %u = spattn.blocks.union %sink, %layout, %a1, %a2
  %h = spattn.blocks.per_head %u, %sink heads [0, 16]
  %i = spattn.blocks.intersect %h, %causal
  spattn.yield %i : !spattn.blocks
}
