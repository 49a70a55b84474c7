//===- CudaTarget.cpp - --target=cuda: fused tensor-core kernels per bucket ===//
//
// The CUDA target's part of a library: per variant one CUDA file,
// attn_fwd_<spec>_b<bucket>_hdim<D>_<dtype>.cu, holding the variant's block
// schedule as host+device functions (DeviceSchedule.cpp) and explicit
// instantiations of the one templated kernel (kernels/FlashForward.cuh) for
// the spec's head_dim and element types; nvcc compiles them, in parallel,
// into fat objects for sm_80 and sm_90a. A host C++ file binds them in a
// CudaVariant table behind the target's TargetEntry and defines the
// stream-ordered entry points <name>_attention_cuda and
// <name>_workspace_size. The driver in targets/cuda/libsupport runs calls.
//
//===----------------------------------------------------------------------===//
#include "CudaToolchainPaths.h"

#include "targets/common/LibraryBuild.h"
#include "targets/common/LibrarySource.h"
#include "targets/cuda/codegen/DeviceSchedule.h"
#include "targets/cuda/kernels/SelectionStages.h"
#include "targets/cuda/libsupport/CudaLaunch.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::spattn {

namespace {

/// The architectures every library's kernels are compiled for: sm_80
/// (A100) and sm_90a (H100/H200; the `a` keeps arch-specific features, and
/// no compute_90 pass runs).
const char *const kArchitectures[] = {"-gencode=arch=compute_80,code=sm_80",
                                      "-gencode=arch=compute_90a,code=sm_90a"};

/// One generated CUDA file.
struct KernelSource {
  std::string file, text;
};

/// What the target generates for a library.
struct CudaSources {
  std::vector<KernelSource> kernels; // one per variant
  std::string entry;                 // host C++: variant table and entry points
};

/// Element types the library's kernels take: the spec's dtype, or both
/// 16-bit types for a float32 spec (tensor cores read 16-bit inputs).
struct Inputs {
  bool half = false, bfloat16 = false;
  std::string suffix() const {
    return half && bfloat16 ? "f16_bf16" : half ? "f16" : "bf16";
  }
};

std::string launcherSymbol(const plan::Library &library, const plan::Variant &variant,
                           StringRef what) {
  return ("spattn_" + library.name + "_cuda_b" + Twine(variant.bucket) + "_" + what).str();
}

/// The library's selection kernels for one input type ("f16", "bf16").
std::string selectorSymbol(const plan::Library &library, StringRef input) {
  return ("spattn_" + library.name + "_cuda_select_" + input).str();
}

bool isContentBased(plan::StageKind kind) { return kind != plan::StageKind::RandomBlocks; }

bool hasPagesStage(const plan::Library &library) {
  return llvm::is_contained(library.stageKinds, plan::StageKind::Pages);
}

bool hasContentStages(const plan::Library &library) {
  return llvm::any_of(library.stageKinds, isContentBased);
}

/// The largest value `operand` takes over the variant's lengths.
int64_t largestValue(const plan::Variant &variant, const plan::IndexOperand &operand) {
  switch (operand.kind) {
  case plan::IndexOperand::Kind::Constant:
    return operand.value;
  case plan::IndexOperand::Kind::Length:
    return variant.hi;
  case plan::IndexOperand::Kind::Parameter: {
    const std::vector<int64_t> &values = variant.parameters[operand.value].value;
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
  }
  }
  return 0;
}

/// The most indices one group of `stage` keeps in the bucket (columns and
/// offsets share one capacity).
int64_t stageCapacity(const plan::Stage &stage) {
  int64_t most = 1;
  for (int64_t c : stage.capacities)
    most = std::max(most, c);
  return most;
}

/// Team-shared bytes a stage's largest selection kernel needs at the
/// bucket's longest length.
int64_t selectionSharedBytes(const plan::Variant &variant, const plan::Stage &stage,
                             int64_t headDim) {
  using namespace ::spattn::cuda;
  switch (stage.kind) {
  case plan::StageKind::TopkBlocks:
  case plan::StageKind::Mass:
    return selectBlocksShared(headDim, ::spattn::core::ceilDiv(variant.hi, stage.block),
                              stageCapacity(stage));
  case plan::StageKind::Pages:
    return selectPagesShared(headDim, ::spattn::core::ceilDiv(variant.hi, stage.block));
  case plan::StageKind::VerticalSlash:
    return slashColumnsShared(headDim, largestValue(variant, stage.counts[2]));
  case plan::StageKind::RandomBlocks:
    return 0;
  }
  return 0;
}

/// Shared memory a selection kernel may use: what sm_80 grants a block.
constexpr int64_t kMaxSelectionShared = 160 * 1024;

/// Whether the CUDA kernels can serve `library`; a located error otherwise.
FailureOr<Inputs> checkSupported(const plan::Library &library, SpecOp spec) {
  auto error = [&]() { return spec.emitError(); };
  Inputs inputs;
  if (library.dtype == "f16")
    inputs.half = true;
  else if (library.dtype == "bf16")
    inputs.bfloat16 = true;
  else
    inputs.half = inputs.bfloat16 = true;
  if (library.headDim != 64 && library.headDim != 128 && library.headDim != 256)
    return error() << "the cuda target takes head_dim 64, 128 or 256, not "
                   << library.headDim;
  for (const plan::Variant &variant : library.variants) {
    std::string why = deviceScheduleUnsupported(variant);
    if (!why.empty())
      return error() << "spec @" << library.name << " cannot be compiled for the cuda "
                     << "target: " << why;
    if (variant.tileQ % 64 != 0 || variant.tileK % 64 != 0)
      return error() << "the cuda target's kernels walk 64 x 64 tiles, so block_q and "
                        "block_k must be multiples of 64; bucket "
                     << variant.bucket << " has block_q = " << variant.tileQ
                     << ", block_k = " << variant.tileK;
    if (variant.parameters.size() > static_cast<size_t>(::spattn::cuda::kMaxScheduleParams))
      return error() << "bucket " << variant.bucket << " has "
                     << variant.parameters.size()
                     << " schedule parameters; the cuda target takes at most "
                     << ::spattn::cuda::kMaxScheduleParams;
    if (variant.stages.size() > static_cast<size_t>(::spattn::cuda::kMaxStages))
      return error() << "bucket " << variant.bucket << " has " << variant.stages.size()
                     << " selection stages; the cuda target takes at most "
                     << ::spattn::cuda::kMaxStages;
    for (const plan::Stage &stage : variant.stages) {
      if (!isContentBased(stage.kind))
        continue;
      if (library.numQHeads > ::spattn::cuda::kMaxSelectionHeads)
        return error() << "the cuda target selects content for at most "
                       << ::spattn::cuda::kMaxSelectionHeads << " query heads, not "
                       << library.numQHeads;
      int64_t bytes = selectionSharedBytes(variant, stage, library.headDim);
      if (bytes > kMaxSelectionShared)
        return error() << "bucket " << variant.bucket << "'s "
                       << stageKindEnumerator(stage.kind) << " selection would need " << bytes
                       << " bytes of shared memory per block at L = " << variant.hi
                       << "; the cuda target has " << kMaxSelectionShared
                       << " (use a larger block or page, or shorter buckets)";
    }
  }
  return inputs;
}

/// The library's selection kernels, one instance per input type (they
/// depend on the head dim only; each variant passes its budgets).
void writeSelectors(const plan::Library &library, const Inputs &inputs,
                    llvm::raw_ostream &os) {
  os << "\n#include \"targets/cuda/kernels/SelectionKernels.cuh\"\n";
  auto selector = [&](StringRef what, StringRef input) {
    os << "int " << selectorSymbol(library, what)
       << "(const spattn::cuda::SelectionLaunch &s, void *stream) {\n"
       << "  return static_cast<int>(spattn::cuda::launchSelection<" << library.headDim
       << ", spattn::cuda::" << input << ">(s, static_cast<cudaStream_t>(stream)));\n}\n";
  };
  if (inputs.half)
    selector("f16", "Half");
  if (inputs.bfloat16)
    selector("bf16", "BFloat16");
}

/// A variant's stage table and the function that evaluates its stages'
/// budgets at a call, for the host entry file.
void writeStageTable(const plan::Library &library, const plan::Variant &variant,
                     llvm::raw_ostream &os) {
  if (variant.stages.empty())
    return;
  os << "const spattn::cuda::StageInfo " << launcherSymbol(library, variant, "stages")
     << "[] = {\n";
  for (const plan::Stage &stage : variant.stages) {
    uint64_t words[::spattn::cuda::kMaxSelectionHeads / 64] = {};
    for (size_t h = 0; h < stage.servesHead.size() &&
                       h < static_cast<size_t>(::spattn::cuda::kMaxSelectionHeads);
         ++h)
      if (stage.servesHead[h])
        words[h / 64] |= uint64_t{1} << (h % 64);
    os << "    {spattn::cuda::SelectionKind::"
       << stageKindEnumerator(stage.kind) << ", " << stage.block << ", " << llvm::format("%.17g", stage.gamma) << ", "
       << stageCapacity(stage) << ", {";
    for (size_t w = 0; w < std::size(words); ++w)
      os << (w ? ", " : "") << words[w] << "ull";
    os << "}},\n";
  }
  os << "};\n"
     << "void " << launcherSymbol(library, variant, "counts")
     << "(const int64_t *params, int64_t length, int64_t (*counts)[3]) {\n"
     << "  (void)params; (void)length;\n";
  for (auto [s, stage] : llvm::enumerate(variant.stages))
    for (auto [c, operand] : llvm::enumerate(stage.counts))
      if (c < 3)
        os << "  counts[" << s << "][" << c
           << "] = " << spellIndexOperand(operand, "params", "length") << ";\n";
  os << "}\n";
}

CudaSources generate(const plan::Library &library, const Inputs &inputs) {
  CudaSources out;
  const std::string &name = library.name;
  std::string hdim = std::to_string(library.headDim);
  for (const plan::Variant &variant : library.variants) {
    KernelSource kernel;
    kernel.file = "attn_fwd_" + name + "_b" + std::to_string(variant.bucket) + "_hdim" +
                  hdim + "_" + inputs.suffix() + ".cu";
    llvm::raw_string_ostream os(kernel.text);
    std::string ns = "spattn_" + name + "_b" + std::to_string(variant.bucket);
    os << "// Generated by spattn-compile from spec @" << name << ": bucket "
       << variant.bucket << " (Lk in [" << variant.lo << ", " << variant.hi
       << "]) for the cuda target. Do not edit.\n"
       << "#include \"targets/cuda/kernels/FlashForward.cuh\"\n\nnamespace " << ns
       << " {\n";
    writeDeviceSchedule(variant, library.causal, "Schedule", os);
    os << "} // namespace " << ns << "\n\n";
    auto launcher = [&](StringRef what, StringRef input) {
      os << "int " << launcherSymbol(library, variant, what)
         << "(const spattn::cuda::AttentionLaunch &p, void *stream) {\n"
         << "  return static_cast<int>(spattn::cuda::launchAttention<" << ns
         << "::Schedule, " << hdim << ", spattn::cuda::" << input
         << ">(p, static_cast<cudaStream_t>(stream)));\n}\n";
    };
    if (inputs.half)
      launcher("f16", "Half");
    if (inputs.bfloat16)
      launcher("bf16", "BFloat16");
    os << "int64_t " << launcherSymbol(library, variant, "tiles")
       << "(const spattn::cuda::AttentionLaunch &p, int64_t queryTile) {\n"
       << "  return spattn::cuda::keptKeyTiles<" << ns << "::Schedule>(p, queryTile);\n}\n";
    if (out.kernels.empty() && hasContentStages(library))
      writeSelectors(library, inputs, os);
    out.kernels.push_back(std::move(kernel));
  }

  llvm::raw_string_ostream os(out.entry);
  os << "// Generated by spattn-compile from spec @" << name
     << ": the cuda target's part. Do not edit.\n"
     << "#include \"targets/cuda/libsupport/CudaDriver.hpp\"\n#include \"" << name
     << ".h\"\n\nextern const spattn::abi::Library " << librarySymbol(library) << ";\n";
  for (const plan::Variant &variant : library.variants) {
    for (StringRef what : {"f16", "bf16"})
      if (what == "f16" ? inputs.half : inputs.bfloat16)
        os << "int " << launcherSymbol(library, variant, what)
           << "(const spattn::cuda::AttentionLaunch &, void *);\n";
    os << "int64_t " << launcherSymbol(library, variant, "tiles")
       << "(const spattn::cuda::AttentionLaunch &, int64_t);\n";
    writeStageTable(library, variant, os);
  }
  const bool selects = hasContentStages(library);
  for (StringRef what : {"f16", "bf16"})
    if (selects && (what == "f16" ? inputs.half : inputs.bfloat16))
      os << "int " << selectorSymbol(library, what)
         << "(const spattn::cuda::SelectionLaunch &, void *);\n";
  auto selectorAddress = [&](StringRef what, bool present) {
    return selects && present ? "&" + selectorSymbol(library, what) : std::string("nullptr");
  };
  unsigned dtypes = (inputs.half ? 1u << 1 : 0u) | (inputs.bfloat16 ? 1u << 2 : 0u);
  os << "\nnamespace {\nconst spattn::cuda::CudaVariant kVariants[] = {\n";
  for (const plan::Variant &variant : library.variants) {
    auto address = [&](StringRef what, bool present) {
      return present ? "&" + launcherSymbol(library, variant, what) : std::string("nullptr");
    };
    const bool staged = !variant.stages.empty();
    os << "    {" << address("f16", inputs.half) << ", " << address("bf16", inputs.bfloat16)
       << ", &" << launcherSymbol(library, variant, "tiles") << ", "
       << (isHeadUniform(variant) ? "true" : "false") << ", " << variant.stages.size() << ", "
       << (staged ? launcherSymbol(library, variant, "stages") : "nullptr") << ", "
       << (staged ? "&" + launcherSymbol(library, variant, "counts") : "nullptr") << ", "
       << selectorAddress("f16", inputs.half) << ", "
       << selectorAddress("bf16", inputs.bfloat16) << "},\n";
  }
  os << "};\n"
     << "static_assert(SPATTN_F16 == 1 && SPATTN_BF16 == 2, \"dtype bits\");\n"
     << "constexpr spattn::rt::TargetAccepts kAccepts = {\"cuda\", " << dtypes
     << "u, SPATTN_MEMORY_CUDA};\n"
     << "const spattn::abi::Library &kLibrary = " << librarySymbol(library) << ";\n"
     << "int attend(const spattn::abi::Library &library, const spattn_tensor *q,\n"
     << "           const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,\n"
     << "           spattn_tensor *lse, const spattn_tensor *const *page_bounds,\n"
     << "           const spattn_options *options) {\n"
     << "  return spattn::cuda::attentionOnDefaultStream(library, kVariants, kAccepts, q, "
        "k, v, o, lse, page_bounds,\n                                              options);\n"
        "}\n} // namespace\n\n"
     << "extern const spattn::abi::TargetEntry " << targetEntrySymbol(library, "cuda")
     << " = {kAccepts, &attend};\n\n"
     << "extern \"C\" {\n"
     << "int " << name << "_attention_cuda(const spattn_tensor *q, const spattn_tensor *k,\n"
     << "    const spattn_tensor *v, spattn_tensor *o, spattn_tensor *lse,\n"
     << "    const spattn_options *options, spattn_cuda_stream stream, void *workspace,\n"
     << "    size_t workspace_bytes) {\n"
     << "  return spattn::cuda::attention(kLibrary, kVariants, kAccepts, q, k, v, o, lse, "
        "nullptr,\n                                 options, stream, workspace, "
        "workspace_bytes);\n}\n"
     << "int " << name << "_selection_cuda(const spattn_tensor *q, const spattn_tensor *k,\n"
     << "    int64_t batch, int64_t head, int32_t stage, const spattn_options *options,\n"
     << "    spattn_selection *out) {\n"
     << "  return spattn::cuda::selection(kLibrary, kVariants, kAccepts, q, k, batch, head, "
        "stage, options,\n                                 out);\n}\n"
     << (hasPagesStage(library)
             ? "int " + name + "_attention_with_page_bounds_cuda(const spattn_tensor *q,\n"
               "    const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,\n"
               "    spattn_tensor *lse, const spattn_tensor *const *page_bounds,\n"
               "    const spattn_options *options, spattn_cuda_stream stream, void *workspace,\n"
               "    size_t workspace_bytes) {\n"
               "  return spattn::cuda::attention(kLibrary, kVariants, kAccepts, q, k, v, o, lse,\n"
               "                                 page_bounds, options, stream, workspace, "
               "workspace_bytes);\n}\n"
               "int " + name + "_update_page_bounds_cuda(const spattn_tensor *k, int64_t "
               "first_key,\n    int32_t stage, spattn_tensor *bounds, spattn_cuda_stream "
               "stream) {\n"
               "  return spattn::cuda::updatePageBounds(kLibrary, kVariants, kAccepts, k, "
               "first_key, stage,\n                                        bounds, stream);\n}\n"
             : std::string())
     << "int " << name << "_workspace_size(const spattn_tensor *q, const spattn_tensor *k,\n"
     << "    const spattn_options *options, size_t *bytes) {\n"
     << "  return spattn::cuda::workspaceSize(kLibrary, kVariants, kAccepts, q, k, options, "
        "bytes);\n"
     << "}\n} // extern \"C\"\n";
  return out;
}

/// The ptxas resource lines (registers, stack, spills per kernel) of every
/// nvcc log, as the library's kernel report.
std::string resourceReport(ArrayRef<std::string> logs) {
  std::string report =
      "# ptxas resource usage of every kernel (nvcc -Xptxas -v), per file\n";
  for (const std::string &log : logs) {
    auto buffer = llvm::MemoryBuffer::getFile(log);
    if (!buffer)
      continue;
    SmallVector<StringRef> lines;
    (*buffer)->getBuffer().split(lines, '\n');
    for (StringRef line : lines)
      if (line.contains("Compiling entry function") || line.contains("bytes stack frame") ||
          line.contains("Used ") )
        report += line.trim().str() + "\n";
  }
  return report;
}

class CudaTarget : public Target {
public:
  StringRef name() const override { return "cuda"; }
  StringRef description() const override {
    return "NVIDIA GPUs (sm_80, sm_90a) through nvcc: float16 and bfloat16 in CUDA "
           "device memory, stream-ordered";
  }

