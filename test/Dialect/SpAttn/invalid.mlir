// RUN: spattn-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of dialects/SpAttn/IR/SpAttnOps.cpp, plus the
// ODS-generated and core-trait checks a spec relies on.

//===----------------------------------------------------------------------===//
// spattn.spec: shape, dtype, scale
//===----------------------------------------------------------------------===//

// expected-error@+1 {{'spattn.spec' op head_dim must be in [1, 1024], got 0}}
spattn.spec @head_dim_zero attributes {head_dim = 0 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op head_dim must be in [1, 1024], got -128}}
spattn.spec @head_dim_negative attributes {head_dim = -128 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op head_dim must be in [1, 1024], got 4096}}
spattn.spec @head_dim_too_large attributes {head_dim = 4096 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op num_q_heads must be in [1, 1024], got 2048}}
spattn.spec @q_heads_too_many attributes {head_dim = 64 : i64, num_q_heads = 2048 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op num_q_heads must be in [1, 1024], got 0}}
spattn.spec @q_heads_zero attributes {head_dim = 64 : i64, num_q_heads = 0 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op num_kv_heads must be positive, got 0}}
spattn.spec @kv_heads_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 0 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op num_kv_heads (3) must divide num_q_heads (8)}}
spattn.spec @kv_heads_not_dividing attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 3 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// More kv heads than query heads.
// expected-error@+1 {{'spattn.spec' op num_kv_heads (16) must divide num_q_heads (8)}}
spattn.spec @kv_heads_above_q_heads attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 16 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op dtype must be f32, f16 or bf16, got 'f64'}}
spattn.spec @dtype_f64 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f64, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op dtype must be f32, f16 or bf16, got 'i8'}}
spattn.spec @dtype_i8 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = i8, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op dtype must be f32, f16 or bf16, got 'f8E4M3FN'}}
spattn.spec @dtype_fp8 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f8E4M3FN, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op scale must be positive and finite, got 0.000000e+00}}
spattn.spec @scale_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, scale = 0.0, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op scale must be positive and finite, got -1.250000e-01}}
spattn.spec @scale_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, scale = -0.125, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op scale must be positive and finite, got INF}}
spattn.spec @scale_infinite attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, scale = 0x7FF0000000000000 : f64, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op scale must be positive and finite, got nan}}
spattn.spec @scale_nan attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, scale = 0x7FF8000000000000 : f64, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

//===----------------------------------------------------------------------===//
// spattn.spec: buckets
//===----------------------------------------------------------------------===//

// -----

// expected-error@+1 {{'spattn.spec' op buckets must list at least one length}}
spattn.spec @buckets_empty attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op bucket bounds must be positive, got 0}}
spattn.spec @buckets_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 0, 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op bucket bounds must be positive, got -4096}}
spattn.spec @buckets_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: -4096>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op buckets must be strictly increasing, but 1024 follows 4096}}
spattn.spec @buckets_decreasing attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 4096, 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op buckets must be strictly increasing, but 4096 follows 4096}}
spattn.spec @buckets_repeated attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024, 4096, 4096>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op bucket bound 2097152 exceeds the longest supported key length 1048576}}
spattn.spec @buckets_too_long attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 4096, 2097152>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

//===----------------------------------------------------------------------===//
// spattn.spec: block_q / block_k
//===----------------------------------------------------------------------===//

// -----

// expected-error@+1 {{'spattn.spec' op block_q must be a positive power of two, got 48}}
spattn.spec @block_q_not_pow2 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, block_q = 48 : i64} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op block_q must be a positive power of two, got 0}}
spattn.spec @block_q_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, block_q = 0 : i64} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op block_k must be a positive power of two, got 96}}
spattn.spec @block_k_not_pow2 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, block_k = 96 : i64} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op block_k must be a positive power of two, got -64}}
spattn.spec @block_k_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, block_k = -64 : i64} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

//===----------------------------------------------------------------------===//
// spattn.spec: ODS-generated attribute checks
//===----------------------------------------------------------------------===//

// -----

