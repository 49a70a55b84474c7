//===- ScheduleTestUtil.h - Lower specs and compare with the reference ----===//
#ifndef SPATTN_TEST_UNIT_SCHEDULE_SCHEDULETESTUTIL_H
#define SPATTN_TEST_UNIT_SCHEDULE_SCHEDULETESTUTIL_H

#include "dialects/SpAttn/Eval/ScheduleEvaluator.h"
#include "dialects/SpAttn/Eval/SpecEvaluator.h"
#include "reference/Density.h"
#include "reference/Mask.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace spattn::test {

namespace ms = mlir::spattn;

/// A parsed spec together with its lowered variants.
struct LoweredSpec {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  ms::SpecOp spec;
  llvm::SmallVector<ms::VariantOp> variants;

  ms::VariantOp variantFor(int64_t length) const {
    for (ms::VariantOp v : variants)
      if (v.getLo() <= static_cast<uint64_t>(length) &&
          static_cast<uint64_t>(length) <= v.getHi())
        return v;
    return {};
  }
};

inline void loadSpAttn(mlir::MLIRContext &context) {
  mlir::DialectRegistry registry;
  ms::registerSpecDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
}

/// Parses `source` and runs both passes; fails the test on any error.
inline LoweredSpec lowerSpec(mlir::MLIRContext &context,
                             const std::string &source) {
  LoweredSpec lowered;
  lowered.module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!lowered.module) {
    ADD_FAILURE() << "does not parse:\n" << source;
    return lowered;
  }
  if (mlir::failed(ms::lowerToSchedules(*lowered.module))) {
    ADD_FAILURE() << "does not lower:\n" << source;
    return lowered;
  }
  lowered.spec = *lowered.module->getOps<ms::SpecOp>().begin();
  lowered.variants = ms::variantsOf(*lowered.module, lowered.spec);
  return lowered;
}

/// Standard-normal rows [rows, dim], the Q or K of one head.
inline std::vector<float> normalRows(int64_t rows, int64_t dim, uint32_t seed) {
  return ref::normalRows(rows * dim, seed);
}

/// Rows to compare: all of them for short queries, else both ends, every
/// tile boundary's neighbours in a stride and a few random ones.
inline std::vector<int64_t> rowsToCheck(int64_t lq, std::mt19937 &rng) {
  std::vector<int64_t> rows;
  if (lq <= 48) {
    for (int64_t i = 0; i < lq; ++i)
      rows.push_back(i);
    return rows;
  }
  for (int64_t i : {int64_t{0}, int64_t{1}, lq / 2, lq - 2, lq - 1})
    rows.push_back(i);
  std::uniform_int_distribution<int64_t> any(0, lq - 1);
  for (int k = 0; k < 12; ++k)
    rows.push_back(any(rng));
  return rows;
}

} // namespace spattn::test

#endif
