//===- spattn-cpu-gen.cpp - AOT-compiles the CPU attend kernels -----------===//
//
//   spattn-cpu-gen -o DIR [--target T] NAME:D:BQ:SPAN:MASKED ... [--runtime]
//
// Writes DIR/NAME.o and DIR/NAME.h for each kernel and, with --runtime,
// DIR/halide_runtime.o. Runs as its own process because libHalide and libMLIR
// each carry an LLVM (see docs/rationale.md).
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
  std::fprintf(stderr, "usage: spattn-cpu-gen -o DIR [--target T] [--runtime] "
                       "NAME:D:BQ:SPAN:MASKED...\n");
  return 2;
}

bool parseKernel(const std::string &text, std::string &name,
                 AttendKernelShape &shape) {
  std::vector<std::string> fields;
  std::stringstream stream(text);
  for (std::string field; std::getline(stream, field, ':');)
    fields.push_back(field);
  if (fields.size() != 5)
    return false;
  name = fields[0];
  char *end = nullptr;
  long values[4];
  for (int f = 0; f < 4; ++f) {
    values[f] = std::strtol(fields[f + 1].c_str(), &end, 10);
    if (*end || values[f] < 0 || values[f] > 65536)
      return false;
  }
  shape.headDim = values[0];
  shape.blockQ = values[1];
  shape.span = values[2];
  shape.masked = values[3] != 0;
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
  Halide::Target target(targetString);
  Halide::Target kernelTarget = target.with_feature(Halide::Target::NoRuntime);
  for (const std::string &spec : kernels) {
    std::string name;
    AttendKernelShape shape;
    if (!parseKernel(spec, name, shape)) {
      std::fprintf(stderr, "spattn-cpu-gen: bad kernel '%s'\n", spec.c_str());
      return usage();
    }
    AttendKernel kernel = buildAttendKernel(shape, kernelTarget);
    std::string base = outDir + "/" + name;
    kernel.pipeline.compile_to({{Halide::OutputFileType::object, base + ".o"},
                                {Halide::OutputFileType::c_header, base + ".h"}},
                               kernel.arguments, name, kernelTarget);
  }
  if (runtime)
    Halide::compile_standalone_runtime(outDir + "/halide_runtime.o", target);
  return 0;
}