// expected-error@+1 {{'spattn.spec' op requires attribute 'head_dim'}}
spattn.spec @missing_head_dim attributes {num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op requires attribute 'buckets'}}
spattn.spec @missing_buckets attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op requires attribute 'dtype'}}
spattn.spec @missing_dtype attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{attribute 'head_dim' failed to satisfy constraint: 64-bit signless integer attribute}}
spattn.spec @head_dim_i32 attributes {head_dim = 64 : i32, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{attribute 'dtype' failed to satisfy constraint: any type attribute}}
spattn.spec @dtype_string attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = "f16", buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{attribute 'buckets' failed to satisfy constraint: i64 dense array attribute}}
spattn.spec @buckets_array_attr attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = [1024, 4096]} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{attribute 'scale' failed to satisfy constraint: 64-bit float attribute}}
spattn.spec @scale_f32 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, scale = 0.125 : f32, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

//===----------------------------------------------------------------------===//
// spattn.spec: the body
//===----------------------------------------------------------------------===//

// -----

// expected-error@+1 {{'spattn.spec' op body must take the key length %L: index, then one index argument per request parameter (0 declared), got 0 arguments}}
spattn.spec @body_no_argument attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
  %c4 = arith.constant 4 : index
  %w = spattn.window %c4
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op body must take the key length %L: index, then one index argument per request parameter (0 declared), got 2 arguments}}
spattn.spec @body_two_arguments attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index, %Lq: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op body must take the key length %L: index, then one index argument per request parameter (0 declared), got 1 arguments}}
spattn.spec @body_argument_i64 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: i64):
  %c4 = arith.constant 4 : index
  %w = spattn.window %c4
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op body must end in spattn.yield of the pattern}}
spattn.spec @body_without_yield attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
}

// -----

// expected-error@+1 {{'spattn.spec' op body must end in spattn.yield of the pattern}}
spattn.spec @body_empty attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
}

// -----

// expected-error@+1 {{'spattn.spec' op expects region #0 to have 0 or 1 blocks}}
spattn.spec @body_two_blocks attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
^bb1:
  %c4 = arith.constant 4 : index
}

// -----

spattn.spec @yield_not_last attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  // expected-error@+1 {{'spattn.yield' op must be the last operation in the parent block}}
  spattn.yield %w
  %s = spattn.sink %L
}

// -----

// The yield takes a pattern, not a budget.
spattn.spec @yield_index attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-note@+1 {{prior use here}}
  %c4 = arith.constant 4 : index
  // expected-error@+1 {{use of value '%c4' expects different type than prior uses: '!spattn.pattern' vs 'index'}}
  spattn.yield %c4
}

// -----

// The generic form bypasses the parser's type inference; the ODS operand
// constraint still rejects it.
spattn.spec @yield_index_generic attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.yield' op operand #0 must be an attention sparsity pattern or a block schedule}}
  "spattn.yield"(%L) : (index) -> ()
}

// -----

func.func @yield_outside_spec(%p: !spattn.pattern) {
  // expected-error@+1 {{'spattn.yield' op expects parent op to be one of 'spattn.spec, spattn.variant'}}
  "spattn.yield"(%p) : (!spattn.pattern) -> ()
}

// -----

// Budgets are index values.
spattn.spec @size_i64 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-note@+1 {{prior use here}}
  %c4 = arith.constant 4 : i64
  // expected-error@+1 {{use of value '%c4' expects different type than prior uses: 'index' vs 'i64'}}
  %w = spattn.window %c4
  spattn.yield %w
}

// -----

// A pattern is not a budget.
spattn.spec @size_pattern attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  // expected-error@+1 {{'spattn.sink' op operand #0 must be index, but got '!spattn.pattern'}}
  %s = "spattn.sink"(%w) : (!spattn.pattern) -> !spattn.pattern
  spattn.yield %s
}

// -----

// Budgets may only depend on %L and constants: the spec is isolated from
// the values around it.
%outside = arith.constant 128 : index
// expected-note@+1 {{required by region isolation constraints}}
spattn.spec @value_from_outside attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.window' op using value defined outside the region}}
  %w = spattn.window %outside
  spattn.yield %w
}

// -----

// A spec is a symbol and lives in a symbol table (a module), not in a
// function.
func.func @spec_in_function(%n: index) {
  // expected-error@+1 {{'spattn.spec' op symbol's parent must have the SymbolTable trait}}
  spattn.spec @in_function attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
  ^bb0(%L: index):
    %w = spattn.window %L
    spattn.yield %w
  }
  return
}

// -----

func.func private @budget() -> index

