//===- ScheduleEvaluator.cpp - Expand a lowered block schedule ------------===//
#include "dialects/SpAttn/Eval/ScheduleEvaluator.h"

#include "dialects/SpAttn/Eval/SpAttnEvaluator.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/IntegerSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::spattn;
using sched::TileKind;
using sched::TileRange;
using sched::TileRanges;

namespace {

int64_t floorDiv(int64_t a, int64_t b) { return llvm::divideFloorSigned(a, b); }

/// Value of an affine or semi-affine expression. Divisors are budgets the
/// specialization proved positive; a zero one still yields 0, never a trap.
int64_t evaluateExpr(AffineExpr expr, ArrayRef<int64_t> dims,
                     ArrayRef<int64_t> symbols) {
  switch (expr.getKind()) {
  case AffineExprKind::Constant:
    return cast<AffineConstantExpr>(expr).getValue();
  case AffineExprKind::DimId:
    return dims[cast<AffineDimExpr>(expr).getPosition()];
  case AffineExprKind::SymbolId:
    return symbols[cast<AffineSymbolExpr>(expr).getPosition()];
  default:
    break;
  }
  auto binary = cast<AffineBinaryOpExpr>(expr);
  int64_t lhs = evaluateExpr(binary.getLHS(), dims, symbols);
  int64_t rhs = evaluateExpr(binary.getRHS(), dims, symbols);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return lhs + rhs;
  case AffineExprKind::Mul:
    return lhs * rhs;
  case AffineExprKind::Mod:
    return rhs > 0 ? ((lhs % rhs) + rhs) % rhs : 0;
  case AffineExprKind::FloorDiv:
    return rhs ? floorDiv(lhs, rhs) : 0;
  case AffineExprKind::CeilDiv:
    return rhs ? llvm::divideCeilSigned(lhs, rhs) : 0;
  default:
    llvm_unreachable("unknown affine expression kind");
  }
}

bool holds(IntegerSet set, ArrayRef<int64_t> dims, ArrayRef<int64_t> symbols) {
  for (unsigned c = 0; c < set.getNumConstraints(); ++c) {
    int64_t value = evaluateExpr(set.getConstraint(c), dims, symbols);
    if (set.isEq(c) ? value != 0 : value < 0)
      return false;
  }
  return true;
}

/// [max of lower's results, min of upper's results), as affine.for bounds.
TileRange boundRange(AffineMap lower, AffineMap upper, int64_t queryTile,
                     ArrayRef<int64_t> symbols, TileKind kind) {
  TileRange range{INT64_MIN, INT64_MAX, kind};
  for (AffineExpr e : lower.getResults())
    range.lo = std::max(range.lo, evaluateExpr(e, queryTile, symbols));
  for (AffineExpr e : upper.getResults())
    range.hi = std::min(range.hi, evaluateExpr(e, queryTile, symbols));
  return range;
}

bool contains(const std::vector<int64_t> &sorted, int64_t value) {
  return std::binary_search(sorted.begin(), sorted.end(), value);
}

/// Above this many present query tiles, stats() visits this many evenly
/// spaced ones and scales (like the density's sampled rows).
constexpr int64_t kStatsSampledTiles = 64;

} // namespace

