//===- Pattern.cpp - Helpers of the evaluated pattern tree ----------------===//

#include "reference/Pattern.h"

#include <cmath>

namespace spattn::ref {

const char *patternKindName(PatternKind kind) {
  switch (kind) {
  // The symmetric window is the `window` op with its `symmetric` unit attr.
  case PatternKind::Window:
  case PatternKind::SymmetricWindow:
    return "window";
  case PatternKind::Sink:
    return "sink";
  case PatternKind::GlobalQueries:
    return "global_queries";
  case PatternKind::Strided:
    return "strided";
  case PatternKind::DilatedWindow:
    return "dilated_window";
  case PatternKind::BlockLayout:
    return "block_layout";
  case PatternKind::RandomBlocks:
    return "random_blocks";
  case PatternKind::TopkBlocks:
    return "topk_blocks";
  case PatternKind::VerticalSlash:
    return "vertical_slash";
  case PatternKind::Mass:
    return "mass";
  case PatternKind::Pages:
    return "pages";
  case PatternKind::Union:
    return "union";
  case PatternKind::Intersect:
    return "intersect";
  case PatternKind::Predicate:
    return "predicate";
  case PatternKind::PerHead:
    return "per_head";
  }
  return "unknown";
}

bool isContentBased(PatternKind kind) {
  return kind == PatternKind::TopkBlocks || kind == PatternKind::VerticalSlash ||
         kind == PatternKind::Mass || kind == PatternKind::Pages;
}

bool Pattern::needsContent() const {
  if (isContentBased(kind))
    return true;
  for (const Pattern &child : children)
    if (child.needsContent())
      return true;
  return false;
}

double AttentionProblem::effectiveScale() const {
  return scale != 0.0 ? scale : 1.0 / std::sqrt(static_cast<double>(headDim));
}

} // namespace spattn::ref