spattn.spec @func_call_in_body attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'func.call' op is not allowed in a spec body: budgets must be computed from %L and constants with arith, math and spattn ops}}
  %b = func.call @budget() : () -> index
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @builtin_op_in_body attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'builtin.unrealized_conversion_cast' op is not allowed in a spec body}}
  %b = builtin.unrealized_conversion_cast %L : index to index
  %w = spattn.window %b
  spattn.yield %w
}

// -----

// A pattern primitive outside a spec.
func.func @primitive_outside_spec(%n: index) {
  // expected-error@+1 {{'spattn.window' op expects parent op to be one of 'spattn.spec, spattn.variant'}}
  %w = spattn.window %n
  return
}

//===----------------------------------------------------------------------===//
// Pattern primitives: non-positive constant sizes
//===----------------------------------------------------------------------===//

// -----

spattn.spec @window_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant -1 : index
  // expected-error@+1 {{'spattn.window' op size must be non-negative, got -1}}
  %w = spattn.window %c0
  spattn.yield %w
}

// -----

spattn.spec @window_symmetric_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c = arith.constant -16 : index
  // expected-error@+1 {{'spattn.window' op size must be non-negative, got -16}}
  %w = spattn.window %c symmetric
  spattn.yield %w
}

// -----

spattn.spec @sink_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant -1 : index
  // expected-error@+1 {{'spattn.sink' op count must be non-negative, got -1}}
  %s = spattn.sink %c0
  spattn.yield %s
}

// -----

spattn.spec @global_queries_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c = arith.constant -1 : index
  // expected-error@+1 {{'spattn.global_queries' op count must be non-negative, got -1}}
  %g = spattn.global_queries %c
  spattn.yield %g
}

// -----

spattn.spec @strided_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant 0 : index
  // expected-error@+1 {{'spattn.strided' op stride must be positive, got 0}}
  %s = spattn.strided %c0
  spattn.yield %s
}

// -----

spattn.spec @dilated_window_size_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant -1 : index
  %c2 = arith.constant 2 : index
  // expected-error@+1 {{'spattn.dilated_window' op size must be non-negative, got -1}}
  %d = spattn.dilated_window %c0 dilation %c2
  spattn.yield %d
}

// -----

spattn.spec @dilated_window_dilation_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  // expected-error@+1 {{'spattn.dilated_window' op dilation must be positive, got 0}}
  %d = spattn.dilated_window %c8 dilation %c0
  spattn.yield %d
}

// -----

spattn.spec @random_blocks_count_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant -1 : index
  // expected-error@+1 {{'spattn.random_blocks' op count must be non-negative, got -1}}
  %r = spattn.random_blocks %c0 block 64
  spattn.yield %r
}

// -----

spattn.spec @topk_blocks_count_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c = arith.constant -4 : index
  // expected-error@+1 {{'spattn.topk_blocks' op count must be non-negative, got -4}}
  %t = spattn.topk_blocks %c block 64
  spattn.yield %t
}

// -----

spattn.spec @vertical_slash_verticals_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant -1 : index
  %c64 = arith.constant 64 : index
  // expected-error@+1 {{'spattn.vertical_slash' op verticals must be non-negative, got -1}}
  %v = spattn.vertical_slash %c0, %c64 last %c64
  spattn.yield %v
}

// -----

spattn.spec @vertical_slash_slashes_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant -1 : index
  %c64 = arith.constant 64 : index
  // expected-error@+1 {{'spattn.vertical_slash' op slashes must be non-negative, got -1}}
  %v = spattn.vertical_slash %c64, %c0 last %c64
  spattn.yield %v
}

// -----

spattn.spec @vertical_slash_last_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  // expected-error@+1 {{'spattn.vertical_slash' op last_queries must be positive, got 0}}
  %v = spattn.vertical_slash %c64, %c64 last %c0
  spattn.yield %v
}

// -----

spattn.spec @mass_max_blocks_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant -1 : index
  // expected-error@+1 {{'spattn.mass' op max_blocks must be non-negative, got -1}}
  %m = spattn.mass %c0 gamma 0.9 block 64
  spattn.yield %m
}

// -----

spattn.spec @pages_count_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c0 = arith.constant -1 : index
  // expected-error@+1 {{'spattn.pages' op count must be non-negative, got -1}}
  %p = spattn.pages %c0 page 16
  spattn.yield %p
}

