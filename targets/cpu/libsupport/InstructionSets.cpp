//===- InstructionSets.cpp - Which kernel version a CPU library runs ------===//
//
// A library built for several instruction sets holds one version of each
// kernel per set; Halide's wrapper runs the first whose features the CPU has
// (halide_can_use_target_features). SPATTN_CPU_ISA=sse41|avx2|avx512 caps
// that choice, so the baseline and AVX2 versions can be tested on any
// machine that has more. A bf16 spec's kernels with bf16 products (an AMX
// version and an AVX-512 BF16 one, run by the driver for bf16 calls) are
// chosen the same way; the AMX ones also need the kernel's permission to
// use the tile registers (Linux asks each process to request it), without
// which they never run. Read once, at the first call.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/libsupport/InstructionSets.h"

#include "HalideRuntime.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace spattn::cpu {

namespace {

/// Features no kernel version may use in this process.
std::vector<halide_target_feature_t> forbidden;

bool requested(int count, const uint64_t *features, halide_target_feature_t f) {
  int word = static_cast<int>(f) / 64;
  return word < count && ((features[word] >> (static_cast<int>(f) % 64)) & 1);
}

int cappedCanUseTargetFeatures(int count, const uint64_t *features) {
  for (halide_target_feature_t f : forbidden)
    if (requested(count, features, f))
      return 0;
  return halide_default_can_use_target_features(count, features);
}

/// Asks Linux for the AMX tile data state (ARCH_REQ_XCOMP_PERM for
/// XFEATURE_XTILEDATA); false where refused or not Linux on x86-64.
bool amxPermitted() {
#if defined(__linux__) && defined(__x86_64__)
  constexpr long kArchRequestComponentPermission = 0x1023, kTileData = 18;
  return syscall(SYS_arch_prctl, kArchRequestComponentPermission, kTileData) == 0;
#else
  return false;
#endif
}

/// The Halide features of an instruction-set name (as the CPU target
/// compiles it), ending in halide_target_feature_end; null if unknown.
const halide_target_feature_t *featuresOf(const char *name) {
  static const halide_target_feature_t amx[] = {
      halide_target_feature_sse41, halide_target_feature_avx,
      halide_target_feature_f16c,  halide_target_feature_fma,
      halide_target_feature_avx2,  halide_target_feature_avx512,
      halide_target_feature_avx512_skylake, halide_target_feature_avx512_cannonlake,
      halide_target_feature_avx512_sapphirerapids, halide_target_feature_end};
  static const halide_target_feature_t avx512bf16[] = {
      halide_target_feature_sse41,          halide_target_feature_avx,
      halide_target_feature_f16c,           halide_target_feature_fma,
      halide_target_feature_avx2,           halide_target_feature_avx512,
      halide_target_feature_avx512_skylake, halide_target_feature_avx512_cannonlake,
      halide_target_feature_avx512_zen4,    halide_target_feature_end};
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
  if (std::strcmp(name, "amx") == 0)
    return amx;
  if (std::strcmp(name, "avx512bf16") == 0)
    return avx512bf16;
  if (std::strcmp(name, "avx512") == 0)
    return avx512;
  if (std::strcmp(name, "avx2") == 0)
    return avx2;
  if (std::strcmp(name, "sse41") == 0)
    return sse41;
  return nullptr;
}

} // namespace

/// Whether a kernel version with `features` runs here, under the cap.
static bool canUse(const halide_target_feature_t *features) {
  applyInstructionSetCap();
  constexpr int kWords = (halide_target_feature_end + 63) / 64;
  uint64_t mask[kWords] = {};
  for (const halide_target_feature_t *f = features; *f != halide_target_feature_end; ++f)
    mask[*f / 64] |= uint64_t{1} << (*f % 64);
  return halide_can_use_target_features(kWords, mask);
}

bool amxKernelsUsable() {
  static const bool usable = canUse(featuresOf("amx"));
  return usable;
}

bool bf16DotKernelsUsable() {
  static const bool usable = canUse(featuresOf("avx512bf16"));
  return usable;
}

const char *runningInstructionSet(const char *const *names, int count) {
  for (int n = 0; n < count; ++n) {
    const halide_target_feature_t *features = featuresOf(names[n]);
    if (!features || canUse(features))
      return names[n]; // no features: "host", one version for this kind of CPU
  }
  return "none";
}

HostVectors hostVectors() {
#if defined(__x86_64__)
  static const HostVectors vectors = canUse(featuresOf("avx512")) ? HostVectors::Avx512
                                     : canUse(featuresOf("avx2")) ? HostVectors::Avx2
                                                                  : HostVectors::Baseline;
  return vectors;
#else
  return HostVectors::Baseline;
#endif
}

void applyInstructionSetCap() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Each cap forbids what the sets above it add; without the tile state
    // AMX's own feature is forbidden.
    const halide_target_feature_t aboveAvx512[] = {
        halide_target_feature_avx512_cannonlake, halide_target_feature_avx512_zen4,
        halide_target_feature_avx512_sapphirerapids};
    const halide_target_feature_t aboveAvx2[] = {halide_target_feature_avx512};
    const halide_target_feature_t aboveSse41[] = {
        halide_target_feature_avx, halide_target_feature_avx2, halide_target_feature_fma,
        halide_target_feature_f16c};
    const char *cap = std::getenv("SPATTN_CPU_ISA");
    const int level = !cap                            ? 3
                      : std::strcmp(cap, "sse41") == 0 ? 0
                      : std::strcmp(cap, "avx2") == 0  ? 1
                      : std::strcmp(cap, "avx512") == 0 ? 2
                                                        : 3;
    if (level <= 2)
      forbidden.insert(forbidden.end(), std::begin(aboveAvx512), std::end(aboveAvx512));
    else if (!amxPermitted())
      forbidden.push_back(halide_target_feature_avx512_sapphirerapids);
    if (level <= 1)
      forbidden.insert(forbidden.end(), std::begin(aboveAvx2), std::end(aboveAvx2));
    if (level == 0)
      forbidden.insert(forbidden.end(), std::begin(aboveSse41), std::end(aboveSse41));
    if (!forbidden.empty())
      halide_set_custom_can_use_target_features(&cappedCanUseTargetFeatures);
  });
}

} // namespace spattn::cpu
