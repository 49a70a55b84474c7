//===- ScheduleEvaluator.cpp - Expand a lowered block schedule ------------===//
#include "dialects/SpAttn/Eval/ScheduleEvaluator.h"

#include "dialects/SpAttn/Eval/SpecEvaluator.h"
#include "core/SelectionTiles.h"

#include "dialects/SpAttn/IR/SpAttnAffine.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/IntegerSet.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::spattn;
using core::TileKind;
using core::TileRange;
using core::TileRanges;

namespace {

/// [max of lower's results, min of upper's results), as affine.for bounds.
TileRange boundRange(AffineMap lower, AffineMap upper, int64_t queryTile,
                     ArrayRef<int64_t> symbols, TileKind kind) {
  TileRange range{INT64_MIN, INT64_MAX, kind};
  for (AffineExpr e : lower.getResults())
    range.lo = std::max(range.lo, evaluateAffine(e, queryTile, symbols));
  for (AffineExpr e : upper.getResults())
    range.hi = std::min(range.hi, evaluateAffine(e, queryTile, symbols));
  return range;
}

/// With per-row selections (pages) every tile costs a selection per row,
/// and a token predicate an evaluation per pair:
/// above this many present query tiles, stats() visits this many evenly
/// spaced ones and scales. Other schedules are counted exactly.
constexpr int64_t kStatsSampledTiles = 64;

} // namespace

struct ScheduleEvaluator::Node {
  enum class Kind {
    Affine,
    Blocks,        // block_layout, random_blocks, topk_blocks, mass
    Pages,         // per query row
    VerticalSlash, // columns and diagonals
    Union,
    Intersect,
    Predicate, // a token predicate classified by evaluation
    Nothing // per_head with no input for this head
  };
  Kind kind = Kind::Nothing;
  BlocksNode info; // what the schedule op described
  SmallVector<int64_t> symbols;
  int64_t block = 0; // pattern block or page size
  // Chosen indices as CSR groups (blocks: per query block; pages: the rows
  // last asked for, selected on demand).
  std::vector<int64_t> offsets{0}, indices;
  core::IndexGroups groups;
  std::unique_ptr<ref::PageSelector> pages;
  ref::VerticalSlashSelection slash;
  std::unique_ptr<core::VerticalSlashMembers> slashMembers;
  std::vector<Node> children;
  std::vector<int64_t> registers; // Predicate: info.program's scratch

  /// Points `groups` at `offsets` / `indices`, the first group being `first`.
  void setGroups(int64_t first) {
    groups = {first, static_cast<int64_t>(offsets.size()) - 1, offsets.data(),
              indices.data()};
  }
};

namespace {

using Node = ScheduleEvaluator::Node;

/// Builds the evaluation tree of one bound call.
class TreeBuilder {
public:
  TreeBuilder(const llvm::DenseMap<Value, Attribute> &folded,
              const ref::AttentionProblem &problem, int64_t head,
              ref::HeadContent content)
      : folded(folded), problem(problem), head(head), content(content) {}

  FailureOr<Node> build(Value value) {
    Operation *op = value.getDefiningOp();
    auto scheduleOp = dyn_cast_if_present<ScheduleOpInterface>(op);
    if (!scheduleOp)
      return op->emitOpError() << "is not part of a block schedule";
    BlocksNode info = scheduleOp.describe();
    Node node;
    for (Value s : info.symbols)
      node.symbols.push_back(valueOf(s));
    switch (info.kind) {
    case BlocksNode::Kind::Affine:
      node.kind = Node::Kind::Affine;
      break;
    case BlocksNode::Kind::Layout:
      // Row r of the matrix is the group of query block r.
      node.kind = Node::Kind::Blocks;
      node.block = info.block;
      node.offsets = std::move(info.layoutOffsets);
      node.indices = std::move(info.layoutIndices);
      node.setGroups(0);
      break;
    case BlocksNode::Kind::Selected:
      if (failed(select(info.selection, node)))
        return failure();
      break;
    case BlocksNode::Kind::Predicate:
      node.kind = Node::Kind::Predicate;
      node.registers.resize(info.program.numRegisters());
      break;
    case BlocksNode::Kind::Union:
    case BlocksNode::Kind::Intersect:
      node.kind = info.kind == BlocksNode::Kind::Union ? Node::Kind::Union
                                                       : Node::Kind::Intersect;
      for (Value input : info.inputs) {
        FailureOr<Node> child = build(input);
        if (failed(child))
          return failure();
        node.children.push_back(std::move(*child));
      }
      break;
    case BlocksNode::Kind::PerHead:
      for (size_t k = info.headStarts.size(); k-- > 0;)
        if (info.headStarts[k] <= head)
          return build(info.inputs[k]);
      node.kind = Node::Kind::Nothing;
      break;
    }
    node.info = std::move(info);
    return node;
  }

private:
  int64_t valueOf(Value v) {
    return cast<IntegerAttr>(folded.lookup(v)).getValue().getSExtValue();
  }