//===----------------------------------------------------------------------===//
// Pattern primitives: block and page sizes
//===----------------------------------------------------------------------===//

// -----

spattn.spec @block_layout_block_not_pow2 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.block_layout' op block size must be a positive power of two, got 100}}
  %b = spattn.block_layout ["1"] block 100
  spattn.yield %b
}

// -----

spattn.spec @random_blocks_block_not_pow2 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  // expected-error@+1 {{'spattn.random_blocks' op block size must be a positive power of two, got 0}}
  %r = spattn.random_blocks %c2 block 0
  spattn.yield %r
}

// -----

spattn.spec @topk_blocks_block_not_pow2 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  // expected-error@+1 {{'spattn.topk_blocks' op block size must be a positive power of two, got 63}}
  %t = spattn.topk_blocks %c2 block 63
  spattn.yield %t
}

// -----

spattn.spec @mass_block_not_pow2 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  // expected-error@+1 {{'spattn.mass' op block size must be a positive power of two, got -128}}
  %m = spattn.mass %c2 gamma 0.9 block -128
  spattn.yield %m
}

// -----

spattn.spec @pages_page_not_pow2 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  // expected-error@+1 {{'spattn.pages' op page size must be a positive power of two, got 24}}
  %p = spattn.pages %c2 page 24
  spattn.yield %p
}

// -----

spattn.spec @align_multiple_not_pow2 attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.align' op multiple must be a positive power of two, got 48}}
  %a = spattn.budget.align %L {multiple = 48}
  %w = spattn.window %a
  spattn.yield %w
}

// -----

spattn.spec @align_multiple_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.align' op multiple must be a positive power of two, got 0}}
  %a = spattn.budget.align %L {multiple = 0}
  %w = spattn.window %a
  spattn.yield %w
}

//===----------------------------------------------------------------------===//
// block_layout rows
//===----------------------------------------------------------------------===//

// -----

spattn.spec @block_layout_empty attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.block_layout' op layout must have at least one row}}
  %b = spattn.block_layout [] block 64
  spattn.yield %b
}

// -----

spattn.spec @block_layout_empty_row attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.block_layout' op layout row 0 has 0 blocks, expected 0 (rows must be equal and non-empty)}}
  %b = spattn.block_layout [""] block 64
  spattn.yield %b
}

// -----

spattn.spec @block_layout_ragged attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.block_layout' op layout row 2 has 2 blocks, expected 3 (rows must be equal and non-empty)}}
  %b = spattn.block_layout ["100", "110", "11"] block 64
  spattn.yield %b
}

// -----

spattn.spec @block_layout_bad_char attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.block_layout' op layout row 1 may only contain '0' and '1', got "1x"}}
  %b = spattn.block_layout ["10", "1x"] block 64
  spattn.yield %b
}

// -----

spattn.spec @block_layout_not_strings attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.block_layout' op attribute 'layout' failed to satisfy constraint: block layout rows}}
  %b = spattn.block_layout [1, 0] block 64
  spattn.yield %b
}

//===----------------------------------------------------------------------===//
// random_blocks seed, mass gamma
//===----------------------------------------------------------------------===//

// -----

spattn.spec @random_blocks_seed_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  // expected-error@+1 {{'spattn.random_blocks' op seed must be non-negative, got -1}}
  %r = spattn.random_blocks %c2 block 64 {seed = -1 : i64}
  spattn.yield %r
}

// -----

spattn.spec @mass_gamma_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  // expected-error@+1 {{'spattn.mass' op gamma must be in (0, 1], got 0.000000e+00}}
  %m = spattn.mass %c8 gamma 0.0 block 64
  spattn.yield %m
}

// -----

spattn.spec @mass_gamma_above_one attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  // expected-error@+1 {{'spattn.mass' op gamma must be in (0, 1], got 1.500000e+00}}
  %m = spattn.mass %c8 gamma 1.5 block 64
  spattn.yield %m
}

// -----

spattn.spec @mass_gamma_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  // expected-error@+1 {{'spattn.mass' op gamma must be in (0, 1], got -5.000000e-01}}
  %m = spattn.mass %c8 gamma -0.5 block 64
  spattn.yield %m
}

//===----------------------------------------------------------------------===//
// Combinators
//===----------------------------------------------------------------------===//

// -----