struct ScheduleEvaluator::Node {
  enum class Kind {
    Affine,
    Layout,
    Blocks,        // random_blocks, topk_blocks, mass: per query block
    Pages,         // per query row
    VerticalSlash, // columns and diagonals
    Union,
    Intersect,
    Nothing // per_head with no input for this head
  };
  Kind kind = Kind::Nothing;
  BlocksAffineOp affine;
  SmallVector<int64_t> symbols;
  int64_t block = 0; // pattern block or page size
  int64_t layoutRows = 0, layoutCols = 0;
  std::vector<uint8_t> layout;
  std::vector<std::vector<int64_t>> blocks; // by query block - firstBlock
  int64_t firstBlock = 0;
  std::unique_ptr<ref::PageSelector> pages;
  int64_t cachedRow = -1;
  std::vector<int64_t> cachedPages;
  ref::VerticalSlashSelection slash;
  std::vector<uint8_t> isColumn, isOffset; // isOffset[d + Lk]
  std::vector<Node> children;
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
    Node node;
    LogicalResult result =
        llvm::TypeSwitch<Operation *, LogicalResult>(op)
            .Case([&](BlocksAffineOp o) {
              node.kind = Node::Kind::Affine;
              node.affine = o;
              for (Value s : o.getSymbols())
                node.symbols.push_back(valueOf(s));
              return success();
            })
            .Case([&](BlocksLayoutOp o) {
              node.kind = Node::Kind::Layout;
              node.block = o.getBlock();
              node.layoutRows = o.getLayout().size();
              for (StringRef row : o.getLayout().getAsValueRange<StringAttr>()) {
                node.layoutCols = row.size();
                for (char c : row)
                  node.layout.push_back(c == '1');
              }
              return success();
            })
            .Case([&](BlocksSelectedOp o) {
              return select(o.getSelection().getDefiningOp(), node);
            })
            .Case([&](BlocksUnionOp o) {
              node.kind = Node::Kind::Union;
              return buildChildren(o.getInputs(), node);
            })
            .Case([&](BlocksIntersectOp o) {
              node.kind = Node::Kind::Intersect;
              return buildChildren(o.getInputs(), node);
            })
            .Case([&](BlocksPerHeadOp o) -> LogicalResult {
              ArrayRef<int64_t> starts = o.getHeads();
              for (size_t k = starts.size(); k-- > 0;)
                if (starts[k] <= head) {
                  FailureOr<Node> child = build(o.getInputs()[k]);
                  if (failed(child))
                    return failure();
                  node = std::move(*child);
                  return success();
                }
              return success(); // Nothing
            })
            .Default([&](Operation *other) {
              return other->emitOpError() << "is not part of a block schedule";
            });
    if (failed(result))
      return failure();
    return node;
  }