  LogicalResult needContent(Operation *op) {
    if (content.q && content.k)
      return success();
    return op->emitOpError() << "selects from Q and K, but none were given";
  }

  /// Runs a selection stage exactly as the reference defines it.
  LogicalResult select(Operation *op, Node &node) {
    SelectionNode info = cast<SelectionOpInterface>(op).describeSelection();
    ref::Pattern p;
    p.block = info.block;
    p.count = valueOf(info.counts[0]);
    if (info.kind == SelectionNode::Kind::RandomBlocks) {
      p.kind = ref::PatternKind::RandomBlocks;
      p.seed = info.seed;
      return blocks(node, p, ref::selectRandomBlocks(p, problem, head));
    }
    if (failed(needContent(op)))
      return failure();
    switch (info.kind) {
    case SelectionNode::Kind::TopkBlocks:
      p.kind = ref::PatternKind::TopkBlocks;
      return blocks(node, p, ref::selectTopkBlocks(p, problem, content));
    case SelectionNode::Kind::Mass:
      p.kind = ref::PatternKind::Mass;
      p.gamma = info.gamma;
      return blocks(node, p, ref::selectMassBlocks(p, problem, content));
    case SelectionNode::Kind::Pages:
      p.kind = ref::PatternKind::Pages;
      node.kind = Node::Kind::Pages;
      node.block = p.block;
      node.pages = std::make_unique<ref::PageSelector>(p, problem, content);
      return success();
    default: // vertical_slash
      p.kind = ref::PatternKind::VerticalSlash;
      p.verticals = p.count;
      p.slashes = valueOf(info.counts[1]);
      p.lastQueries = valueOf(info.counts[2]);
      node.kind = Node::Kind::VerticalSlash;
      node.slash = ref::selectVerticalSlash(p, problem, content);
      node.slashMembers = std::make_unique<core::VerticalSlashMembers>(
          problem.keyLength, node.slash.columns, node.slash.offsets);
      return success();
    }
  }

  LogicalResult blocks(Node &node, const ref::Pattern &p,
                       const std::vector<std::vector<int64_t>> &chosen) {
    node.kind = Node::Kind::Blocks;
    node.block = p.block;
    for (const std::vector<int64_t> &group : chosen) {
      node.indices.insert(node.indices.end(), group.begin(), group.end());
      node.offsets.push_back(node.indices.size());
    }
    node.setGroups(ref::firstQueryBlock(problem, p.block));
    return success();
  }

  const llvm::DenseMap<Value, Attribute> &folded;
  const ref::AttentionProblem &problem;
  int64_t head;
  ref::HeadContent content;
};

} // namespace

ScheduleEvaluator::ScheduleEvaluator(VariantOp variant)
    : variant(variant), tileQ(variant.getBlockQ()), tileK(variant.getBlockK()) {}

ScheduleEvaluator::~ScheduleEvaluator() = default;

LogicalResult ScheduleEvaluator::bind(const ref::AttentionProblem &call,
                                      int64_t head, ref::HeadContent content,
                                      ArrayRef<int64_t> request) {
  root.reset();
  int64_t length = call.keyLength;
  // Signed bounds (getLo()/getHi() are unsigned): L = 0 must not wrap.
  const int64_t lo = variant.getLoAttr().getInt(), hi = variant.getHiAttr().getInt();
  if (length < lo || length > hi)
    return variant.emitOpError()
           << "serves L in [" << lo << ", " << hi << "], not L = " << length;
  if (call.queryLength < 1 || call.queryLength > length)
    return variant.emitOpError() << "needs 1 <= Lq <= Lk, got Lq = "
                                 << call.queryLength;
  if (head < 0 || head >= call.numQHeads)
    return variant.emitOpError() << "has no query head " << head;
  if (!isa<BlocksType>(variant.getResult().getType()))
    return variant.emitOpError()
           << "is not lowered; run --spattn-lower-to-blocks first";
  problem = call;
  boundHead = head;
  llvm::DenseMap<Value, Attribute> folded;
  if (failed(foldBodyAt(variant.getBody().front(), length, request, folded)))
    return failure();
  FailureOr<Node> tree =
      TreeBuilder(folded, problem, head, content).build(variant.getResult());
  if (failed(tree))
    return failure();
  root = std::make_unique<Node>(std::move(*tree));
  return success();
}

