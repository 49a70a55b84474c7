//===- Library.cpp - The target-independent half of every library ---------===//
//
// What a generated library does the same way whatever its targets: pick the
// target for a call by the memory Q lives in, pick the variant for Lk, read
// the length tables, and answer the budget and selection queries.
//
//===----------------------------------------------------------------------===//
#include "spattn/library_abi.hpp"

#include <algorithm>
#include <string>

namespace spattn::abi {

int64_t LengthTable::at(int64_t length) const {
  const int64_t *it = std::upper_bound(start, start + runs, length);
  return value[std::max<int64_t>(it - start - 1, 0)];
}

void indexVerticalSlash(StageResult &stage, int64_t keyLength) {
  const Selection &s = stage.selection;
  stage.columns.assign(s.begin(0), s.end(0));
  stage.offsets.assign(s.begin(1), s.end(1));
  stage.members = std::make_unique<core::VerticalSlashMembers>(
      keyLength, stage.columns, stage.offsets);
}

const char *stageKindName(StageKind kind) {
  switch (kind) {
  case StageKind::TopkBlocks: return "topk_blocks";
  case StageKind::RandomBlocks: return "random_blocks";
  case StageKind::Mass: return "mass";
  case StageKind::Pages: return "pages";
  case StageKind::VerticalSlash: return "vertical_slash";
  }
  return "unknown";
}

int attention(const Library &library, const TargetEntry *const *targets,
              int32_t numTargets, const spattn_tensor *q, const spattn_tensor *k,
              const spattn_tensor *v, spattn_tensor *o, spattn_tensor *lse,
              const spattn_options *options) {
  rt::clearError();
  if (!q)
    return rt::fail(SPATTN_ERROR_NULL, "q is null");
  for (int32_t t = 0; t < numTargets; ++t)
    if (targets[t]->accepts.memory == q->memory)
      return targets[t]->attention(library, q, k, v, o, lse, options);
  std::string served;
  for (int32_t t = 0; t < numTargets; ++t)
    served += (t ? ", " : "") + std::string(targets[t]->accepts.target);
  return rt::fail(SPATTN_ERROR_ARGUMENT,
                  std::string(library.name) + ": no target of this library (" +
                      served + ") reads the memory q lives in");
}

int findVariant(const Library &library, int64_t length, const Variant *&out) {
  int index = rt::findBucket(library.upperBounds, library.numVariants, length);
  if (index < 0)
    return rt::fail(SPATTN_ERROR_LENGTH,
                    std::string(library.name) + ": Lk = " +
                        std::to_string(length) +
                        " is above the last bucket (" +
                        std::to_string(library.upperBounds[library.numVariants - 1]) +
                        "); recompile the spec with a larger bucket");
  out = &library.variants[index];
  return SPATTN_OK;
}

std::vector<int64_t> parametersAt(const Variant &variant, int64_t length) {
  std::vector<int64_t> params(variant.numParams);
  for (int32_t p = 0; p < variant.numParams; ++p)
    params[p] = variant.params[p].at(length);
  return params;
}

StageInputs stageInputs(const Library &library, const rt::CallShape &shape,
                        const spattn_tensor &q, const spattn_tensor &k,
                        int64_t batch, int64_t head) {
  auto rows = [&](const spattn_tensor &t, int64_t h, int64_t length) {
    const float *data = static_cast<const float *>(t.data) +
                        batch * t.strides[0] + h * t.strides[1];
    return HeadRows{data, length, t.strides[2], shape.headDim};
  };
  StageInputs in;
  in.call = {shape.queryLength, shape.keyLength, library.causal,
             static_cast<float>(library.scale), head};
  in.q = rows(q, head, shape.queryLength);
  in.k = rows(k, shape.kvHeadOf(head), shape.keyLength);
  return in;
}

int budgets(const Library &library, int64_t length, int64_t *values,
            int32_t capacity) {
  rt::clearError();
  if (!values && capacity > 0)
    return rt::fail(SPATTN_ERROR_NULL, "values is null");
  if (capacity < library.numBudgets)
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    "values holds " + std::to_string(capacity) + " of " +
                        std::to_string(library.numBudgets) + " budgets");
  const Variant *variant = nullptr;
  if (int status = findVariant(library, length, variant))
    return status;
  for (int32_t b = 0; b < library.numBudgets; ++b)
    values[b] = library.budgets[b].at(length);
  return SPATTN_OK;
}

int selection(const Library &library, const rt::TargetAccepts &accepts,
              const spattn_tensor *q, const spattn_tensor *k, int64_t batch,
              int64_t head, int32_t stage, spattn_selection *out) {
  rt::clearError();
  if (!out)
    return rt::fail(SPATTN_ERROR_NULL, "out is null");
  rt::CallShape shape;
  if (int status = rt::checkQueryKey(library.shape(accepts), q, k, shape))
    return status;
  if (batch < 0 || batch >= shape.batch || head < 0 || head >= shape.numQHeads)
    return rt::fail(SPATTN_ERROR_ARGUMENT, "no (batch " + std::to_string(batch) +
                                               ", head " + std::to_string(head) +
                                               ") in this call");
  if (stage < 0 || stage >= library.numStages)
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    std::string(library.name) + " has " +
                        std::to_string(library.numStages) +
                        " selection stages, no stage " + std::to_string(stage));
  const Variant *variant = nullptr;
  if (int status = findVariant(library, shape.keyLength, variant))
    return status;
  static thread_local std::vector<StageResult> results;
  results.clear();
  results.resize(library.numStages);
  std::vector<int64_t> params = parametersAt(*variant, shape.keyLength);
  variant->select(stageInputs(library, shape, *q, *k, batch, head), params.data(),
                  head, results.data());
  const StageResult &result = results[stage];
  StageKind kind = library.stageKinds[stage];
  if (!result.computed)
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    "stage " + std::to_string(stage) + " (" +
                        stageKindName(kind) + ") does not serve head " +
                        std::to_string(head));
  out->kind = kind == StageKind::Pages           ? SPATTN_SELECTION_PAGES
              : kind == StageKind::VerticalSlash ? SPATTN_SELECTION_VERTICAL_SLASH
                                                 : SPATTN_SELECTION_BLOCKS;
  out->first_group = result.selection.firstGroup;
  out->num_groups = result.selection.groups();
  out->offsets = result.selection.offsets.data();
  out->indices = result.selection.indices.data();
  return SPATTN_OK;
}

} // namespace spattn::abi