private:
  int64_t valueOf(Value v) {
    return cast<IntegerAttr>(folded.lookup(v)).getValue().getSExtValue();
  }

  LogicalResult buildChildren(ValueRange inputs, Node &node) {
    for (Value input : inputs) {
      FailureOr<Node> child = build(input);
      if (failed(child))
        return failure();
      node.children.push_back(std::move(*child));
    }
    return success();
  }

  LogicalResult needContent(Operation *op) {
    if (content.q && content.k)
      return success();
    return op->emitOpError() << "selects from Q and K, but none were given";
  }

  /// Runs a selection stage exactly as the reference defines it.
  LogicalResult select(Operation *op, Node &node) {
    ref::Pattern p;
    Operation *estimate = op->getOperand(0).getDefiningOp();
    if (auto topk = dyn_cast<SelectTopkOp>(op)) {
      p.count = valueOf(topk.getCount());
      if (auto hash = dyn_cast<EstimateHashOp>(estimate)) {
        p.kind = ref::PatternKind::RandomBlocks;
        p.block = hash.getBlock();
        p.seed = static_cast<uint64_t>(hash.getSeed());
        return blocks(node, p, ref::selectRandomBlocks(p, problem, head));
      }
      if (failed(needContent(op)))
        return failure();
      if (auto pooled = dyn_cast<EstimatePooledOp>(estimate)) {
        p.kind = ref::PatternKind::TopkBlocks;
        p.block = pooled.getBlock();
        return blocks(node, p, ref::selectTopkBlocks(p, problem, content));
      }
      auto bounds = cast<EstimatePageBoundsOp>(estimate);
      p.kind = ref::PatternKind::Pages;
      p.block = bounds.getPage();
      node.kind = Node::Kind::Pages;
      node.block = p.block;
      node.pages = std::make_unique<ref::PageSelector>(p, problem, content);
      return success();
    }
    if (failed(needContent(op)))
      return failure();
    if (auto mass = dyn_cast<SelectMassOp>(op)) {
      p.kind = ref::PatternKind::Mass;
      p.count = valueOf(mass.getMaxBlocks());
      p.gamma = mass.getGamma().convertToDouble();
      p.block = cast<EstimatePooledOp>(estimate).getBlock();
      return blocks(node, p, ref::selectMassBlocks(p, problem, content));
    }
    auto vs = cast<SelectVerticalSlashOp>(op);
    p.kind = ref::PatternKind::VerticalSlash;
    p.verticals = valueOf(vs.getVerticals());
    p.slashes = valueOf(vs.getSlashes());
    p.lastQueries =
        valueOf(cast<EstimateLastQueriesOp>(estimate).getLastQueries());
    node.kind = Node::Kind::VerticalSlash;
    node.slash = ref::selectVerticalSlash(p, problem, content);
    int64_t lk = problem.keyLength;
    node.isColumn.assign(lk, 0);
    node.isOffset.assign(2 * lk, 0);
    for (int64_t j : node.slash.columns)
      node.isColumn[j] = 1;
    for (int64_t d : node.slash.offsets)
      node.isOffset[d + lk] = 1;
    return success();
  }

  LogicalResult blocks(Node &node, const ref::Pattern &p,
                       std::vector<std::vector<int64_t>> chosen) {
    node.kind = Node::Kind::Blocks;
    node.block = p.block;
    node.blocks = std::move(chosen);
    node.firstBlock = ref::firstQueryBlock(problem, p.block);
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
                                      int64_t head, ref::HeadContent content) {
  root.reset();
  int64_t length = call.keyLength;
  if (length < variant.getLo() || length > variant.getHi())
    return variant.emitOpError()
           << "serves L in [" << variant.getLo() << ", " << variant.getHi()
           << "], not L = " << length;
  if (call.queryLength < 1 || call.queryLength > length)
    return variant.emitOpError() << "needs 1 <= Lq <= Lk, got Lq = "
                                 << call.queryLength;
  if (head < 0 || head >= call.numQHeads)
    return variant.emitOpError() << "has no query head " << head;
  if (!isa<BlocksType>(variant.getResult().getType()))
    return variant.emitOpError()
           << "is not lowered; run --spattn-lower-to-blocks first";
  problem = call;
  llvm::DenseMap<Value, Attribute> folded;
  if (failed(foldBodyAt(variant.getBody().front(), length, folded)))
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
  Walker(const ref::AttentionProblem &problem, int64_t tileQ, int64_t tileK)
      : problem(problem), tileQ(tileQ), tileK(tileK) {}

  TileRanges ranges(Node &node, int64_t q) {
    // Present positions of the tile: selections only look at rows that exist.
    int64_t firstPos = std::max(q * tileQ, problem.keyLength - problem.queryLength);
    int64_t lastPos = std::min(q * tileQ + tileQ - 1, problem.keyLength - 1);
    switch (node.kind) {
    case Node::Kind::Affine:
      return affineRanges(node, q);
    case Node::Kind::Layout:
    case Node::Kind::Blocks: {
      std::vector<TileRange> out;
      bool full = node.block >= tileQ && node.block >= tileK;
      for (int64_t qb = firstPos / node.block; qb <= lastPos / node.block; ++qb)
        for (int64_t c : keptBlocks(node, qb))
          out.push_back(blockTiles(c, node.block, full));
      return sched::normalizeRanges(std::move(out));
    }
    case Node::Kind::Pages: {
      std::vector<TileRange> out;
      bool full = firstPos == lastPos && node.block >= tileK;
      for (int64_t pos = firstPos; pos <= lastPos; ++pos)
        for (int64_t c : rowPages(node, rowOf(pos)))
          out.push_back(blockTiles(c, node.block, full));
      return sched::normalizeRanges(std::move(out));
    }
    case Node::Kind::VerticalSlash: {
      std::vector<TileRange> out;
      for (int64_t j : node.slash.columns)
        out.push_back({j / tileK, j / tileK + 1, TileKind::Partial});
      for (int64_t d : node.slash.offsets)
        out.push_back({floorDiv(firstPos - d, tileK),
                       floorDiv(lastPos - d, tileK) + 1, TileKind::Partial});
      return sched::normalizeRanges(std::move(out));
    }
    case Node::Kind::Union:
    case Node::Kind::Intersect: {
      TileRanges out = ranges(node.children.front(), q);
      for (size_t k = 1; k < node.children.size(); ++k)
        out = node.kind == Node::Kind::Union
                  ? sched::uniteRanges(out, ranges(node.children[k], q))
                  : sched::intersectRanges(out, ranges(node.children[k], q));
      return out;
    }
    case Node::Kind::Nothing:
      return {};
    }
    llvm_unreachable("unknown node kind");
  }

  bool keeps(Node &node, int64_t i, int64_t j) {
    int64_t pos = problem.queryPosition(i);
    switch (node.kind) {
    case Node::Kind::Affine:
      return holds(node.affine.getKeep(), {pos, j}, node.symbols);
    case Node::Kind::Layout:
    case Node::Kind::Blocks:
      return contains(keptBlocks(node, pos / node.block), j / node.block);
    case Node::Kind::Pages:
      return contains(rowPages(node, i), j / node.block);
    case Node::Kind::VerticalSlash:
      return node.isColumn[j] || node.isOffset[pos - j + problem.keyLength];
    case Node::Kind::Union:
      return llvm::any_of(node.children,
                          [&](Node &c) { return keeps(c, i, j); });
    case Node::Kind::Intersect:
      return llvm::all_of(node.children,
                          [&](Node &c) { return keeps(c, i, j); });
    case Node::Kind::Nothing:
      return false;
    }
    llvm_unreachable("unknown node kind");
  }

private:
  int64_t rowOf(int64_t pos) const {
    return pos - (problem.keyLength - problem.queryLength);
  }

  TileRanges affineRanges(Node &node, int64_t q) {
    BlocksAffineOp op = node.affine;
    if (op.getTouchWhen() && !holds(*op.getTouchWhen(), q, node.symbols))
      return {};
    std::vector<TileRange> out = {boundRange(op.getTouchLower(),
                                             op.getTouchUpper(), q,
                                             node.symbols, TileKind::Partial)};
    if (op.getFullLowerAttr() &&
        (!op.getFullWhen() || holds(*op.getFullWhen(), q, node.symbols)))
      out.push_back(boundRange(*op.getFullLower(), *op.getFullUpper(), q,
                               node.symbols, TileKind::Full));
    return sched::normalizeRanges(std::move(out));
  }

  /// Key tiles covered by pattern block c of size `block`.
  TileRange blockTiles(int64_t c, int64_t block, bool full) const {
    return {c * block / tileK, ((c + 1) * block + tileK - 1) / tileK,
            full ? TileKind::Full : TileKind::Partial};
  }

  /// Kept key blocks (sorted) of absolute query block qb.
  const std::vector<int64_t> &keptBlocks(Node &node, int64_t qb) {
    static const std::vector<int64_t> none;
    if (node.kind == Node::Kind::Blocks) {
      int64_t index = qb - node.firstBlock;
      if (index < 0 || index >= static_cast<int64_t>(node.blocks.size()))
        return none;
      return node.blocks[index];
    }
    // A layout row becomes the list of its kept columns, once.
    if (node.blocks.empty()) {
      node.blocks.resize(node.layoutRows);
      for (int64_t r = 0; r < node.layoutRows; ++r)
        for (int64_t c = 0; c < node.layoutCols; ++c)
          if (node.layout[r * node.layoutCols + c])
            node.blocks[r].push_back(c);
    }
    return qb < node.layoutRows ? node.blocks[qb] : none;
  }

  const std::vector<int64_t> &rowPages(Node &node, int64_t i) {
    if (node.cachedRow != i) {
      node.cachedPages = node.pages->select(i);
      node.cachedRow = i;
    }
    return node.cachedPages;
  }

  const ref::AttentionProblem &problem;
  int64_t tileQ, tileK;
};

} // namespace

TileRanges ScheduleEvaluator::tileRanges(int64_t queryTile) {
  assert(root && "bind() a call first");
  return sched::clipRanges(
      Walker(problem, tileQ, tileK).ranges(*root, queryTile), 0, numKeyTiles());
}

void ScheduleEvaluator::expandRow(int64_t i, std::vector<uint8_t> &keep) {
  assert(root && "bind() a call first");
  const int64_t lk = problem.keyLength;
  keep.assign(lk, 0);
  Walker walker(problem, tileQ, tileK);
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
  int64_t visited = std::min(count, kStatsSampledTiles);
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
