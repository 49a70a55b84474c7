//===- LoadedLibrary.cpp - A generated library, loaded for tests ----------===//
#include "LoadedLibrary.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>


namespace spattn::test {

std::unique_ptr<LoadedLibrary> loadLibrary(const std::string &name,
                                           const std::string &specFile) {
  auto lib = std::make_unique<LoadedLibrary>();
  std::string path =
      std::string(SPATTN_E2E_LIB_DIR) + "/" + name + "/lib" + name + ".so";
  if (llvm::Error error = lib->load(path, name)) {
    ADD_FAILURE() << llvm::toString(std::move(error));
    return nullptr;
  }
  lib->context = std::make_unique<mlir::MLIRContext>();
  lib->context->loadDialect<mlir::spattn::SpAttnDialect, mlir::arith::ArithDialect,
                            mlir::math::MathDialect>();
  lib->module = mlir::parseSourceFile<mlir::ModuleOp>(specFile, lib->context.get());
  if (!lib->module) {
    ADD_FAILURE() << "cannot parse " << specFile;
    return nullptr;
  }
  lib->spec = *lib->module->getOps<mlir::spattn::SpecOp>().begin();
  return lib;
}

Tensor::Tensor(std::vector<int64_t> shape) {
  int64_t size = 1;
  for (int64_t s : shape)
    size *= s;
  data.assign(size, 0.0f);
  desc = spattn_contiguous(data.data(), SPATTN_F32,
                           static_cast<int32_t>(shape.size()), shape.data());
}

void Tensor::randomize(uint32_t seed) {
  // Uniform on [-sqrt 3, sqrt 3] (unit variance) from a splitmix64 stream:
  // std::normal_distribution took seconds for the 128K-key tensors.
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float &x : data) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    x = (static_cast<float>(z >> 40) * 0x1p-24f * 2.0f - 1.0f) * 1.7320508f;
  }
}

float Tensor::at(int64_t b, int64_t h, int64_t l, int64_t d) const {
  int64_t index = b * desc.strides[0] + h * desc.strides[1] + l * desc.strides[2];
  if (desc.rank == 4)
    index += d * desc.strides[3];
  return data[index];
}

} // namespace spattn::test
