//===- FaultInjection.cpp - Faults put into a fuzzed call -----------------===//
#include "FaultInjection.h"

#include "spattn/runtime_internal.hpp"

#include <cstring>
#include <limits>
#include <utility>

namespace spattn::capifuzz {

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
/// Sizes and strides beyond this may leave the index range a library
/// serves (runtime.h) before they disagree with another tensor.
constexpr int64_t kIndexedLength = int64_t{1} << 20;

/// A tensor argument of the call that a fault can reach.
struct Argument {
  std::string name;
  spattn_tensor *desc;
  const spattn_tensor **pointer; // the argument itself (null: not nullable)
  bool output, pageBounds;
  /// The valid descriptor it was, which no fault may restore.
  spattn_tensor view;
};

std::vector<Argument> argumentsOf(AttentionCall &call) {
  std::vector<Argument> args;
  auto add = [&](const char *name, GuardedTensor &t, const spattn_tensor **pointer,
                 bool output, bool pageBounds) {
    args.push_back({name, &t.desc, pointer, output, pageBounds, t.desc});
  };
  add("k", *call.k, &call.kArg, false, false);
  if (call.q)
    add("q", *call.q, &call.qArg, false, false);
  if (call.v)
    add("v", *call.v, &call.vArg, false, false);
  if (call.o)
    add("o", *call.o, nullptr, true, false);
  if (call.lse)
    add("lse", *call.lse, nullptr, true, false);
  for (size_t s = 0; s < call.pageBounds.size(); ++s)
    add("page bounds", *call.pageBounds[s],
        call.updatesBounds() ? &call.pageBoundsArray[s] : nullptr, call.updatesBounds(), true);
  return args;
}

void nullPointer(AttentionCall &call, Argument &arg, Random &random) {
  if (arg.name == "o" && random.chance(0.5)) {
    call.oArg = nullptr;
    call.expected.add(SPATTN_ERROR_NULL, "o null");
  } else if (arg.pointer && random.chance(0.5)) {
    *arg.pointer = nullptr;
    call.expected.add(SPATTN_ERROR_NULL, arg.name + " null");
  } else {
    arg.desc->data = nullptr;
    call.expected.add(SPATTN_ERROR_NULL, arg.name + "->data null");
  }
}

void wrongRank(AttentionCall &call, Argument &arg, Random &random) {
  const int32_t right = arg.view.rank;
  int32_t rank;
  do
    rank = random.pick<int32_t>({-1, 0, 1, 2, 3, 4, 5, 8,
                                 std::numeric_limits<int32_t>::min(),
                                 std::numeric_limits<int32_t>::max()});
  while (rank == right);
  arg.desc->rank = rank;
  call.expected.add(SPATTN_ERROR_SHAPE, arg.name + " rank " + std::to_string(rank));
}

void nonPositiveSize(AttentionCall &call, Argument &arg, Random &random) {
  int32_t d = static_cast<int32_t>(random.between(0, arg.view.rank - 1));
  arg.desc->shape[d] = random.pick<int64_t>({0, 0, -1, -64, kInt64Min});
  call.expected.add(SPATTN_ERROR_SHAPE, arg.name + " size " +
                                            std::to_string(arg.desc->shape[d]));
}

/// A size that disagrees with the other tensors or the spec. A length
/// change must be refused for the length itself: a selection call has no
/// O or V whose shape would disagree.
void wrongSize(const FuzzedLibrary &lib, AttentionCall &call, Argument &arg,
               Random &random, bool &batchChanged) {
  int32_t d = static_cast<int32_t>(random.between(0, arg.view.rank - 1));
  // Two batch sizes changed alike (Q and K of a selection, K and the
  // bounds of an update) would agree: the call would read past them.
  if (d == 0 && std::exchange(batchChanged, true))
    d = 1; // heads: the spec fixes them
  if (call.updatesBounds() && arg.name == "k" && d == 2)
    d = 3; // an update reads only the keys K claims: a shorter K is valid
  int64_t &size = arg.desc->shape[d];
  const int64_t maxLength = lib.config().buckets.back();
  if (arg.pageBounds && d == 2) {
    size = 0; // more pages than needed would be valid
  } else if (arg.name == "q" && d == 2) {
    size = call.keyLength + random.between(1, 5);
    call.expected.add(SPATTN_ERROR_LENGTH, "Lq above Lk");
  } else if (arg.name == "k" && d == 2) {
    size = call.queryLength > 1 && random.chance(0.5)
               ? random.between(1, call.queryLength - 1)
               : maxLength + random.pick<int64_t>({1, 1000, kInt64Max - maxLength});
    call.expected.add(SPATTN_ERROR_LENGTH, "Lk " + std::to_string(size));
  } else {
    size = arg.view.shape[d] + random.pick<int64_t>({1, -1, 7, int64_t{1} << 40});
    if (size <= 0)
      size = 2 * (size + 1) + 3; // stays wrong, and positive
  }
  // v (or o) now disagrees with k (or q), which is refused as a shape;
  // past the index range (runtime.h), as a length or for its strides.
  const std::string fault =
      arg.name + " dim " + std::to_string(d) + " size " + std::to_string(size);
  call.expected.add(SPATTN_ERROR_SHAPE, fault);
  if (d == 2 && size > kIndexedLength)
    call.expected.add(SPATTN_ERROR_LENGTH, fault);
  if (size > 1 && arg.desc->strides[d] > kIndexedLength)
    call.expected.add(SPATTN_ERROR_STRIDE, fault);
}

/// K and V longer than the last bucket: refused before any row is read.
void aboveLastBucket(const FuzzedLibrary &lib, AttentionCall &call, Random &random) {
  const int64_t maxLength = lib.config().buckets.back();
  int64_t lk = maxLength + random.pick<int64_t>({1, 2, 4096, kInt64Max - maxLength});
  call.k->desc.shape[2] = lk;
  if (call.v)
    call.v->desc.shape[2] = lk;
  call.expected.add(SPATTN_ERROR_LENGTH, "Lk " + std::to_string(lk));
  if (!call.pageBounds.empty()) // the caller's bounds hold too few pages
    call.expected.add(SPATTN_ERROR_SHAPE, "page bounds too short for Lk");
}

void negativeStride(AttentionCall &call, Argument &arg, Random &random) {
  int32_t d = static_cast<int32_t>(random.between(0, arg.view.rank - 1));
  arg.desc->strides[d] = random.pick<int64_t>({-1, -128, kInt64Min});
  call.expected.add(SPATTN_ERROR_STRIDE, arg.name + " negative stride");
}

void innerStride(AttentionCall &call, Argument &arg, Random &random) {
  arg.desc->strides[arg.view.rank - 1] = random.pick<int64_t>({0, 2, 3, 129, kInt64Max});
  call.expected.add(SPATTN_ERROR_STRIDE, arg.name + " innermost stride " +
                                             std::to_string(arg.desc->strides[arg.view.rank - 1]));
}

/// An outer dimension of size > 1 whose stride is smaller than the
/// innermost extent: two of its elements share memory.
void overlappingOutput(AttentionCall &call, Argument &arg, Random &random) {
  const spattn_tensor &view = arg.view;
  const int32_t inner = view.rank - 1;
  std::vector<int32_t> dims;
  for (int32_t d = 0; d < inner; ++d)
    if (view.shape[d] > 1)
      dims.push_back(d);
  if (dims.empty())
    return;
  int32_t d = random.pick(dims);
  arg.desc->strides[d] = random.between(0, view.shape[inner] - 1);
  call.expected.add(SPATTN_ERROR_STRIDE, arg.name + " overlapping stride " +
                                             std::to_string(arg.desc->strides[d]));
}

/// Stores any int in an enum field, as a C caller may (an out-of-range
/// value cast to the enum type would be undefined in C++).
template <typename Enum> void storeInt(Enum &field, int32_t value) {
  std::memcpy(&field, &value, sizeof value);
}

void wrongDtype(AttentionCall &call, Argument &arg, Random &random) {
  const int32_t right = rt::storedValue(arg.view.dtype);
  // A selection's Q and K and an update's K may be any of the three dtypes
  // (Q and K alike): only others are surely wrong.
  const bool anyOfThree =
      call.tensors != CallTensors::Attention && (arg.name == "q" || arg.name == "k");
  // Page bounds may be float32 or K's dtype.
  auto valid = [&](int32_t dtype) {
    return dtype == right ||
           (anyOfThree && dtype >= SPATTN_F32 && dtype <= SPATTN_BF16) ||
           (arg.pageBounds && (dtype == SPATTN_F32 || dtype == call.dtype));
  };
  int32_t dtype;
  do
    dtype = random.pick<int32_t>({SPATTN_F32, SPATTN_F16, SPATTN_BF16, 3, 31, 32,
                                  -1, std::numeric_limits<int32_t>::max()});
  while (valid(dtype));
  storeInt(arg.desc->dtype, dtype);
  call.expected.add(SPATTN_ERROR_DTYPE, arg.name + " dtype " + std::to_string(dtype));
}

void wrongMemory(AttentionCall &call, Argument &arg, Random &random) {
  int32_t memory = random.pick<int32_t>({SPATTN_MEMORY_CUDA, SPATTN_MEMORY_CUDA, 2, -1, 1000});
  storeInt(arg.desc->memory, memory);
  call.expected.add(SPATTN_ERROR_ARGUMENT, arg.name + " memory " + std::to_string(memory));
}

} // namespace

void injectFaults(const FuzzedLibrary &lib, Random &random, AttentionCall &call) {
  std::vector<Argument> args = argumentsOf(call);
  bool batchChanged = false;
  const int64_t faults = random.pick<int64_t>({1, 1, 1, 2, 3});
  for (int64_t n = 0; n < faults; ++n) {
    Argument &arg = args[random.between(0, static_cast<int64_t>(args.size()) - 1)];
    switch (random.between(0, 9)) {
    case 0: nullPointer(call, arg, random); break;
    case 1: wrongRank(call, arg, random); break;
    case 2: nonPositiveSize(call, arg, random); break;
    case 3: wrongSize(lib, call, arg, random, batchChanged); break;
    case 4: // an update has no buckets
      if (call.updatesBounds())
        nonPositiveSize(call, arg, random);
      else
        aboveLastBucket(lib, call, random);
      break;
    case 5: negativeStride(call, arg, random); break;
    case 6: innerStride(call, arg, random); break;
    case 7:
      if (arg.output)
        overlappingOutput(call, arg, random);
      else
        wrongDtype(call, arg, random);
      break;
    case 8: wrongDtype(call, arg, random); break;
    default: wrongMemory(call, arg, random); break;
    }
  }
}

} // namespace spattn::capifuzz
