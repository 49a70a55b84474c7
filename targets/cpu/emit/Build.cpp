//===- Build.cpp - Compile and archive a CPU library ----------------------===//
#include "targets/cpu/emit/CpuLibrary.h"
#include "ToolchainPaths.h"

#include "dialects/SpAttn/Eval/SpAttnEvaluator.h"
#include "passes/Passes.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

namespace mlir::spattn {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

CpuToolchain findCpuToolchain(const char *argv0) {
  static int anchor;
  std::string exe = fs::getMainExecutable(argv0, &anchor);
  SmallString<256> prefix(path::parent_path(path::parent_path(exe)));
  SmallString<256> installed(prefix);
  path::append(installed, "libexec", "spattn", "spattn-cpu-gen");
  CpuToolchain toolchain;
  if (fs::exists(installed)) {
    auto under = [&](std::initializer_list<StringRef> parts) {
      SmallString<256> p(prefix);
      for (StringRef part : parts)
        path::append(p, part);
      return std::string(p);
    };
    toolchain.generator = under({"libexec", "spattn", "spattn-cpu-gen"});
    toolchain.includeDirs = {under({"include"}), under({"include", "spattn", "internal"})};
    for (const char *lib : {"libspattn_cpu_support.a", "libspattn_runtime.a",
                            "libSpAttnSchedule.a"})
      toolchain.archives.push_back(under({"lib", "spattn", lib}));
  } else {
    toolchain.generator = kBuildCpuGenerator;
    toolchain.includeDirs = kBuildIncludeDirs;
    toolchain.archives = kBuildArchives;
  }
  if (const char *cxx = std::getenv("CXX"))
    toolchain.compiler = cxx;
  return toolchain;
}

namespace {

/// Runs one step of the build; on failure reports the command and its
/// output at the spec's location.
class StepRunner {
public:
  StepRunner(SpecOp spec, StringRef workDir) : spec(spec), workDir(workDir) {}

  LogicalResult run(StringRef program, ArrayRef<std::string> args,
                    StringRef cwdNote = "") {
    std::string resolved = program.str();
    if (!path::is_absolute(program)) {
      llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(program);
      if (!found)
        return spec.emitError() << "cannot find '" << program << "' on PATH";
      resolved = *found;
    }
    SmallVector<StringRef> argv = {resolved};
    for (const std::string &a : args)
      argv.push_back(a);
    SmallString<256> log(workDir);
    path::append(log, "step.log");
    std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                            StringRef(log)};
    std::string error;
    int rc = llvm::sys::ExecuteAndWait(resolved, argv, std::nullopt, redirects,
                                       0, 0, &error);
    if (rc == 0)
      return success();
    std::string command;
    for (StringRef a : argv)
      command += (command.empty() ? "" : " ") + a.str();
    auto output = llvm::MemoryBuffer::getFile(log);
    std::string text = output ? (*output)->getBuffer().take_back(4000).str() : "";
    return spec.emitError() << "building the CPU library failed" << cwdNote
                            << ":\n  " << command << "\n"
                            << (error.empty() ? "" : error + "\n") << text;
  }

private:
  SpecOp spec;
  std::string workDir;
};

std::string pathJoin(StringRef dir, StringRef file) {
  SmallString<256> p(dir);
  path::append(p, file);
  return std::string(p);
}

LogicalResult writeFile(SpecOp spec, const std::string &file, StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(file, ec);
  if (ec)
    return spec.emitError() << "cannot write " << file << ": " << ec.message();
  os << text;
  return success();
}

bool isIdentifier(StringRef name) {
  if (name.empty() || !(isalpha(name[0]) || name[0] == '_'))
    return false;
  return llvm::all_of(name, [](char c) { return isalnum(c) || c == '_'; });
}

/// Extracts each archive's members into its own folder; returns the objects.
FailureOr<std::vector<std::string>> extractArchives(
    StepRunner &runner, const CpuToolchain &toolchain, StringRef work) {
  std::vector<std::string> objects;
  for (auto [k, archive] : llvm::enumerate(toolchain.archives)) {
    std::string dir = pathJoin(work, "support" + std::to_string(k));
    fs::create_directories(dir);
    // `ar x` extracts into the working directory: give it the folder via a
    // relative member path is not portable, so run through `sh -c`.
    if (failed(runner.run("sh", {"-c", "cd '" + dir + "' && '" +
                                           toolchain.archiver + "' x '" +
                                           archive + "'"})))
      return failure();
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      if (path::extension(it->path()) == ".o")
        objects.push_back(it->path());
  }
  return objects;
}

} // namespace

