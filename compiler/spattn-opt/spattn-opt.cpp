//===- spattn-opt.cpp - mlir-opt for the spattn dialect -------------------===//
#include "dialects/SpAttn/IR/SpAttnDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::spattn::registerSpAttnPasses();
  mlir::DialectRegistry registry;
  mlir::spattn::registerSpecDialects(registry);
  registry.insert<mlir::func::FuncDialect>(); // lit tests wrap IR in functions
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "spattn optimizer driver\n", registry));
}
