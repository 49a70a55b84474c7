//===- spattn-cpu-gen.cpp - AOT-compiles the CPU attend kernels -----------===//
//
//   spattn-cpu-gen -o DIR [--target T1,T2,...] NAME:D:BQ:SPAN:MASKED:BF16:KV ... [--runtime]
//
// BF16: 1 for AMX bf16 products; KV: the type K and V are read in (f32,
// bf16 or f16).
//
// Writes, for each kernel, DIR/NAME.h and DIR/NAME.o (one Halide target) or
// DIR/NAME.a (several: one version per target and a wrapper that runs the
// first one the CPU supports, so list the most capable first and a baseline
// last), and with --runtime DIR/halide_runtime.o, built for the last
// (baseline) target so that it runs on every CPU the list covers. Each
// target gets the schedule of its instruction set. Runs as its own process
// because libHalide and libMLIR each carry an LLVM (see docs/rationale.md).
//
//===----------------------------------------------------------------------===//
#include "AttendKernel.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

using namespace spattn::cpu;

namespace {

int usage() {
  std::fprintf(stderr, "usage: spattn-cpu-gen -o DIR [--target T1,T2,...] [--runtime] "
                       "NAME:D:BQ:SPAN:MASKED:BF16:KV...\n");
  return 2;
}

bool parseKernel(const std::string &text, std::string &name,
                 AttendKernelShape &shape) {
  std::vector<std::string> fields;
  std::stringstream stream(text);
  for (std::string field; std::getline(stream, field, ':');)
    fields.push_back(field);
  if (fields.size() != 7)
    return false;
  name = fields[0];
  char *end = nullptr;
  long values[5];
  for (int f = 0; f < 5; ++f) {
    values[f] = std::strtol(fields[f + 1].c_str(), &end, 10);
    if (*end || values[f] < 0 || values[f] > 65536)
      return false;
  }
  shape.headDim = values[0];
  shape.blockQ = values[1];
  shape.span = values[2];
  shape.masked = values[3] != 0;
  shape.bf16Products = values[4] != 0;
  if (fields[6] == "bf16")
    shape.keyValueType = Halide::BFloat(16);
  else if (fields[6] == "f16")
    shape.keyValueType = Halide::Float(16);
  else if (fields[6] != "f32")
    return false;
  return !name.empty() && shape.headDim > 0 && shape.blockQ > 0 && shape.span > 0;
}

} // namespace

int main(int argc, char **argv) {
  std::string outDir, targetString = "host";
  bool runtime = false;
  std::vector<std::string> kernels;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg == "-o" && a + 1 < argc)
      outDir = argv[++a];
    else if (arg == "--target" && a + 1 < argc)
      targetString = argv[++a];
    else if (arg == "--runtime")
      runtime = true;
    else
      kernels.push_back(arg);
  }
  if (outDir.empty())
    return usage();
  std::vector<Halide::Target> targets;
  std::vector<std::string> suffixes;
  std::stringstream list(targetString);
  for (std::string t; std::getline(list, t, ',');) {
    if (!Halide::Target::validate_target_string(t)) {
      std::fprintf(stderr, "spattn-cpu-gen: bad Halide target '%s'\n", t.c_str());
      return usage();
    }
    targets.push_back(Halide::Target(t).with_feature(Halide::Target::NoRuntime));
    suffixes.push_back("isa" + std::to_string(targets.size() - 1));
  }
  if (targets.empty())
    return usage();
  for (const std::string &spec : kernels) {
    std::string name;
    AttendKernelShape shape;
    if (!parseKernel(spec, name, shape)) {
      std::fprintf(stderr, "spattn-cpu-gen: bad kernel '%s'\n", spec.c_str());
      return usage();
    }
    std::string base = outDir + "/" + name;
    if (targets.size() == 1) {
      AttendKernel kernel = buildAttendKernel(shape, targets[0]);
      kernel.pipeline.compile_to({{Halide::OutputFileType::object, base + ".o"},
                                  {Halide::OutputFileType::c_header, base + ".h"}},
                                 kernel.arguments, name, targets[0]);
      continue;
    }
    Halide::compile_multitarget(
        name,
        {{Halide::OutputFileType::static_library, base + ".a"},
         {Halide::OutputFileType::c_header, base + ".h"}},
        targets, suffixes, [&](const std::string &fn, const Halide::Target &t) {
          AttendKernel kernel = buildAttendKernel(shape, t);
          return kernel.pipeline.compile_to_module(kernel.arguments, fn, t);
        });
  }
  if (runtime)
    Halide::compile_standalone_runtime(outDir + "/halide_runtime.o",
                                       targets.back().without_feature(
                                           Halide::Target::NoRuntime));
  return 0;
}
