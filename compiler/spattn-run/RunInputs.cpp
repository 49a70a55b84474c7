//===- RunInputs.cpp - spattn-run's tensors: read, check, write -----------===//
#include "RunInputs.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <random>

namespace spattn::run {

namespace {

/// One file's [B, H, L, D] sizes, B = 1 for a rank-3 file.
struct Dims {
  int64_t batch, heads, length, dim;
};

llvm::Expected<Dims> dimsOf(const NpyArray &array, llvm::StringRef file) {
  const std::vector<int64_t> &s = array.shape;
  if (s.size() != 3 && s.size() != 4)
    return llvm::createStringError(
        file + ": expected float32 [B, H, L, D] or [H, L, D], got shape " +
        shapeText(s));
  size_t o = s.size() - 3;
  Dims dims{o ? s[0] : 1, s[o], s[o + 1], s[o + 2]};
  if (dims.batch < 1 || dims.heads < 1 || dims.length < 1 || dims.dim < 1)
    return llvm::createStringError(file + ": shape " + shapeText(s) +
                                   " has an empty dimension");
  return dims;
}

} // namespace

llvm::Expected<Inputs> readInputs(llvm::StringRef qFile, llvm::StringRef kFile,
                                  llvm::StringRef vFile,
                                  const mlir::spattn::SpecConfig &config) {
  Inputs in;
  for (auto [file, array] : {std::pair{qFile, &in.q}, std::pair{kFile, &in.k},
                             std::pair{vFile, &in.v}}) {
    llvm::Expected<NpyArray> read = readNpy(file);
    if (!read)
      return read.takeError();
    *array = std::move(*read);
  }
  if (in.q.shape.size() != in.k.shape.size() ||
      in.k.shape.size() != in.v.shape.size())
    return llvm::createStringError(
        "q, k and v must all be [B, H, L, D] or all [H, L, D]; got " +
        shapeText(in.q.shape) + ", " + shapeText(in.k.shape) + ", " +
        shapeText(in.v.shape));
  llvm::Expected<Dims> q = dimsOf(in.q, qFile);
  if (!q)
    return q.takeError();
  llvm::Expected<Dims> k = dimsOf(in.k, kFile);
  if (!k)
    return k.takeError();
  if (llvm::Expected<Dims> v = dimsOf(in.v, vFile); !v)
    return v.takeError();
  const std::string spec = "@" + config.name;
  if (q->heads != config.numQHeads)
    return llvm::createStringError(
        qFile + ": " + llvm::Twine(q->heads) + " query heads, " + spec +
        " has num_q_heads = " + llvm::Twine(config.numQHeads));
  if (k->heads != config.numKVHeads)
    return llvm::createStringError(
        kFile + ": " + llvm::Twine(k->heads) + " kv heads, " + spec +
        " has num_kv_heads = " + llvm::Twine(config.numKVHeads));
  for (auto [file, dims] : {std::pair{qFile, *q}, std::pair{kFile, *k}})
    if (dims.dim != config.headDim)
      return llvm::createStringError(
          file + ": head dimension " + llvm::Twine(dims.dim) + ", " + spec +
          " has head_dim = " + llvm::Twine(config.headDim));
  if (in.v.shape != in.k.shape)
    return llvm::createStringError(vFile + ": shape " + shapeText(in.v.shape) +
                                   " differs from " + kFile + " " +
                                   shapeText(in.k.shape));
  if (q->batch != k->batch)
    return llvm::createStringError(
        "batch sizes differ: " + llvm::Twine(q->batch) + " in " + qFile + ", " +
        llvm::Twine(k->batch) + " in " + kFile);
  if (q->length > k->length)
    return llvm::createStringError(
        "Lq = " + llvm::Twine(q->length) + " (" + qFile +
        ") exceeds Lk = " + llvm::Twine(k->length) + " (" + kFile + ")");
  if (k->length > config.buckets.back())
    return llvm::createStringError("Lk = " + llvm::Twine(k->length) + " (" +
                                   kFile + ") is above the last bucket of " +
                                   spec + " (" +
                                   llvm::Twine(config.buckets.back()) +
                                   "); add a larger bucket to the spec");
  in.batched = in.q.shape.size() == 4;
  in.batch = q->batch;
  in.queryLength = q->length;
  in.keyLength = k->length;
  return in;
}

llvm::Error writeOutput(llvm::StringRef path, const Inputs &inputs,
                        const mlir::spattn::SpecConfig &config,
                        std::vector<float> data, bool lse) {
  NpyArray array;
  if (inputs.batched)
    array.shape.push_back(inputs.batch);
  array.shape.insert(array.shape.end(), {config.numQHeads, inputs.queryLength});
  if (!lse)
    array.shape.push_back(config.headDim);
  array.data = std::move(data);
  return writeNpy(path, array);
}

llvm::Error makeInputs(llvm::StringRef dir,
                       const mlir::spattn::SpecConfig &config, int64_t batch,
                       int64_t queryLength, int64_t keyLength, uint32_t seed,
                       llvm::raw_ostream &os) {
  if (batch < 1 || queryLength < 1 || keyLength < 1)
    return llvm::createStringError(
        "--batch, --queries and --length must be positive");
  if (queryLength > keyLength)
    return llvm::createStringError("--queries " + llvm::Twine(queryLength) +
                                   " exceeds --length " +
                                   llvm::Twine(keyLength));
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError("cannot create " + dir + ": " +
                                   ec.message());
  struct File {
    const char *name;
    int64_t heads, length;
  };
  uint32_t fileSeed = seed;
  for (File file : {File{"q.npy", config.numQHeads, queryLength},
                    File{"k.npy", config.numKVHeads, keyLength},
                    File{"v.npy", config.numKVHeads, keyLength}}) {
    NpyArray array;
    array.shape = {batch, file.heads, file.length, config.headDim};
    array.data.resize(batch * file.heads * file.length * config.headDim);
    std::mt19937 rng(fileSeed++);
    std::normal_distribution<float> normal;
    for (float &x : array.data)
      x = normal(rng);
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, file.name);
    if (llvm::Error error = writeNpy(path, array))
      return error;
    os << "wrote " << path << " " << shapeText(array.shape) << "\n";
  }
  return llvm::Error::success();
}

} // namespace spattn::run
