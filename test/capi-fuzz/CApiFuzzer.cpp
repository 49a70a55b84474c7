//===- CApiFuzzer.cpp - Random calls into built libraries' C API ----------===//
//
// spattn-capi-fuzzer --seed S --calls N [--only I]
//
// Makes N random calls (call I alone with --only) into the C API of the
// build tree's CPU libraries of the specs this binary was built with, and
// checks each: a valid call against the fp64 reference, one with faults
// for the status they call for and a message; neither may write outside
// its outputs. Prints the outcomes; exits 1 on any mismatch.
//
//===----------------------------------------------------------------------===//
#include "EntryPoints.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace spattn::capifuzz;

namespace {

struct Arguments {
  uint64_t seed = 1;
  int64_t first = 0, calls = 1000;
};

bool parseArguments(int argc, char **argv, Arguments &args) {
  for (int i = 1; i + 1 < argc; i += 2) {
    llvm::StringRef flag = argv[i], value = argv[i + 1];
    bool ok = flag == "--seed"    ? llvm::to_integer(value, args.seed)
              : flag == "--calls" ? llvm::to_integer(value, args.calls)
              : flag == "--only"  ? llvm::to_integer(value, args.first)
                                  : false;
    if (!ok)
      return false;
    if (flag == "--only")
      args.calls = 1;
  }
  return argc % 2 == 1 && args.calls >= 0;
}

void fuzzOneCall(FuzzedLibrary &lib, Random &random, Outcomes &outcomes) {
  const bool pages = lib.api.updatePageBounds != nullptr;
  int64_t entry = random.between(0, 99);
  if (entry < 50)
    fuzzAttention(lib, random, outcomes, pages && random.chance(0.4));
  else if (entry < 62)
    fuzzSelection(lib, random, outcomes);
  else if (entry < 74)
    fuzzBudgets(lib, random, outcomes);
  else if (entry < 82 && pages)
    fuzzPageBoundsUpdate(lib, random, outcomes);
  else
    fuzzQueries(lib, random, outcomes);
}

} // namespace

int main(int argc, char **argv) {
  Arguments args;
  if (!parseArguments(argc, argv, args)) {
    std::fprintf(stderr, "usage: spattn-capi-fuzzer --seed S --calls N [--only I]\n");
    return 2;
  }
  std::vector<std::unique_ptr<FuzzedLibrary>> libs;
  llvm::SmallVector<llvm::StringRef> specs;
  llvm::StringRef(SPATTN_CAPI_FUZZ_SPECS).split(specs, ',');
  for (llvm::StringRef spec : specs) {
    libs.push_back(openLibrary(SPATTN_CAPI_FUZZ_LIB_DIR, spec.str()));
    if (!libs.back())
      return 2;
  }
  Outcomes outcomes;
  // Names each call before making it, so a crash names the call to replay.
  const bool verbose = std::getenv("SPATTN_CAPI_FUZZ_VERBOSE") != nullptr;
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = args.first; i < args.first + args.calls; ++i) {
    Random random(args.seed, static_cast<uint64_t>(i));
    FuzzedLibrary &lib = *libs[random.between(0, static_cast<int64_t>(libs.size()) - 1)];
    outcomes.startCall(i, lib.config().name);
    if (verbose)
      std::fprintf(stderr, "call %lld: %s\n", static_cast<long long>(i),
                   lib.config().name.c_str());
    fuzzOneCall(lib, random, outcomes);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcomes.print(seconds);
  if (outcomes.mismatches())
    std::printf("replay one: spattn-capi-fuzzer --seed %llu --only CALL\n",
                static_cast<unsigned long long>(args.seed));
  return outcomes.mismatches() ? 1 : 0;
}