  std::string headerDeclarations(const plan::Library &library) const override {
    const std::string &n = library.name;
    return "/* cuda: the call on `stream` (device tensors on one device). It never\n"
           " * allocates, copies to the host or synchronizes, so CUDA graphs can\n"
           " * capture it; `workspace` (device memory, 16-byte aligned) must hold\n"
           " * " + n + "_workspace_size() bytes for these shapes (often 0: then it may\n"
           " * be null). " + n + "_attention() on device tensors runs on the legacy\n"
           " * default stream and allocates the workspace in stream order. */\n"
           "int " + n + "_attention_cuda(const spattn_tensor *q, const spattn_tensor *k,\n"
           "    const spattn_tensor *v, spattn_tensor *o, spattn_tensor *lse,\n"
           "    const spattn_options *options, spattn_cuda_stream stream,\n"
           "    void *workspace, size_t workspace_bytes);\n"
           "int " + n + "_workspace_size(const spattn_tensor *q, const spattn_tensor *k,\n"
           "    const spattn_options *options, size_t *bytes);\n"
           "/* cuda: what content-based stage `stage` chooses for (batch, head) of\n"
           " * device Q and K, as " + n + "_selection gives it for host tensors. It\n"
           " * allocates, runs on the legacy default stream and synchronizes: for\n"
           " * tests and inspection, outside any timed path. */\n"
           "int " + n + "_selection_cuda(const spattn_tensor *q, const spattn_tensor *k,\n"
           "    int64_t batch, int64_t head, int32_t stage, const spattn_options *options,\n"
           "    spattn_selection *out);\n" +
           (hasPagesStage(library)
                ? "/* cuda: page bounds kept by the caller in device memory (float32\n"
                  " * [B, Hkv, P, 2 * D] as " + n + "_update_page_bounds writes them on\n"
                  " * the host; float32 only on the device): a decode step updates the page\n"
                  " * of its new key on `stream`, then selects pages from the bounds instead\n"
                  " * of re-reading all of K. */\n"
                  "int " + n + "_update_page_bounds_cuda(const spattn_tensor *k,\n"
                  "    int64_t first_key, int32_t stage, spattn_tensor *bounds,\n"
                  "    spattn_cuda_stream stream);\n"
                  "int " + n + "_attention_with_page_bounds_cuda(const spattn_tensor *q,\n"
                  "    const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o,\n"
                  "    spattn_tensor *lse, const spattn_tensor *const *page_bounds,\n"
                  "    const spattn_options *options, spattn_cuda_stream stream,\n"
                  "    void *workspace, size_t workspace_bytes);\n"
                : std::string()) +
           "\n";
  }

