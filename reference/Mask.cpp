//===- Mask.cpp - Token-level mask of an evaluated pattern ----------------===//

#include "reference/Mask.h"

#include <algorithm>
#include <stdexcept>

namespace spattn::ref {

struct MaskEvaluator::Node {
  const Pattern *pattern = nullptr; // null: no per_head child serves the head
  std::vector<Node> children;
  std::vector<uint8_t> scratch; // one child's row while combining
  std::vector<int64_t> registers; // a predicate's program registers

  // Selections, filled on first use by MaskEvaluator::select.
  bool selected = false;
  std::vector<std::vector<int64_t>> blocks; // per query block
  VerticalSlashSelection slash;
  std::unique_ptr<PageSelector> pages;
  const GivenSelection *givenPages = nullptr; // per row, when given
  int64_t contentIndex = -1; // preorder index among content-based nodes
};

namespace {

// Keeps keys [lo, hi) clipped to [0, lk).
void keepRange(uint8_t *keep, int64_t lo, int64_t hi, int64_t lk) {
  lo = std::max<int64_t>(lo, 0);
  hi = std::min(hi, lk);
  if (lo < hi)
    std::fill(keep + lo, keep + hi, uint8_t{1});
}

} // namespace

MaskEvaluator::Node MaskEvaluator::build(const Pattern &pattern, int64_t head) {
  if (pattern.kind == PatternKind::PerHead) {
    // Child k serves heads [headStarts[k], headStarts[k+1]).
    for (size_t k = std::min(pattern.children.size(), pattern.headStarts.size()); k-- > 0;)
      if (pattern.headStarts[k] <= head)
        return build(pattern.children[k], head);
    return Node();
  }
  if ((pattern.kind == PatternKind::Strided ||
       pattern.kind == PatternKind::DilatedWindow) && pattern.stride < 1)
    throw std::invalid_argument("spattn reference: stride must be >= 1");
  Node node;
  node.pattern = &pattern;
  if (isContentBased(pattern.kind))
    node.contentIndex = nextGiven++;
  for (const Pattern &child : pattern.children)
    node.children.push_back(build(child, head));
  return node;
}

MaskEvaluator::MaskEvaluator(const Pattern &pattern,
                             const AttentionProblem &problem, int64_t head,
                             HeadContent content)
    : problem(problem), head(head), content(content),
      root(std::make_unique<Node>(build(pattern, head))) {}

MaskEvaluator::~MaskEvaluator() = default;

void MaskEvaluator::row(int64_t i, std::vector<uint8_t> &keep) {
  const int64_t lk = problem.keyLength;
  keep.resize(lk);
  evaluate(*root, i, keep.data());
  if (problem.causal)
    std::fill(keep.begin() + std::clamp<int64_t>(problem.queryPosition(i) + 1, 0, lk),
              keep.end(), uint8_t{0});
}

void MaskEvaluator::useSelections(std::vector<GivenSelection> selections) {
  given = std::move(selections);
}

void MaskEvaluator::select(Node &node) {
  if (node.selected)
    return;
  const Pattern &p = *node.pattern;
  node.selected = true;
  if (!given.empty() && p.kind != PatternKind::RandomBlocks) {
    if (node.contentIndex >= static_cast<int64_t>(given.size()))
      throw std::invalid_argument("spattn reference: too few given selections");
    const GivenSelection &chosen = given[node.contentIndex];
    if (p.kind == PatternKind::VerticalSlash)
      node.slash = {chosen.at(0), chosen.at(1)};
    else if (p.kind == PatternKind::Pages)
      node.givenPages = &chosen;
    else
      node.blocks = chosen;
    return;
  }
  switch (p.kind) {
  case PatternKind::RandomBlocks:
    node.blocks = selectRandomBlocks(p, problem, head);
    break;
  case PatternKind::TopkBlocks:
    node.blocks = selectTopkBlocks(p, problem, content);
    break;
  case PatternKind::Mass:
    node.blocks = selectMassBlocks(p, problem, content);
    break;
  case PatternKind::VerticalSlash:
    node.slash = selectVerticalSlash(p, problem, content);
    break;
  case PatternKind::Pages:
    node.pages = std::make_unique<PageSelector>(p, problem, content);
    break;
  default:
    break;
  }
}

void MaskEvaluator::evaluate(Node &node, int64_t i, uint8_t *keep) {
  const int64_t lk = problem.keyLength;
  const int64_t pos = problem.queryPosition(i);
  const Pattern *p = node.pattern;
  if (p && p->kind == PatternKind::Intersect) {
    std::fill(keep, keep + lk, uint8_t{1});
    for (Node &child : node.children) {
      node.scratch.resize(lk);
      evaluate(child, i, node.scratch.data());
      for (int64_t j = 0; j < lk; ++j)
        keep[j] &= node.scratch[j];
    }
    return;
  }
  std::fill(keep, keep + lk, uint8_t{0});
  if (!p)
    return;
  switch (p->kind) {
  case PatternKind::Window:
    keepRange(keep, pos - p->size + 1, pos + 1, lk);
    break;
  case PatternKind::SymmetricWindow:
    keepRange(keep, pos - p->size + 1, pos + p->size, lk);
    break;
  case PatternKind::Sink:
    keepRange(keep, 0, p->count, lk);
    break;
  case PatternKind::GlobalQueries:
    if (pos < p->count)
      keepRange(keep, 0, lk, lk);
    break;
  case PatternKind::Strided:
    // (p(i) - j) mod t == 0 with a mathematical modulo: j = p(i) + m*t.
    for (int64_t j = (pos % p->stride + p->stride) % p->stride; j < lk; j += p->stride)
      keep[j] = 1;
    break;
  case PatternKind::DilatedWindow:
    for (int64_t m = 0, j = pos; m < p->size && j >= 0; ++m, j -= p->stride)
      keep[j] = 1;
    break;
  case PatternKind::BlockLayout: {
    int64_t qb = queryBlockOf(problem, i, p->block);
    if (qb < 0 || qb >= p->layoutRows)
      break;
    for (int64_t c = 0; c < p->layoutCols; ++c)
      if (p->layout[qb * p->layoutCols + c])
        keepRange(keep, c * p->block, (c + 1) * p->block, lk);
    break;
  }
  case PatternKind::RandomBlocks:
  case PatternKind::TopkBlocks:
  case PatternKind::Mass: {
    select(node);
    int64_t qi = queryBlockOf(problem, i, p->block) - firstQueryBlock(problem, p->block);
    for (int64_t c : node.blocks[qi])
      keepRange(keep, c * p->block, (c + 1) * p->block, lk);
    break;
  }
  case PatternKind::VerticalSlash:
    select(node);
    for (int64_t j : node.slash.columns)
      keep[j] = 1;
    for (int64_t d : node.slash.offsets)
      if (pos - d >= 0 && pos - d < lk)
        keep[pos - d] = 1;
    break;
  case PatternKind::Pages:
    select(node);
    for (int64_t c : node.givenPages ? node.givenPages->at(i) : node.pages->select(i))
      keepRange(keep, c * p->block, (c + 1) * p->block, lk);
    break;
  case PatternKind::Predicate: {
    node.registers.resize(p->program->numRegisters());
    for (int64_t j = 0; j < lk; ++j)
      keep[j] = p->program->evaluate(head, pos, j, lk, p->arguments.data(),
                                     node.registers.data());
    break;
  }
  case PatternKind::Union:
    for (Node &child : node.children) {
      node.scratch.resize(lk);
      evaluate(child, i, node.scratch.data());
      for (int64_t j = 0; j < lk; ++j)
        keep[j] |= node.scratch[j];
    }
    break;
  case PatternKind::Intersect:
  case PatternKind::PerHead:
    break; // handled above / resolved by build()
  }
}

std::vector<uint8_t> buildMask(const Pattern &pattern,
                               const AttentionProblem &problem, int64_t head,
                               HeadContent content) {
  MaskEvaluator evaluator(pattern, problem, head, content);
  const int64_t lk = problem.keyLength;
  std::vector<uint8_t> mask(problem.queryLength * lk);
  std::vector<uint8_t> keep;
  for (int64_t i = 0; i < problem.queryLength; ++i) {
    evaluator.row(i, keep);
    std::copy(keep.begin(), keep.end(), mask.begin() + i * lk);
  }
  return mask;
}

} // namespace spattn::ref
