//===- LibraryBuild.cpp - Build a library for one or more targets ---------===//
#include "targets/common/LibraryBuild.h"
#include "LibraryToolchain.h"

#include "targets/common/LibrarySource.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <optional>
#include <thread>

namespace mlir::spattn {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

static std::string joinPath(StringRef dir, StringRef file) {
  SmallString<256> p(dir);
  path::append(p, file);
  return std::string(p);
}

std::string Toolchain::locate(StringRef installed, StringRef buildTree) const {
  return prefix.empty() ? buildTree.str() : joinPath(prefix, installed);
}

std::string Toolchain::locateArchive(StringRef installed, StringRef buildTree) const {
  std::string archive = locate(installed, buildTree);
  if (!prefix.empty() || archiveVariant.empty())
    return archive;
  SmallString<256> twin(path::parent_path(archive));
  path::append(twin, path::stem(archive) + "-" + archiveVariant + ".a");
  return std::string(twin);
}

Toolchain findToolchain(const char *argv0) {
  static int anchor;
  std::string exe = fs::getMainExecutable(argv0, &anchor);
  std::string prefix(path::parent_path(path::parent_path(exe)));
  Toolchain toolchain;
  // An install has the common archives under <prefix>/lib/spattn.
  if (fs::exists(joinPath(prefix, kInstalledMarker)))
    toolchain.prefix = prefix;
  if (toolchain.prefix.empty()) {
    toolchain.includeDirs = kBuildIncludeDirs;
  } else {
    toolchain.includeDirs = {joinPath(prefix, "include"),
                             joinPath(joinPath(prefix, "include"), "spattn/internal")};
  }
  if (const char *variant = std::getenv("SPATTN_ARCHIVE_VARIANT"))
    toolchain.archiveVariant = variant;
  for (const LibraryArchive &archive : kCommonArchives)
    toolchain.archives.push_back(
        toolchain.locateArchive(archive.installed, archive.buildTree));
  if (const char *cxx = std::getenv("CXX"))
    toolchain.compiler = cxx;
  return toolchain;
}

BuildContext::BuildContext(SpecOp spec, const Toolchain &toolchain,
                           StringRef workDir)
    : specOp(spec), tools(toolchain), work(workDir) {
  // SPATTN_CXXFLAGS adds flags to the generated code's compile and link
  // (e.g. sanitizers, when the support libraries were built with them).
  if (const char *extra = std::getenv("SPATTN_CXXFLAGS"))
    for (StringRef flag : llvm::split(StringRef(extra), ' '))
      if (!flag.empty())
        flags.push_back(flag.str());
}

std::string BuildContext::path(StringRef file) const { return joinPath(work, file); }

FailureOr<std::string> BuildContext::writeFile(StringRef file, StringRef text) {
  std::string target = path(file);
  std::error_code ec;
  llvm::raw_fd_ostream os(target, ec);
  if (ec)
    return specOp.emitError() << "cannot write " << target << ": " << ec.message();
  os << text;
  return target;
}

LogicalResult BuildContext::run(StringRef program, ArrayRef<std::string> args) {
  return runAll({Command{program.str(), args.vec(), path("step.log")}}, 1);
}

LogicalResult BuildContext::runAll(ArrayRef<Command> commands, unsigned jobs) {
  if (jobs == 0)
    jobs = std::max(1u, std::thread::hardware_concurrency());
  struct Running {
    llvm::sys::ProcessInfo process;
    size_t command;
  };
  std::vector<Running> running;
  std::optional<std::string> failed; // the first failure's report
  auto report = [&](const Command &command, ArrayRef<StringRef> argv,
                    const std::string &error) {
    auto output = llvm::MemoryBuffer::getFile(command.log);
    std::string text = output ? (*output)->getBuffer().take_back(4000).str() : "";
    failed = "building the library failed:\n  " + llvm::join(argv, " ") + "\n" +
             (error.empty() ? "" : error + "\n") + text;
  };
  std::vector<std::string> resolved(commands.size());
  std::vector<SmallVector<StringRef>> argvs(commands.size());
  auto finish = [&](Running &r) {
    std::string error;
    llvm::sys::ProcessInfo done =
        llvm::sys::Wait(r.process, std::nullopt, &error);
    if (done.ReturnCode != 0 && !failed)
      report(commands[r.command], argvs[r.command], error);
  };
  for (size_t c = 0; c < commands.size() && !failed; ++c) {
    const Command &command = commands[c];
    resolved[c] = command.program;
    if (!path::is_absolute(command.program)) {
      llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(command.program);
      if (!found) {
        failed = "cannot find '" + command.program + "' on PATH";
        break;
      }
      resolved[c] = *found;
    }
    argvs[c].push_back(resolved[c]);
    for (const std::string &a : command.args)
      argvs[c].push_back(a);
    if (running.size() >= jobs) {
      finish(running.front());
      running.erase(running.begin());
    }
    std::optional<StringRef> redirects[] = {std::nullopt, StringRef(command.log),
                                            StringRef(command.log)};
    std::string error;
    bool executionFailed = false;
    llvm::sys::ProcessInfo process =
        llvm::sys::ExecuteNoWait(resolved[c], argvs[c], std::nullopt, redirects, 0,
                                 &error, &executionFailed);
    if (executionFailed) {
      report(command, argvs[c], error);
      break;
    }
    running.push_back({process, c});
  }
  for (Running &r : running)
    finish(r);
  if (failed)
    return specOp.emitError() << *failed;
  return success();
}

LogicalResult BuildContext::compileCxx(StringRef source, StringRef object,
                                       ArrayRef<std::string> includeDirs) {
  // -O3: GCC vectorizes loops of unknown trip count (the generated mask
  // fills) only from -O3.
  std::vector<std::string> args = {"-O3", "-fPIC", "-std=c++17", "-I", work};
  args.insert(args.end(), flags.begin(), flags.end());
  for (const std::string &dir : tools.includeDirs)
    args.insert(args.end(), {"-I", dir});
  for (const std::string &dir : includeDirs)
    args.insert(args.end(), {"-I", dir});
  args.insert(args.end(), {"-c", source.str(), "-o", object.str()});
  return run(tools.compiler, args);
}

namespace {

/// Extracts each archive's members into its own folder; returns the objects.
FailureOr<std::vector<std::string>> extractArchives(BuildContext &context,
                                                    ArrayRef<std::string> archives) {
  std::vector<std::string> objects;
  for (auto [k, archive] : llvm::enumerate(archives)) {
    std::string dir = context.path("archive" + std::to_string(k));
    fs::create_directories(dir);
    // `ar x` extracts into the working directory: run it there via sh.
    if (failed(context.run("sh", {"-c", "cd '" + dir + "' && '" +
                                            context.toolchain().archiver + "' x '" +
                                            archive + "'"})))
      return failure();
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
      if (path::extension(it->path()) == ".o")
        objects.push_back(it->path());
  }
  return objects;
}

std::vector<std::string> namesOf(ArrayRef<const Target *> targets) {
  std::vector<std::string> names;
  for (const Target *target : targets)
    names.push_back(target->name().str());
  return names;
}

} // namespace

FailureOr<std::string> generateSource(ModuleOp lowered, SpecOp spec,
                                      ArrayRef<const Target *> targets) {
  FailureOr<plan::Library> library = plan::buildLibraryPlan(lowered, spec);
  if (failed(library))
    return failure();
  std::string all = generateLibrarySource(*library, namesOf(targets));
  for (const Target *target : targets) {
    FailureOr<std::string> part = target->generateSource(*library, spec);
    if (failed(part))
      return failure();
    all += "\n" + *part;
  }
  return all;
}

LogicalResult emitLibrary(ModuleOp lowered, SpecOp spec,
                          ArrayRef<const Target *> targets,
                          const Toolchain &toolchain, StringRef outputDir) {
  FailureOr<plan::Library> library = plan::buildLibraryPlan(lowered, spec);
  if (failed(library))
    return failure();
  const std::string &name = library->name;
  std::vector<std::string> targetNames = namesOf(targets);

  SmallString<256> work;
  if (std::error_code ec = fs::createUniqueDirectory("spattn-lib", work))
    return spec.emitError() << "cannot create a temporary folder: " << ec.message();
  llvm::scope_exit cleanup([&] {
    if (!std::getenv("SPATTN_KEEP_TEMPS"))
      fs::remove_directories(work);
  });
  BuildContext context(spec, toolchain, work);
  FailureOr<std::string> header =
      context.writeFile(name + ".h", generateLibraryHeader(*library, targets));
  FailureOr<std::string> source = context.writeFile(
      name + "_library.cpp", generateLibrarySource(*library, targetNames));
  if (failed(header) || failed(source))
    return failure();
  std::vector<std::string> objects = {context.path(name + "_library.o")};
  if (failed(context.compileCxx(*source, objects.front())))
    return failure();

  std::vector<std::string> archives = toolchain.archives, linkFlags, outputs;
  for (const Target *target : targets) {
    TargetBuild part;
    if (failed(target->build(*library, context, part)))
      return failure();
    objects.insert(objects.end(), part.objects.begin(), part.objects.end());
    archives.insert(archives.end(), part.archives.begin(), part.archives.end());
    linkFlags.insert(linkFlags.end(), part.linkFlags.begin(), part.linkFlags.end());
    outputs.insert(outputs.end(), part.outputs.begin(), part.outputs.end());
  }

  FailureOr<std::vector<std::string>> members = extractArchives(context, archives);
  if (failed(members))
    return failure();
  objects.insert(objects.end(), members->begin(), members->end());
  std::vector<std::string> archive = {"rcs", context.path("lib" + name + ".a")};
  archive.insert(archive.end(), objects.begin(), objects.end());
  if (failed(context.run(toolchain.archiver, archive)))
    return failure();
  std::vector<std::string> link = {"-shared", "-o", context.path("lib" + name + ".so")};
  link.insert(link.end(), objects.begin(), objects.end());
  link.insert(link.end(), context.extraFlags().begin(), context.extraFlags().end());
  link.insert(link.end(), linkFlags.begin(), linkFlags.end());
  link.insert(link.end(), {"-lpthread", "-ldl"});
  if (failed(context.run(toolchain.compiler, link)))
    return failure();

  // Everything built: only now touch the output folder.
  std::string spattnDir = joinPath(outputDir, "spattn");
  if (std::error_code ec = fs::create_directories(spattnDir))
    return spec.emitError() << "cannot create " << spattnDir << ": " << ec.message();
  std::vector<std::string> files = {"lib" + name + ".a", "lib" + name + ".so", name + ".h"};
  for (const std::string &output : outputs)
    files.push_back(path::filename(output).str());
  for (const std::string &file : files)
    if (std::error_code ec = fs::copy_file(context.path(file), joinPath(outputDir, file)))
      return spec.emitError() << "cannot write " << joinPath(outputDir, file) << ": "
                              << ec.message();
  for (const char *publicHeader : {"runtime.h", "spattn.hpp"})
    for (const std::string &dir : toolchain.includeDirs) {
      std::string from = joinPath(joinPath(dir, "spattn"), publicHeader);
      if (!fs::exists(from))
        continue;
      if (std::error_code ec = fs::copy_file(from, joinPath(spattnDir, publicHeader)))
        return spec.emitError() << "cannot write " << joinPath(spattnDir, publicHeader)
                                << ": " << ec.message();
      break;
    }
  return success();
}

FailureOr<std::vector<const Target *>> parseTargetList(StringRef list,
                                                       std::string &error) {
  std::vector<const Target *> targets;
  SmallVector<StringRef> names;
  list.split(names, ',');
  for (StringRef name : names) {
    const Target *target = lookupTarget(name.trim());
    if (!target) {
      error = "unknown --target '" + name.trim().str() + "' (known: " +
              llvm::join(registeredTargetNames(), ", ") + ")";
      return failure();
    }
    if (llvm::is_contained(targets, target)) {
      error = "target '" + name.trim().str() + "' is listed twice";
      return failure();
    }
    targets.push_back(target);
  }
  return targets;
}

} // namespace mlir::spattn