LogicalResult emitCpuLibrary(ModuleOp lowered, SpecOp spec,
                             const CpuToolchain &toolchain,
                             const std::string &outputDir) {
  std::string name = spec.getSymName().str();
  if (!isIdentifier(name))
    return spec.emitError() << "a CPU library needs a spec name that is a C "
                               "identifier, got @" << name;
  FailureOr<std::string> source = generateCpuLibrarySource(lowered, spec);
  if (failed(source))
    return failure();

  SmallString<256> work;
  if (std::error_code ec = fs::createUniqueDirectory("spattn-cpu", work))
    return spec.emitError() << "cannot create a temporary folder: " << ec.message();
  auto cleanup = llvm::make_scope_exit([&] {
    if (!std::getenv("SPATTN_KEEP_TEMPS"))
      fs::remove_directories(work);
  });
  StepRunner runner(spec, work);
  std::string sourceFile = pathJoin(work, name + "_library.cpp");
  if (failed(writeFile(spec, sourceFile, *source)) ||
      failed(writeFile(spec, pathJoin(work, name + ".h"), generateCpuLibraryHeader(spec))))
    return failure();

  // Halide kernels, one full and one masked per bucket, and Halide's runtime.
  SpecConfig config = SpecConfig::fromOp(spec);
  std::vector<std::string> genArgs = {"-o", std::string(work), "--runtime"};
  std::vector<std::string> objects = {pathJoin(work, name + "_library.o"),
                                      pathJoin(work, "halide_runtime.o")};
  for (VariantOp variant : variantsOf(lowered, spec))
    for (const std::string &kernel : kernelNames(name, variant)) {
      bool masked = StringRef(kernel).contains("_masked");
      bool few = StringRef(kernel).ends_with("_few");
      int64_t rows = few ? kFewRows : int64_t(variant.getBlockQ());
      genArgs.push_back(kernel + ":" + std::to_string(config.headDim) + ":" +
                        std::to_string(rows) + ":" +
                        std::to_string(spanOf(variant)) + ":" +
                        std::to_string(masked));
      objects.push_back(pathJoin(work, kernel + ".o"));
    }
  if (failed(runner.run(toolchain.generator, genArgs)))
    return failure();

  // SPATTN_CPU_CXXFLAGS adds flags to the generated code's compile and link
  // (e.g. sanitizers, when the support libraries were built with them).
  std::vector<std::string> extraFlags;
  if (const char *flags = std::getenv("SPATTN_CPU_CXXFLAGS"))
    for (StringRef flag : llvm::split(StringRef(flags), ' '))
      if (!flag.empty())
        extraFlags.push_back(flag.str());
  std::vector<std::string> compile = {"-O2", "-fPIC", "-std=c++17", "-I",
                                      std::string(work)};
  compile.insert(compile.end(), extraFlags.begin(), extraFlags.end());
  for (const std::string &dir : toolchain.includeDirs)
    compile.insert(compile.end(), {"-I", dir});
  compile.insert(compile.end(), {"-c", sourceFile, "-o", objects.front()});
  if (failed(runner.run(toolchain.compiler, compile)))
    return failure();

  FailureOr<std::vector<std::string>> support =
      extractArchives(runner, toolchain, work);
  if (failed(support))
    return failure();
  std::vector<std::string> archive = {"rcs", pathJoin(work, "lib" + name + ".a")};
  archive.insert(archive.end(), objects.begin(), objects.end());
  archive.insert(archive.end(), support->begin(), support->end());
  if (failed(runner.run(toolchain.archiver, archive)))
    return failure();
  std::vector<std::string> link = {"-shared", "-o", pathJoin(work, "lib" + name + ".so")};
  link.insert(link.end(), objects.begin(), objects.end());
  link.insert(link.end(), support->begin(), support->end());
  link.insert(link.end(), extraFlags.begin(), extraFlags.end());
  link.insert(link.end(), {"-lpthread", "-ldl"});
  if (failed(runner.run(toolchain.compiler, link)))
    return failure();

  // Everything built: only now touch the output folder.
  std::string spattnDir = pathJoin(outputDir, "spattn");
  if (std::error_code ec = fs::create_directories(spattnDir))
    return spec.emitError() << "cannot create " << spattnDir << ": " << ec.message();
  for (const std::string &file : {"lib" + name + ".a", "lib" + name + ".so", name + ".h"})
    if (std::error_code ec = fs::copy_file(pathJoin(work, file), pathJoin(outputDir, file)))
      return spec.emitError() << "cannot write " << pathJoin(outputDir, file) << ": "
                              << ec.message();
  for (const char *header : {"runtime.h", "spattn.hpp"})
    for (const std::string &dir : toolchain.includeDirs) {
      std::string from = pathJoin(pathJoin(dir, "spattn"), header);
      if (fs::exists(from)) {
        if (std::error_code ec = fs::copy_file(from, pathJoin(spattnDir, header)))
          return spec.emitError() << "cannot write " << pathJoin(spattnDir, header)
                                  << ": " << ec.message();
        break;
      }
    }
  return success();
}

} // namespace mlir::spattn