spattn.spec @union_one_input attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  // expected-error@+1 {{'spattn.union' op needs at least two input patterns, got 1}}
  %u = spattn.union %w
  spattn.yield %u
}

// -----

spattn.spec @union_no_input attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  // expected-error@+1 {{'spattn.union' op needs at least two input patterns, got 0}}
  %u = spattn.union
  spattn.yield %w
}

// -----

spattn.spec @intersect_one_input attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  // expected-error@+1 {{'spattn.intersect' op needs at least two input patterns, got 1}}
  %i = spattn.intersect %w
  spattn.yield %i
}

// -----

spattn.spec @per_head_count_mismatch attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  %s = spattn.sink %L
  // expected-error@+1 {{'spattn.per_head' op has 2 input patterns but 3 head starts}}
  %p = spattn.per_head %w, %s heads [0, 2, 4]
  spattn.yield %p
}

// -----

spattn.spec @per_head_not_from_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  %s = spattn.sink %L
  // expected-error@+1 {{'spattn.per_head' op head starts must begin at 0}}
  %p = spattn.per_head %w, %s heads [1, 4]
  spattn.yield %p
}

// -----

spattn.spec @per_head_empty attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  // expected-error@+1 {{'spattn.per_head' op head starts must begin at 0}}
  %p = spattn.per_head heads []
  spattn.yield %w
}

// -----

spattn.spec @per_head_not_increasing attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  %s = spattn.sink %L
  %g = spattn.global_queries %L
  // expected-error@+1 {{'spattn.per_head' op head starts must be strictly increasing, but 2 follows 4}}
  %p = spattn.per_head %w, %s, %g heads [0, 4, 2]
  spattn.yield %p
}

// -----

spattn.spec @per_head_repeated_start attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  %s = spattn.sink %L
  // expected-error@+1 {{'spattn.per_head' op head starts must be strictly increasing, but 0 follows 0}}
  %p = spattn.per_head %w, %s heads [0, 0]
  spattn.yield %p
}

// -----

spattn.spec @per_head_out_of_range attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  %s = spattn.sink %L
  // expected-error@+1 {{'spattn.per_head' op head 8 is out of range for num_q_heads = 8}}
  %p = spattn.per_head %w, %s heads [0, 8]
  spattn.yield %p
}

// -----

// The range check also reaches a per_head nested in another pattern.
spattn.spec @per_head_nested_out_of_range attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  %w = spattn.window %L
  %s = spattn.sink %L
  // expected-error@+1 {{'spattn.per_head' op head 12 is out of range for num_q_heads = 8}}
  %p = spattn.per_head %w, %s heads [0, 12]
  %u = spattn.union %p, %w
  spattn.yield %u
}

//===----------------------------------------------------------------------===//
// Budget helpers
//===----------------------------------------------------------------------===//

// -----

spattn.spec @power_coeff_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.power' op coeff must be positive and finite, got 0.000000e+00}}
  %b = spattn.budget.power %L {coeff = 0.0, exponent = 0.5}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @power_coeff_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.power' op coeff must be positive and finite, got -2.000000e+00}}
  %b = spattn.budget.power %L {coeff = -2.0, exponent = 0.5}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @power_coeff_infinite attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.power' op coeff must be positive and finite, got INF}}
  %b = spattn.budget.power %L {coeff = 0x7FF0000000000000 : f64, exponent = 0.5}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @power_exponent_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.power' op exponent must be non-negative and finite, got -5.000000e-01}}
  %b = spattn.budget.power %L {coeff = 16.0, exponent = -0.5}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @power_missing_exponent attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.power' op requires attribute 'exponent'}}
  %b = spattn.budget.power %L {coeff = 16.0}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @fraction_zero attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.fraction' op fraction must be in (0, 1], got 0.000000e+00}}
  %b = spattn.budget.fraction %L {fraction = 0.0}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @fraction_above_one attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.fraction' op fraction must be in (0, 1], got 1.250000e+00}}
  %b = spattn.budget.fraction %L {fraction = 1.25}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @fraction_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.fraction' op fraction must be in (0, 1], got -2.500000e-01}}
  %b = spattn.budget.fraction %L {fraction = -0.25}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @clamp_min_negative attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.clamp' op min must be non-negative, got -1}}
  %b = spattn.budget.clamp %L {min = -1, max = 64}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @clamp_max_below_min attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.clamp' op max (64) must not be below min (128)}}
  %b = spattn.budget.clamp %L {min = 128, max = 64}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

