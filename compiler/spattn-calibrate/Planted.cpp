//===- Planted.cpp - Synthetic attention with a known length law ----------===//
#include "Planted.h"

#include "compiler/io/Npy.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace spattn::calibrate {

int64_t PlantedLaw::window(int64_t length) const {
  double raw = std::floor(coeff * std::pow(double(length), exponent));
  return std::clamp<int64_t>(int64_t(raw), 1, length);
}

llvm::Error writePlanted(llvm::StringRef folder, const PlantedOptions &options) {
  if (std::error_code ec = llvm::sys::fs::create_directories(folder))
    return llvm::createStringError("cannot create " + folder + ": " +
                                   ec.message());
  const int64_t heads = options.heads.size(), dim = options.headDim;
  std::mt19937 random(options.seed);
  std::normal_distribution<float> gaussian(0.0f, 1.0f);
  const float alpha = float(options.logit * std::sqrt(double(dim)));
  for (int64_t length : options.lengths) {
    if (length > dim)
      return llvm::createStringError(
          "planted data needs L <= head_dim (one-hot keys); L = " +
          std::to_string(length) + ", head_dim = " + std::to_string(dim));
    for (int64_t s = 0; s < options.samples; ++s) {
      NpyArray q{{heads, length, dim}, {}}, k = q, v = q;
      q.data.assign(heads * length * dim, 0.0f);
      k.data.assign(heads * length * dim, 0.0f);
      v.data.resize(heads * length * dim);
      for (int64_t h = 0; h < heads; ++h) {
        int64_t w = options.heads[h].window(length);
        for (int64_t i = 0; i < length; ++i) {
          float *row = q.data.data() + (h * length + i) * dim;
          for (int64_t d = 0; d < dim; ++d)
            row[d] = float(options.noise) * gaussian(random);
          for (int64_t j = std::max<int64_t>(0, i - w + 1); j <= i; ++j)
            row[j] += alpha;
          k.data[(h * length + i) * dim + i] = 1.0f;
        }
      }
      for (float &x : v.data)
        x = gaussian(random);
      std::string stem =
          "L" + std::to_string(length) + "_planted" + std::to_string(s);
      for (auto [suffix, array] : {std::pair{"_q.npy", &q},
                                   std::pair{"_k.npy", &k},
                                   std::pair{"_v.npy", &v}}) {
        llvm::SmallString<256> path(folder);
        llvm::sys::path::append(path, stem + suffix);
        if (llvm::Error error = writeNpy(path, *array))
          return error;
      }
    }
  }
  return llvm::Error::success();
}

} // namespace spattn::calibrate
