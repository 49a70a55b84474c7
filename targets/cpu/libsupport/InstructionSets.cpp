//===- InstructionSets.cpp - Which kernel version a CPU library runs ------===//
//
// A library built for several instruction sets holds one version of each
// kernel per set; Halide's wrapper runs the first whose features the CPU has
// (halide_can_use_target_features). SPATTN_CPU_ISA=sse41|avx2|avx512 caps
// that choice, so the baseline and AVX2 versions can be tested on any
// machine that has more. Read once, at the first call.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/libsupport/InstructionSets.h"

#include "HalideRuntime.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace spattn::cpu {

namespace {

/// Features above the forced level, per level (halide_target_feature_end
/// ends a list).
const halide_target_feature_t kAboveSse41[] = {
    halide_target_feature_avx,    halide_target_feature_avx2,
    halide_target_feature_fma,    halide_target_feature_f16c,
    halide_target_feature_avx512, halide_target_feature_end};
const halide_target_feature_t kAboveAvx2[] = {halide_target_feature_avx512,
                                              halide_target_feature_end};

const halide_target_feature_t *forbidden = nullptr;

bool requested(int count, const uint64_t *features, halide_target_feature_t f) {
  int word = static_cast<int>(f) / 64;
  return word < count && ((features[word] >> (static_cast<int>(f) % 64)) & 1);
}

int cappedCanUseTargetFeatures(int count, const uint64_t *features) {
  for (const halide_target_feature_t *f = forbidden; *f != halide_target_feature_end; ++f)
    if (requested(count, features, *f))
      return 0;
  return halide_default_can_use_target_features(count, features);
}

/// The Halide features of an instruction-set name (as the CPU target
/// compiles it), ending in halide_target_feature_end; null if unknown.
const halide_target_feature_t *featuresOf(const char *name) {
  static const halide_target_feature_t avx512[] = {
      halide_target_feature_sse41, halide_target_feature_avx,
      halide_target_feature_f16c,  halide_target_feature_fma,
      halide_target_feature_avx2,  halide_target_feature_avx512,
      halide_target_feature_avx512_skylake, halide_target_feature_end};
  static const halide_target_feature_t avx2[] = {
      halide_target_feature_sse41, halide_target_feature_avx, halide_target_feature_f16c,
      halide_target_feature_fma, halide_target_feature_avx2, halide_target_feature_end};
  static const halide_target_feature_t sse41[] = {halide_target_feature_sse41,
                                                 halide_target_feature_end};
  if (std::strcmp(name, "avx512") == 0)
    return avx512;
  if (std::strcmp(name, "avx2") == 0)
    return avx2;
  if (std::strcmp(name, "sse41") == 0)
    return sse41;
  return nullptr;
}

} // namespace

const char *runningInstructionSet(const char *const *names, int count) {
  applyInstructionSetCap();
  constexpr int kWords = (halide_target_feature_end + 63) / 64;
  for (int n = 0; n < count; ++n) {
    const halide_target_feature_t *features = featuresOf(names[n]);
    if (!features)
      return names[n]; // "host": one version, built for this kind of CPU
    uint64_t mask[kWords] = {};
    for (const halide_target_feature_t *f = features; *f != halide_target_feature_end; ++f)
      mask[*f / 64] |= uint64_t{1} << (*f % 64);
    if (halide_can_use_target_features(kWords, mask))
      return names[n];
  }
  return "none";
}

void applyInstructionSetCap() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char *cap = std::getenv("SPATTN_CPU_ISA");
    if (!cap)
      return;
    if (std::strcmp(cap, "sse41") == 0)
      forbidden = kAboveSse41;
    else if (std::strcmp(cap, "avx2") == 0)
      forbidden = kAboveAvx2;
    if (forbidden)
      halide_set_custom_can_use_target_features(&cappedCanUseTargetFeatures);
  });
}

} // namespace spattn::cpu