spattn.spec @clamp_f64_bounds attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.budget.clamp' op attribute 'min' failed to satisfy constraint: 64-bit signless integer attribute}}
  %b = spattn.budget.clamp %L {min = 1.0, max = 64}
  %w = spattn.window %b
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op bucket bound 2097152 exceeds the longest supported key length 1048576}}
spattn.spec @bucket_too_long attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 4096, 2097152>} {
^bb0(%L: index):
  %s = spattn.sink %L
  spattn.yield %s
}

//===----------------------------------------------------------------------===//
// spattn.variant and block schedules
//===----------------------------------------------------------------------===//

// -----

// A spec yields a pattern; schedules exist only in variants.
spattn.spec @spec_yields_blocks attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.blocks.layout' op expects parent op 'spattn.variant'}}
  %b = spattn.blocks.layout ["1"] block 64
  spattn.yield %b : !spattn.blocks
}

// -----

// expected-error@+1 {{'spattn.variant' op needs 1 <= lo <= hi <= 1048576, got [10, 5]}}
spattn.variant @bad_range attributes {spec = @s, bucket = 0 : i64, lo = 10 : i64, hi = 5 : i64, strategy = "sparse", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %s = spattn.sink %L
  spattn.yield %s
}

// -----

spattn.variant @empty_union attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 64 : i64, strategy = "sparse", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %a = spattn.blocks.layout ["1"] block 64
  %b = spattn.blocks.layout ["1"] block 64
  // Found by the spec fuzzer: the schedule evaluators start from the first input.
  // expected-error@+1 {{'spattn.blocks.union' op needs at least two input schedules, got 0}}
  %u = spattn.blocks.union
  spattn.yield %u : !spattn.blocks
}

// -----

spattn.variant @one_intersect attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 64 : i64, strategy = "sparse", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %a = spattn.blocks.layout ["1"] block 64
  %b = spattn.blocks.layout ["1"] block 64
  // expected-error@+1 {{'spattn.blocks.intersect' op needs at least two input schedules, got 1}}
  %i = spattn.blocks.intersect %a
  spattn.yield %i : !spattn.blocks
}

// -----

spattn.variant @per_head_starts attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 64 : i64, strategy = "sparse", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %a = spattn.blocks.layout ["1"] block 64
  %b = spattn.blocks.layout ["1"] block 64
  // expected-error@+1 {{'spattn.blocks.per_head' op has 2 input schedules but 1 head starts}}
  %p = spattn.blocks.per_head %a, %b heads [0]
  spattn.yield %p : !spattn.blocks
}

// -----

spattn.variant @per_head_order attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 64 : i64, strategy = "sparse", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %a = spattn.blocks.layout ["1"] block 64
  %b = spattn.blocks.layout ["1"] block 64
  // expected-error@+1 {{'spattn.blocks.per_head' op head starts must be strictly increasing, but 0 follows 4}}
  %p = spattn.blocks.per_head %a, %b, %a heads [0, 4, 0]
  spattn.yield %p : !spattn.blocks
}

// -----

// A negative bound is reported as written (the getters are unsigned).
// expected-error@+1 {{'spattn.variant' op needs 1 <= lo <= hi <= 1048576, got [-5, 5]}}
spattn.variant @negative_lo attributes {spec = @s, bucket = 0 : i64, lo = -5 : i64, hi = 5 : i64, strategy = "sparse", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %s = spattn.sink %L
  spattn.yield %s
}

// -----

// expected-error@+1 {{'spattn.variant' op strategy must be "dense" or "sparse", got "fast"}}
spattn.variant @bad_strategy attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "fast", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %s = spattn.sink %L
  spattn.yield %s
}

// -----

// expected-error@+1 {{'spattn.variant' op needs one budget_min and budget_max per label}}
spattn.variant @bad_budgets attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = ["sink.count"], budget_min = array<i64>, budget_max = array<i64: 1>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %s = spattn.sink %L
  spattn.yield %s
}

// -----

// expected-error@+1 {{'spattn.variant' op budget 0 has min above max}}
spattn.variant @min_above_max attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = ["sink.count"], budget_min = array<i64: 3>, budget_max = array<i64: 1>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %s = spattn.sink %L
  spattn.yield %s
}

