//===- CpuTarget.cpp - --target=cpu: Halide kernels per bucket ------------===//
//
// The CPU target's part of a library: per variant the Halide attend kernels
// the plan asks for (full and masked, and their few-row forms for decode
// tiles), AOT-compiled by spattn-cpu-gen in its own process, and generated
// C++ that puts them in a CpuKernels table behind the target's TargetEntry.
// The driver in targets/cpu/libsupport runs the calls.
//
//===----------------------------------------------------------------------===//
#include "CpuToolchainPaths.h"

#include "targets/common/LibraryBuild.h"
#include "targets/common/LibrarySource.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::spattn {

namespace {

// Which instruction sets a CPU library carries kernels for. The default is
// portable across x86-64: AVX-512, AVX2 + FMA and an SSE4.1 baseline, the
// best one the running CPU has chosen at call time, and for bf16 specs
// kernels with bf16 products that their bf16 calls run where the CPU has
// AMX or else AVX-512 BF16; `host` builds only for the build machine (the
// only choice off x86-64).
llvm::cl::opt<std::string> cpuInstructionSets(
    "cpu-isa",
    llvm::cl::desc("instruction sets of --target=cpu kernels, most capable first: "
                   "a list of amx, avx512bf16, avx512, avx2, sse41, or `host`; "
                   "default amx,avx512bf16,avx512,avx2,sse41 on x86-64 (amx and "
                   "avx512bf16: bf16 specs only), host elsewhere"),
    llvm::cl::init(""));

/// The instruction sets whose kernels take their products in bf16 (for a
/// bf16 spec's bf16 calls; float32 calls run the other sets), each one
/// version of the full and masked many-row kernels, symbol suffix, most
/// capable first: AMX tiles (AmxProducts.h), vdpbf16ps (Bf16DotProducts.h).
/// `readsBf16`: the set's kernels take K and V as the caller's bf16 rows
/// rather than float32 copies.
struct Bf16ProductSet {
  const char *name, *suffix;
  bool readsBf16;
};
constexpr Bf16ProductSet kBf16ProductSets[] = {{"amx", "_amx", false},
                                               {"avx512bf16", "_bf16dot", true}};

bool isBf16ProductSet(StringRef isa) {
  return llvm::any_of(kBf16ProductSets,
                      [&](const Bf16ProductSet &set) { return isa == set.name; });
}

/// The Halide target of one instruction-set name, or "". `amx` is
/// Sapphire Rapids' set, `avx512bf16` Zen 4's (AVX-512 BF16, no AMX).
std::string halideTarget(StringRef isa) {
  if (isa == "amx")
    return "x86-64-linux-sse41-avx-f16c-fma-avx2-avx512-avx512_skylake-"
           "avx512_cannonlake-avx512_sapphirerapids";
  if (isa == "avx512bf16")
    return "x86-64-linux-sse41-avx-f16c-fma-avx2-avx512-avx512_skylake-"
           "avx512_cannonlake-avx512_zen4";
  if (isa == "avx512")
    return "x86-64-linux-sse41-avx-f16c-fma-avx2-avx512-avx512_skylake";
  if (isa == "avx2")
    return "x86-64-linux-sse41-avx-f16c-fma-avx2";
  if (isa == "sse41")
    return "x86-64-linux-sse41";
  if (isa == "host")
    return "host";
  return "";
}

/// The spattn_dtype enumerator of the spec's dtype (float32 for f32).
const char *specDtype(const plan::Library &library) {
  if (library.dtype == "bf16")
    return "SPATTN_BF16";
  if (library.dtype == "f16")
    return "SPATTN_F16";
  return "SPATTN_F32";
}

/// The instruction-set names of --cpu-isa for `library`, most capable
/// first (the bf16 product sets only for bf16 specs: they serve their bf16
/// calls).
std::vector<std::string> instructionSets(const plan::Library &library) {
  std::string list = cpuInstructionSets;
  if (list.empty()) {
#if defined(__x86_64__)
    list = "amx,avx512bf16,avx512,avx2,sse41";
#else
    list = "host";
#endif
  }
  std::vector<std::string> names;
  SmallVector<StringRef> parts;
  StringRef(list).split(parts, ',');
  for (StringRef name : parts)
    if (!isBf16ProductSet(name.trim()) || library.dtype == "bf16")
      names.push_back(name.trim().str());
  return names;
}

/// Whether the library carries the kernels of bf16 product set `set`.
bool hasKernelsOf(const plan::Library &library, const Bf16ProductSet &set) {
  return llvm::is_contained(instructionSets(library), set.name);
}

/// The Halide targets of the float32 kernels' versions (every set but the
/// bf16 product sets), most capable first, or a located error.
FailureOr<std::vector<std::string>> halideTargets(const plan::Library &library,
                                                  SpecOp spec) {
  std::vector<std::string> targets;
  for (const std::string &name : instructionSets(library)) {
    std::string target = halideTarget(name);
    if (target.empty())
      return spec.emitError() << "unknown --cpu-isa '" << name
                              << "' (known: amx, avx512bf16, avx512, avx2, sse41, host)";
    if (!isBf16ProductSet(name))
      targets.push_back(target);
  }
  if (targets.empty())
    return spec.emitError() << "--cpu-isa needs a set besides amx and avx512bf16 "
                               "(float32 calls, and CPUs without them, run it)";
  return targets;
}

/// The symbol of kernel `k`'s version in bf16 product set `set`.
std::string bf16ProductSymbol(const plan::KernelInstance &k, const Bf16ProductSet &set) {
  return k.symbol + set.suffix;
}

/// Whether kernel `k` of `library` has a version reading K and V in the
/// spec's 16-bit dtype (few-row kernels of bf16 / f16 specs).
bool hasSixteenBitVersion(const plan::Library &library, const plan::KernelInstance &k) {
  return k.fewRows && library.dtype != "f32";
}

/// The symbol of that version.
std::string sixteenBitSymbol(const plan::KernelInstance &k) { return k.symbol + "_kv16"; }

/// spattn-cpu-gen's description of kernel `k` under `symbol`, reading K and
/// V as `keyValueType` (f32, bf16 or f16).
std::string kernelSpec(const plan::KernelInstance &k, const std::string &symbol,
                       bool bf16Products, StringRef keyValueType = "f32") {
  return symbol + ":" + std::to_string(k.headDim) + ":" + std::to_string(k.rows) + ":" +
         std::to_string(k.span) + ":" + (k.masked ? "1" : "0") + ":" +
         (bf16Products ? "1" : "0") + ":" + keyValueType.str();
}

/// The kernel of `variant` with these properties, or null.
const plan::KernelInstance *kernel(const plan::Variant &variant, bool masked,
                                   bool few) {
  for (const plan::KernelInstance &k : variant.kernels)
    if (k.masked == masked && k.fewRows == few)
      return &k;
  return nullptr;
}

class CpuTarget : public Target {
public:
  StringRef name() const override { return "cpu"; }
  StringRef description() const override {
    return "CPUs through Halide: float32 in host memory";
  }