  FailureOr<std::string> generateSource(const plan::Library &library,
                                        SpecOp spec) const override {
    FailureOr<Inputs> inputs = checkSupported(library, spec);
    if (failed(inputs))
      return failure();
    CudaSources sources = generate(library, *inputs);
    std::string all;
    for (const KernelSource &kernel : sources.kernels)
      all += "// ---- " + kernel.file + "\n" + kernel.text + "\n";
    return all + "// ---- " + library.name + "_cuda.cpp\n" + sources.entry;
  }

  LogicalResult build(const plan::Library &library, BuildContext &context,
                      TargetBuild &out) const override {
    FailureOr<Inputs> inputs = checkSupported(library, context.spec());
    if (failed(inputs))
      return failure();
    CudaSources sources = generate(library, *inputs);
    const Toolchain &toolchain = context.toolchain();
    std::vector<BuildContext::Command> compiles;
    std::vector<std::string> logs;
    for (const KernelSource &kernel : sources.kernels) {
      FailureOr<std::string> file = context.writeFile(kernel.file, kernel.text);
      if (failed(file))
        return failure();
      std::string object = context.path(kernel.file + ".o");
      std::vector<std::string> args = {"-std=c++17", "-O3", "-Xcompiler", "-fPIC",
                                       "-Xptxas", "-v", "-I", context.path("")};
      args.insert(args.end(), std::begin(kArchitectures), std::end(kArchitectures));
      for (const std::string &dir : toolchain.includeDirs)
        args.insert(args.end(), {"-I", dir});
      args.insert(args.end(), {"-c", *file, "-o", object});
      logs.push_back(context.path(kernel.file + ".log"));
      compiles.push_back({kNvcc, args, logs.back()});
      out.objects.push_back(object);
    }
    if (failed(context.runAll(compiles)))
      return failure();
    FailureOr<std::string> report =
        context.writeFile(library.name + "_cuda_kernels.txt", resourceReport(logs));
    if (failed(report))
      return failure();
    out.outputs.push_back(*report);

    FailureOr<std::string> entry =
        context.writeFile(library.name + "_cuda.cpp", sources.entry);
    if (failed(entry))
      return failure();
    std::string object = context.path(library.name + "_cuda.o");
    if (failed(context.compileCxx(*entry, object, {kCudaIncludeDir})))
      return failure();
    out.objects.push_back(object);
    out.archives.push_back(toolchain.locateArchive("lib/spattn/libspattn_cuda_support.a",
                                                   kBuildCudaSupportArchive));
    // The static CUDA runtime, its symbols hidden, so lib<name>.so needs only
    // the driver (libcuda) at run time and coexists with other runtimes.
    out.linkFlags = {kCudartStatic, "-lrt", "-Wl,--exclude-libs,libcudart_static.a"};
    return success();
  }
};

} // namespace

void registerCudaTarget() { registerTarget(std::make_unique<CudaTarget>()); }

} // namespace mlir::spattn