// -----

// expected-error@+1 {{'spattn.variant' op block_k must be a positive power of two, got 48}}
spattn.variant @bad_tile attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 48 : i64} {
^bb0(%L: index):
  %s = spattn.sink %L
  spattn.yield %s
}

// -----

// expected-error@+1 {{'spattn.variant' op body must end in spattn.yield of the pattern}}
spattn.variant @no_yield attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  %s = spattn.sink %L
}

// -----

spattn.variant @map_arity attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.blocks.affine' op touch_upper must map (query tile)[symbols] to at least one bound with 1 symbols}}
  %b = spattn.blocks.affine[%L] {touch_lower = affine_map<(d0)[s0] -> (0)>, touch_upper = affine_map<(d0) -> (d0)>, keep = affine_set<(d0, d1)[s0] : (d0 >= 0)>}
  spattn.yield %b : !spattn.blocks
}

// -----

spattn.variant @keep_arity attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.blocks.affine' op keep must have 2 dimensions and 0 symbols}}
  %b = spattn.blocks.affine[] {touch_lower = affine_map<(d0) -> (0)>, touch_upper = affine_map<(d0) -> (d0)>, keep = affine_set<(d0) : (d0 >= 0)>}
  spattn.yield %b : !spattn.blocks
}

// -----

spattn.variant @half_full_range attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.blocks.affine' op full_lower and full_upper come together}}
  %b = spattn.blocks.affine[] {touch_lower = affine_map<(d0) -> (0)>, touch_upper = affine_map<(d0) -> (d0)>, full_lower = affine_map<(d0) -> (0)>, keep = affine_set<(d0, d1) : (d0 >= 0)>}
  spattn.yield %b : !spattn.blocks
}

// -----

spattn.variant @guard_arity attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.blocks.affine' op touch_when must have 1 dimensions and 0 symbols}}
  %b = spattn.blocks.affine[] {touch_lower = affine_map<(d0) -> (0)>, touch_upper = affine_map<(d0) -> (d0)>, touch_when = affine_set<(d0, d1) : (d0 >= 0)>, keep = affine_set<(d0, d1) : (d0 >= 0)>}
  spattn.yield %b : !spattn.blocks
}

// -----

spattn.variant @selected_needs_selection attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  // expected-note@+1 {{prior use here}}
  %e = spattn.estimate.pooled block 64
  // expected-error@+1 {{use of value '%e' expects different type than prior uses: '!spattn.selection' vs '!spattn.scores'}}
  %b = spattn.blocks.selected %e
  spattn.yield %b : !spattn.blocks
}

//===----------------------------------------------------------------------===//
// spattn.predicate
//===----------------------------------------------------------------------===//

// -----

spattn.spec @predicate_float attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %p = spattn.predicate () {
  ^bb0(%h: index, %pos: index, %j: index, %len: index):
    // expected-error@+1 {{'arith.constant' op in a spattn.predicate must produce index or i1 values}}
    %f = arith.constant 1.0 : f32
    %t = arith.constant true
    spattn.predicate.yield %t
  }
  spattn.yield %p
}

// -----

spattn.spec @predicate_unsupported_op attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %p = spattn.predicate () {
  ^bb0(%h: index, %pos: index, %j: index, %len: index):
    // expected-error@+1 {{'arith.shli' op is not supported in a spattn.predicate}}
    %s = arith.shli %pos, %j : index
    %k = arith.cmpi slt, %s, %len : index
    spattn.predicate.yield %k
  }
  spattn.yield %p
}

// -----

spattn.spec @predicate_arguments attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  // expected-error@+1 {{'spattn.predicate' op region must take (%h, %pos, %j, %L) and one index per operand, all of type index (5 arguments)}}
  %p = spattn.predicate (%c8) {
  ^bb0(%h: index, %pos: index, %j: index, %len: index):
    %k = arith.cmpi slt, %j, %pos : index
    spattn.predicate.yield %k
  }
  spattn.yield %p
}

// -----

spattn.spec @predicate_outer_value attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  // expected-note@+1 {{required by region isolation constraints}}
  %p = spattn.predicate () {
  ^bb0(%h: index, %pos: index, %j: index, %len: index):
    // expected-error@+1 {{'arith.cmpi' op using value defined outside the region}}
    %k = arith.cmpi slt, %j, %L : index
    spattn.predicate.yield %k
  }
  spattn.yield %p
}