  std::string headerDeclarations(const plan::Library &library) const override {
    return "/* cpu: the instruction set the CPU kernels run with here (\"amx\",\n"
           " * \"avx512bf16\", \"avx512\", \"avx2\", \"sse41\" or \"host\"): the best\n"
           " * this CPU has among those the library was built for (spattn-compile\n"
           " * --cpu-isa), capped by the SPATTN_CPU_ISA environment variable (sse41,\n"
           " * avx2 or avx512). \"amx\" and \"avx512bf16\" (bf16 specs) are what bf16\n"
           " * calls run; float32 calls run the next set the CPU has. */\n"
           "const char *" + library.name + "_cpu_isa(void);\n\n";
  }

  FailureOr<std::string> generateSource(const plan::Library &library,
                                        SpecOp) const override {
    std::string source;
    llvm::raw_string_ostream os(source);
    os << "// Generated by spattn-compile from spec @" << library.name
       << ": the cpu target's part. Do not edit.\n"
       << "#include \"targets/cpu/libsupport/CpuKernels.hpp\"\n\n";
    for (const plan::Variant &variant : library.variants)
      for (const plan::KernelInstance &k : variant.kernels) {
        os << "#include \"" << k.symbol << ".h\"\n";
        for (const Bf16ProductSet &set : kBf16ProductSets)
          if (hasKernelsOf(library, set) && !k.fewRows)
            os << "#include \"" << bf16ProductSymbol(k, set) << ".h\"\n";
        if (hasSixteenBitVersion(library, k))
          os << "#include \"" << sixteenBitSymbol(k) << ".h\"\n";
      }
    os << "\nnamespace {\nconst spattn::cpu::CpuKernels kKernels[] = {\n";
    for (const plan::Variant &variant : library.variants) {
      auto address = [&](bool masked, bool few) {
        const plan::KernelInstance *k = kernel(variant, masked, few);
        return k ? "&" + k->symbol : std::string("nullptr");
      };
      auto bf16ProductAddress = [&](bool masked, const Bf16ProductSet &set) {
        const plan::KernelInstance *k = kernel(variant, masked, false);
        return k && hasKernelsOf(library, set) ? "&" + bf16ProductSymbol(*k, set)
                                               : std::string("nullptr");
      };
      auto sixteenBitAddress = [&](bool masked) {
        const plan::KernelInstance *k = kernel(variant, masked, true);
        return k && hasSixteenBitVersion(library, *k) ? "&" + sixteenBitSymbol(*k)
                                                      : std::string("nullptr");
      };
      os << "    {" << variant.span << ", " << address(false, false) << ", "
         << address(true, false) << ", " << variant.fewRows << ", "
         << address(false, true) << ", " << address(true, true) << ", ";
      // The bf16 product sets' kernels in CpuKernels' order: full, masked.
      for (const Bf16ProductSet &set : kBf16ProductSets)
        os << bf16ProductAddress(false, set) << ", " << bf16ProductAddress(true, set)
           << ", ";
      os << sixteenBitAddress(false) << ", " << sixteenBitAddress(true) << "},\n";
    }
    os << "};\n"
       << "constexpr spattn::rt::TargetAccepts kAccepts = spattn::cpu::cpuAccepts("
       << specDtype(library) << ");\n"
       << "int attend(const spattn::abi::Library &library, const spattn_tensor *q,\n"
       << "           const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,\n"
       << "           spattn_tensor *lse, const spattn_tensor *const *page_bounds,\n"
       << "           const spattn_options *options) {\n"
       << "  return spattn::cpu::attention(library, kKernels, kAccepts, q, k, v, o, lse, "
          "page_bounds,\n                                 options);\n"
       << "}\n} // namespace\n\n"
       << "extern const spattn::abi::TargetEntry "
       << targetEntrySymbol(library, name()) << " = {kAccepts, &attend};\n\n"
       << "extern \"C\" const char *" << library.name << "_cpu_isa(void) {\n"
       << "  static const char *const kSets[] = {";
    std::vector<std::string> sets = instructionSets(library);
    for (const std::string &set : sets)
      os << "\"" << set << "\", ";
    os << "};\n  return spattn::cpu::runningInstructionSet(kSets, " << sets.size()
       << ");\n}\n";
    return source;
  }

