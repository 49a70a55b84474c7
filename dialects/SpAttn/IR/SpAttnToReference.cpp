//===- SpAttnToReference.cpp - Each pattern op's reference node -----------===//
//
// PatternOpInterface::toReference: the node of the reference semantics
// (reference/Pattern.h) an op stands for once its budgets are evaluated.
// SpecEvaluator calls it for every pattern op of a spec at one length.
//
//===----------------------------------------------------------------------===//
#include "dialects/SpAttn/IR/SpAttnOps.h"

using namespace mlir;
using namespace mlir::spattn;
using RefPattern = ::spattn::ref::Pattern;
using ::spattn::ref::PatternKind;

namespace {

RefPattern node(PatternKind kind, std::vector<RefPattern> inputs = {}) {
  RefPattern p;
  p.kind = kind;
  p.children = std::move(inputs);
  return p;
}

} // namespace

RefPattern WindowOp::toReference(ArrayRef<int64_t> parameters, std::vector<RefPattern>) {
  RefPattern p = node(getSymmetric() ? PatternKind::SymmetricWindow : PatternKind::Window);
  p.size = parameters[0];
  return p;
}

RefPattern SinkOp::toReference(ArrayRef<int64_t> parameters, std::vector<RefPattern>) {
  RefPattern p = node(PatternKind::Sink);
  p.count = parameters[0];
  return p;
}

RefPattern GlobalQueriesOp::toReference(ArrayRef<int64_t> parameters,
                                     std::vector<RefPattern>) {
  RefPattern p = node(PatternKind::GlobalQueries);
  p.count = parameters[0];
  return p;
}

RefPattern StridedOp::toReference(ArrayRef<int64_t> parameters, std::vector<RefPattern>) {
  RefPattern p = node(PatternKind::Strided);
  p.stride = parameters[0];
  return p;
}

RefPattern DilatedWindowOp::toReference(ArrayRef<int64_t> parameters,
                                     std::vector<RefPattern>) {
  RefPattern p = node(PatternKind::DilatedWindow);
  p.size = parameters[0];
  p.stride = parameters[1];
  return p;
}

RefPattern BlockLayoutOp::toReference(ArrayRef<int64_t>, std::vector<RefPattern>) {
  RefPattern p = node(PatternKind::BlockLayout);
  p.block = getBlockAttr().getInt();
  p.layoutRows = getLayout().size();
  p.layoutCols = cast<StringAttr>(getLayout()[0]).size();
  for (StringRef row : getLayout().getAsValueRange<StringAttr>())
    for (char c : row)
      p.layout.push_back(c == '1');
  return p;
}

RefPattern RandomBlocksOp::toReference(ArrayRef<int64_t> parameters,
                                    std::vector<RefPattern>) {
  RefPattern p = node(PatternKind::RandomBlocks);
  p.count = parameters[0];
  p.block = getBlockAttr().getInt();
  p.seed = static_cast<uint64_t>(getSeedAttr().getInt());
  return p;
}

RefPattern TopkBlocksOp::toReference(ArrayRef<int64_t> parameters,
                                  std::vector<RefPattern>) {
  RefPattern p = node(PatternKind::TopkBlocks);
  p.count = parameters[0];
  p.block = getBlockAttr().getInt();
  return p;
}

RefPattern VerticalSlashOp::toReference(ArrayRef<int64_t> parameters,
                                     std::vector<RefPattern>) {
  RefPattern p = node(PatternKind::VerticalSlash);
  p.verticals = parameters[0];
  p.slashes = parameters[1];
  p.lastQueries = parameters[2];
  return p;
}

RefPattern MassOp::toReference(ArrayRef<int64_t> parameters, std::vector<RefPattern>) {
  RefPattern p = node(PatternKind::Mass);
  p.count = parameters[0];
  p.gamma = getGamma().convertToDouble();
  p.block = getBlockAttr().getInt();
  return p;
}

RefPattern PagesOp::toReference(ArrayRef<int64_t> parameters, std::vector<RefPattern>) {
  RefPattern p = node(PatternKind::Pages);
  p.count = parameters[0];
  p.block = getPageAttr().getInt();
  return p;
}

RefPattern UnionOp::toReference(ArrayRef<int64_t>, std::vector<RefPattern> inputs) {
  return node(PatternKind::Union, std::move(inputs));
}

RefPattern IntersectOp::toReference(ArrayRef<int64_t>, std::vector<RefPattern> inputs) {
  return node(PatternKind::Intersect, std::move(inputs));
}

RefPattern PerHeadOp::toReference(ArrayRef<int64_t>, std::vector<RefPattern> inputs) {
  RefPattern p = node(PatternKind::PerHead, std::move(inputs));
  p.headStarts.assign(getHeads().begin(), getHeads().end());
  return p;
}