// -----

spattn.spec @predicate_negative_budget attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c = arith.constant -3 : index
  // expected-error@+1 {{'spattn.predicate' op arg must be non-negative, got -3}}
  %p = spattn.predicate (%c) {
  ^bb0(%h: index, %pos: index, %j: index, %len: index, %a: index):
    %k = arith.cmpi slt, %j, %a : index
    spattn.predicate.yield %k
  }
  spattn.yield %p
}

//===----------------------------------------------------------------------===//
// spattn.spec: request parameters
//===----------------------------------------------------------------------===//

// -----

// expected-error@+1 {{'spattn.spec' op request entries must be {name = "...", min = <int>, max = <int>}, got {min = 0 : i64, name = "quality"}}}
spattn.spec @request_missing_field attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, request = [{name = "quality", min = 0}]} {
^bb0(%L: index, %q: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op request entries must be {name = "...", min = <int>, max = <int>}, got "quality"}}
spattn.spec @request_not_dict attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, request = ["quality"]} {
^bb0(%L: index, %q: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op request parameter name "2fast" must be a C identifier other than L}}
spattn.spec @request_bad_name attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, request = [{name = "2fast", min = 0, max = 1}]} {
^bb0(%L: index, %q: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op request parameter name "L" must be a C identifier other than L}}
spattn.spec @request_named_L attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, request = [{name = "L", min = 0, max = 1}]} {
^bb0(%L: index, %q: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op request parameter "q" is declared twice}}
spattn.spec @request_twice attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, request = [{name = "q", min = 0, max = 1}, {name = "q", min = 0, max = 1}]} {
^bb0(%L: index, %a: index, %b: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op request parameter "quality" has min 3 above max 2}}
spattn.spec @request_empty_range attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, request = [{name = "quality", min = 3, max = 2}]} {
^bb0(%L: index, %q: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op request parameters allow more than 4096 combinations of values}}
spattn.spec @request_too_many attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, request = [{name = "a", min = 0, max = 99}, {name = "b", min = 0, max = 99}]} {
^bb0(%L: index, %a: index, %b: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op request parameters allow more than 4096 combinations of values}}
spattn.spec @request_huge_range attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, request = [{name = "a", min = -9223372036854775807, max = 9223372036854775807}]} {
^bb0(%L: index, %a: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// expected-error@+1 {{'spattn.spec' op body must take the key length %L: index, then one index argument per request parameter (1 declared), got 1 arguments}}
spattn.spec @request_arguments_missing attributes {head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64, dtype = f16, buckets = array<i64: 1024>, request = [{name = "quality", min = 0, max = 3}]} {
^bb0(%L: index):
  %w = spattn.window %L
  spattn.yield %w
}

// -----

// Generated code evaluates schedule maps in int64: a subexpression that may
// leave it (tiles up to 2^20, symbols up to 2^31-1) is refused.
spattn.variant @affine_overflow attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.blocks.affine' op touch_upper: d0 * 9223372036854775807 may exceed 2^62 in magnitude}}
  %b = spattn.blocks.affine[%L] {touch_lower = affine_map<(d0)[s0] -> (0)>, touch_upper = affine_map<(d0)[s0] -> (d0 * 9223372036854775807)>, keep = affine_set<(d0, d1)[s0] : (d0 >= 0)>}
  spattn.yield %b : !spattn.blocks
}

// -----

spattn.variant @affine_set_overflow attributes {spec = @s, bucket = 0 : i64, lo = 1 : i64, hi = 5 : i64, strategy = "dense", density_low = 0.5 : f64, budget_labels = [], budget_min = array<i64>, budget_max = array<i64>, block_q = 64 : i64, block_k = 64 : i64} {
^bb0(%L: index):
  // expected-error@+1 {{'spattn.blocks.affine' op keep: d0 * s0 + (s0 * s0) * 4 may exceed 2^62 in magnitude}}
  %b = spattn.blocks.affine[%L] {touch_lower = affine_map<(d0)[s0] -> (0)>, touch_upper = affine_map<(d0)[s0] -> (d0)>, keep = affine_set<(d0, d1)[s0] : (d0 * s0 + s0 * s0 * 4 >= 0)>}
  spattn.yield %b : !spattn.blocks
}
