//===- LoadedLibrary.cpp - A generated library, loaded for tests ----------===//
#include "LoadedLibrary.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <random>

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
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  for (float &x : data)
    x = normal(rng);
}

float Tensor::at(int64_t b, int64_t h, int64_t l, int64_t d) const {
  int64_t index = b * desc.strides[0] + h * desc.strides[1] + l * desc.strides[2];
  if (desc.rank == 4)
    index += d * desc.strides[3];
  return data[index];
}

} // namespace spattn::test
