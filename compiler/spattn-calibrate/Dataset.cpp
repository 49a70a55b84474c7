//===- Dataset.cpp - Attention tensors to calibrate on --------------------===//
#include "Dataset.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"

#include <algorithm>

namespace spattn::calibrate {

namespace {

/// Checks one [heads, L, D] file against the spec.
llvm::Error checkShape(const NpyArray &array, llvm::StringRef file,
                       int64_t heads, const char *headsName, int64_t length,
                       const mlir::spattn::SpecConfig &config) {
  const std::vector<int64_t> &s = array.shape;
  std::string expected = "[" + std::to_string(heads) + ", " +
                         std::to_string(length) + ", " +
                         std::to_string(config.headDim) + "]";
  if (s.size() != 3 || s[0] != heads || s[1] != length ||
      s[2] != config.headDim)
    return llvm::createStringError(
        file + ": shape " + shapeText(s) + ", expected " + expected + " (" +
        headsName + " = " + std::to_string(heads) + ", L = " +
        std::to_string(length) + " from the name, head_dim = " +
        std::to_string(config.headDim) + " of @" + config.name + ")");
  return llvm::Error::success();
}

} // namespace

llvm::Expected<Dataset> loadDataset(llvm::StringRef folder,
                                    const std::vector<std::string> &matches,
                                    const mlir::spattn::SpecConfig &config) {
  if (!llvm::sys::fs::is_directory(folder))
    return llvm::createStringError("--data " + folder +
                                   " is not a folder");
  llvm::Regex queryName("^L([0-9]+)_(.+)_q\\.npy$");
  std::vector<std::pair<int64_t, std::string>> stems;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(folder, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef file = llvm::sys::path::filename(it->path());
    llvm::SmallVector<llvm::StringRef, 3> groups;
    if (!queryName.match(file, &groups))
      continue;
    if (!matches.empty() &&
        llvm::none_of(matches, [&](const std::string &m) {
          return file.contains(m);
        }))
      continue;
    int64_t length = 0;
    if (groups[1].getAsInteger(10, length) || length < 1)
      return llvm::createStringError(folder + "/" + file +
                                     ": bad length in the name");
    stems.push_back({length, file.drop_back(strlen("_q.npy")).str()});
  }
  if (ec)
    return llvm::createStringError("cannot list " + folder + ": " +
                                   ec.message());
  if (stems.empty())
    return llvm::createStringError(
        "no L<len>_<tag>_q.npy file in " + folder +
        (matches.empty() ? std::string() : " that matches --match"));
  std::sort(stems.begin(), stems.end());

  Dataset data;
  for (auto &[length, stem] : stems) {
    Sample sample;
    sample.name = stem;
    sample.length = length;
    for (auto [suffix, array, heads, headsName] :
         {std::tuple{"_q.npy", &sample.q, config.numQHeads, "num_q_heads"},
          std::tuple{"_k.npy", &sample.k, config.numKVHeads, "num_kv_heads"}}) {
      llvm::SmallString<256> path(folder);
      llvm::sys::path::append(path, stem + suffix);
      if (!llvm::sys::fs::exists(path))
        return llvm::createStringError(path + ": missing (needed beside " +
                                       stem + "_q.npy)");
      llvm::Expected<NpyArray> read = readNpy(path);
      if (!read)
        return read.takeError();
      if (llvm::Error error =
              checkShape(*read, path, heads, headsName, length, config))
        return error;
      *array = std::move(*read);
    }
    if (data.lengths.empty() || data.lengths.back() != length)
      data.lengths.push_back(length);
    data.samples.push_back(std::move(sample));
  }
  return data;
}

} // namespace spattn::calibrate