int64_t ScheduleEvaluator::firstQueryTile() const {
  return (problem.keyLength - problem.queryLength) / tileQ;
}

int64_t ScheduleEvaluator::endQueryTile() const {
  return (problem.keyLength - 1) / tileQ + 1;
}

int64_t ScheduleEvaluator::numKeyTiles() const {
  return (problem.keyLength + tileK - 1) / tileK;
}

namespace {

/// Evaluation of a bound tree for one query tile or one token pair.
class Walker {
public:
  Walker(const ref::AttentionProblem &problem, int64_t head, int64_t tileQ,
         int64_t tileK)
      : problem(problem), head(head),
        geometry{tileQ, tileK, problem.queryLength, problem.keyLength} {}

  TileRanges ranges(Node &node, int64_t q) {
    switch (node.kind) {
    case Node::Kind::Affine:
      return affineRanges(node, q);
    case Node::Kind::Blocks:
      return core::blockSelectionRanges(geometry, node.groups, node.block, q);
    case Node::Kind::Pages: {
      int64_t first = geometry.firstPositionOf(q) - geometry.firstPosition();
      int64_t last = geometry.lastPositionOf(q) - geometry.firstPosition();
      return core::pageSelectionRanges(geometry, rowPages(node, first, last),
                                        node.block, q);
    }
    case Node::Kind::VerticalSlash:
      return core::verticalSlashRanges(geometry, node.slash.columns,
                                        node.slash.offsets, q);
    case Node::Kind::Union:
    case Node::Kind::Intersect: {
      TileRanges out = ranges(node.children.front(), q);
      for (size_t k = 1; k < node.children.size(); ++k)
        out = node.kind == Node::Kind::Union
                  ? core::uniteRanges(out, ranges(node.children[k], q))
                  : core::intersectRanges(out, ranges(node.children[k], q));
      return out;
    }
    case Node::Kind::Predicate:
      return core::predicateRanges(geometry, q, [&](int64_t pos, int64_t j) {
        return predicateKeeps(node, pos, j);
      });
    case Node::Kind::Nothing:
      return {};
    }
    llvm_unreachable("unknown node kind");
  }

  bool keeps(Node &node, int64_t i, int64_t j) {
    int64_t pos = problem.queryPosition(i);
    switch (node.kind) {
    case Node::Kind::Affine:
      return integerSetHolds(node.info.keep, {pos, j}, node.symbols);
    case Node::Kind::Blocks:
      return core::blockSelectionKeeps(node.groups, node.block, pos, j);
    case Node::Kind::Pages:
      return core::pageSelectionKeeps(rowPages(node, i, i), node.block, i, j);
    case Node::Kind::VerticalSlash:
      return node.slashMembers->keeps(pos, j);
    case Node::Kind::Union:
      return llvm::any_of(node.children,
                          [&](Node &c) { return keeps(c, i, j); });
    case Node::Kind::Intersect:
      return llvm::all_of(node.children,
                          [&](Node &c) { return keeps(c, i, j); });
    case Node::Kind::Predicate:
      return predicateKeeps(node, pos, j);
    case Node::Kind::Nothing:
      return false;
    }
    llvm_unreachable("unknown node kind");
  }

private:
  bool predicateKeeps(Node &node, int64_t pos, int64_t j) {
    return node.info.program.evaluate(head, pos, j, problem.keyLength, node.symbols.data(),
                                  node.registers.data());
  }

  TileRanges affineRanges(Node &node, int64_t q) {
    const BlocksNode &leaf = node.info;
    if (leaf.touchWhen && !integerSetHolds(*leaf.touchWhen, q, node.symbols))
      return {};
    std::vector<TileRange> out = {boundRange(leaf.touchLower, leaf.touchUpper, q,
                                             node.symbols, TileKind::Partial)};
    if (leaf.fullLower &&
        (!leaf.fullWhen || integerSetHolds(*leaf.fullWhen, q, node.symbols)))
      out.push_back(boundRange(leaf.fullLower, leaf.fullUpper, q, node.symbols,
                               TileKind::Full));
    return core::normalizeRanges(std::move(out));
  }