  LogicalResult build(const plan::Library &library, BuildContext &context,
                      TargetBuild &out) const override {
    const Toolchain &toolchain = context.toolchain();
    FailureOr<std::vector<std::string>> targets = halideTargets(library, context.spec());
    if (failed(targets))
      return failure();
    // Halide kernels (one version per instruction set in an archive, or one
    // object) and Halide's runtime, from the plan's kernel list.
    std::vector<std::string> generate = {"-o", context.path(""), "--runtime", "--target",
                                         llvm::join(*targets, ",")};
    out.objects.push_back(context.path("halide_runtime.o"));
    // The bf16 product versions (bf16 specs): one target each, so plain
    // objects.
    std::vector<std::vector<std::string>> generateBf16;
    for (const Bf16ProductSet &set : kBf16ProductSets)
      generateBf16.push_back(
          {"-o", context.path(""), "--target", halideTarget(set.name)});
    // One Halide target gives an object per kernel; several, an archive.
    auto addKernelOutput = [&](const std::string &symbol) {
      if (targets->size() == 1)
        out.objects.push_back(context.path(symbol + ".o"));
      else
        out.archives.push_back(context.path(symbol + ".a"));
    };
    for (const plan::Variant &variant : library.variants)
      for (const plan::KernelInstance &k : variant.kernels) {
        generate.push_back(kernelSpec(k, k.symbol, false));
        addKernelOutput(k.symbol);
        for (size_t s = 0; s < std::size(kBf16ProductSets); ++s)
          if (hasKernelsOf(library, kBf16ProductSets[s]) && !k.fewRows) {
            const std::string symbol = bf16ProductSymbol(k, kBf16ProductSets[s]);
            generateBf16[s].push_back(kernelSpec(
                k, symbol, true, kBf16ProductSets[s].readsBf16 ? "bf16" : "f32"));
            out.objects.push_back(context.path(symbol + ".o"));
          }
        if (hasSixteenBitVersion(library, k)) {
          const std::string symbol = sixteenBitSymbol(k);
          generate.push_back(kernelSpec(k, symbol, false, library.dtype));
          addKernelOutput(symbol);
        }
      }
    const std::string generator =
        toolchain.locate("libexec/spattn/spattn-cpu-gen", kBuildCpuGenerator);
    if (failed(context.run(generator, generate)))
      return failure();
    for (size_t s = 0; s < std::size(kBf16ProductSets); ++s)
      if (hasKernelsOf(library, kBf16ProductSets[s]) &&
          failed(context.run(generator, generateBf16[s])))
        return failure();

    FailureOr<std::string> source = generateSource(library, SpecOp());
    if (failed(source))
      return failure();
    FailureOr<std::string> file = context.writeFile(library.name + "_cpu.cpp", *source);
    if (failed(file))
      return failure();
    std::string object = context.path(library.name + "_cpu.o");
    std::vector<std::string> includes =
        toolchain.prefix.empty() ? kBuildCpuIncludeDirs : std::vector<std::string>{};
    if (failed(context.compileCxx(*file, object, includes)))
      return failure();
    out.objects.push_back(object);
    out.archives.push_back(toolchain.locateArchive("lib/spattn/libspattn_cpu_support.a",
                                                   kBuildCpuSupportArchive));
    return success();
  }
};

} // namespace

void registerCpuTarget() { registerTarget(std::make_unique<CpuTarget>()); }

} // namespace mlir::spattn