  /// The pages of rows [first, last], selected on demand: the reference
  /// selects one row at a time, and a summary visits only sampled tiles.
  const core::IndexGroups &rowPages(Node &node, int64_t first, int64_t last) {
    if (node.groups.firstGroup != first || node.groups.count != last - first + 1 ||
        node.offsets.size() == 1) {
      node.offsets.assign(1, 0);
      node.indices.clear();
      for (int64_t row = first; row <= last; ++row) {
        std::vector<int64_t> chosen = node.pages->select(row);
        node.indices.insert(node.indices.end(), chosen.begin(), chosen.end());
        node.offsets.push_back(node.indices.size());
      }
      node.setGroups(first);
    }
    return node.groups;
  }

  const ref::AttentionProblem &problem;
  int64_t head;
  core::TileGeometry geometry;
};

} // namespace

static bool hasKind(const ScheduleEvaluator::Node &node,
                    ScheduleEvaluator::Node::Kind kind) {
  return node.kind == kind ||
         llvm::any_of(node.children, [&](const ScheduleEvaluator::Node &c) {
           return hasKind(c, kind);
         });
}

TileRanges ScheduleEvaluator::tileRanges(int64_t queryTile) {
  assert(root && "bind() a call first");
  return core::clipRanges(
      Walker(problem, boundHead, tileQ, tileK).ranges(*root, queryTile), 0, numKeyTiles());
}

void ScheduleEvaluator::expandRow(int64_t i, std::vector<uint8_t> &keep) {
  assert(root && "bind() a call first");
  const int64_t lk = problem.keyLength;
  keep.assign(lk, 0);
  Walker walker(problem, boundHead, tileQ, tileK);
  for (const TileRange &range : tileRanges(problem.queryPosition(i) / tileQ)) {
    int64_t first = range.lo * tileK, end = std::min(range.hi * tileK, lk);
    if (range.kind == TileKind::Full) {
      std::fill(keep.begin() + first, keep.begin() + end, uint8_t{1});
      continue;
    }
    for (int64_t j = first; j < end; ++j)
      keep[j] = walker.keeps(*root, i, j);
  }
}

ScheduleStats ScheduleEvaluator::stats() {
  assert(root && "bind() a call first");
  const int64_t lk = problem.keyLength;
  const int64_t firstRow = lk - problem.queryLength;
  int64_t first = firstQueryTile(), count = endQueryTile() - first;
  int64_t visited = hasKind(*root, Node::Kind::Pages) ||
                            hasKind(*root, Node::Kind::Predicate)
                        ? std::min(count, kStatsSampledTiles)
                        : count;
  double weight = static_cast<double>(count) / visited;
  ScheduleStats stats;
  double flopsPerPair = 4.0 * problem.headDim;
  auto keysOf = [&](int64_t c) { return std::min((c + 1) * tileK, lk) - c * tileK; };
  for (int64_t v = 0; v < visited; ++v) {
    int64_t q = first + (visited == 1 ? 0 : v * (count - 1) / (visited - 1));
    int64_t lastPos = std::min(q * tileQ + tileQ - 1, lk - 1);
    int64_t rows = lastPos - std::max(q * tileQ, firstRow) + 1;
    for (const TileRange &range : tileRanges(q))
      for (int64_t c = range.lo; c < range.hi; ++c) {
        stats.keptTiles += 1;
        stats.partialTiles += range.kind == TileKind::Partial;
        stats.keptFlops += flopsPerPair * rows * keysOf(c);
      }
    int64_t candidates =
        problem.causal ? std::min(lastPos / tileK + 1, numKeyTiles()) : numKeyTiles();
    for (int64_t c = 0; c < candidates; ++c) {
      stats.denseTiles += 1;
      stats.denseFlops += flopsPerPair * rows * keysOf(c);
    }
  }
  if (visited < count) {
    stats.keptTiles = static_cast<int64_t>(stats.keptTiles * weight + 0.5);
    stats.partialTiles = static_cast<int64_t>(stats.partialTiles * weight + 0.5);
    stats.denseTiles = static_cast<int64_t>(stats.denseTiles * weight + 0.5);
    stats.keptFlops *= weight;
    stats.denseFlops *= weight;
  }
  return stats;
}
