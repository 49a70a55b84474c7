//===- Library.cpp - The target-independent half of every library ---------===//
//
// What a generated library does the same way whatever its targets: pick the
// target for a call by the memory Q lives in, pick the variant for Lk, read
// the length tables, and answer the budget and selection queries.
//
//===----------------------------------------------------------------------===//
#include "spattn/library_abi.hpp"

#include "spattn/host_selections.hpp"

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

std::vector<Selection *> ServedHeads::selections() const {
  std::vector<Selection *> out;
  for (StageResult *result : results)
    out.push_back(&result->selection);
  return out;
}

ServedHeads servedHeads(const StageInputs &in, const bool *serves, int32_t stage,
                        int32_t numStages, StageResult *stages) {
  ServedHeads heads;
  for (size_t g = 0; g < in.q.size(); ++g) {
    SelectionCall call = in.call;
    call.head += static_cast<int64_t>(g);
    if (!serves[call.head])
      continue;
    StageResult &result = stages[g * numStages + stage];
    result.computed = true;
    heads.calls.push_back(call);
    heads.queries.push_back(in.q[g]);
    heads.results.push_back(&result);
  }
  return heads;
}


int attention(const Library &library, const TargetEntry *const *targets,
              int32_t numTargets, const spattn_tensor *q, const spattn_tensor *k,
              const spattn_tensor *v, spattn_tensor *o, spattn_tensor *lse,
              const spattn_tensor *const *pageBounds,
              const spattn_options *options) {
  rt::clearError();
  if (!q)
    return rt::fail(SPATTN_ERROR_NULL, "q is null");
  for (int32_t t = 0; t < numTargets; ++t) {
    if (targets[t]->accepts.memory != rt::storedValue(q->memory))
      continue;
    return targets[t]->attention(library, q, k, v, o, lse, pageBounds, options);
  }
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

int requestCombination(const Library &library, const spattn_options *options,
                       int64_t &combination) {
  combination = 0;
  int32_t given = options ? options->num_request : 0;
  std::string name = library.name;
  if (given != library.numRequest) {
    std::string declared;
    for (int32_t k = 0; k < library.numRequest; ++k)
      declared += (k ? ", " : " (") + std::string(library.requestNames[k]) + ")";
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    name + " takes " + std::to_string(library.numRequest) +
                        " request values" + declared + " in options, got " +
                        std::to_string(given));
  }
  if (given == 0)
    return SPATTN_OK;
  if (!options->request)
    return rt::fail(SPATTN_ERROR_NULL, "options->request is null");
  core::RequestSpace space = library.requestSpace();
  int32_t bad = space.firstOutOfRange(options->request);
  if (bad >= 0)
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    name + ": request parameter " + library.requestNames[bad] +
                        " = " + std::to_string(options->request[bad]) +
                        " is outside its range [" +
                        std::to_string(library.requestMin[bad]) + ", " +
                        std::to_string(library.requestMax[bad]) + "]");
  combination = space.indexOf(options->request);
  return SPATTN_OK;
}

std::vector<int64_t> parametersAt(const Variant &variant, int64_t length,
                                  int64_t combination) {
  std::vector<int64_t> params(variant.numParams);
  const LengthTable *tables = variant.params + combination * variant.numParams;
  for (int32_t p = 0; p < variant.numParams; ++p)
    params[p] = tables[p].at(length);
  return params;
}

namespace {

/// Rows [0, length) of head h of batch element b of a rank-4 float32 tensor,
/// `dim` floats each.
HeadRows headRows(const spattn_tensor &t, int64_t b, int64_t h, int64_t length,
                  int64_t dim) {
  return HeadRows{static_cast<const float *>(t.data) + rt::elementOffset(t, b, h, 0),
                  length, t.strides[2], dim};
}

/// Rows [0, length) of head h of batch element b of a rank-4 tensor in its
/// own dtype, `dim` elements each.
StoredRows storedRows(const spattn_tensor &t, int64_t b, int64_t h, int64_t length,
                      int64_t dim) {
  return StoredRows{rt::elementAddress(t, b, h, 0), t.dtype, length, t.strides[2], dim};
}

/// Head (b, h) of rank-4 tensor `t` as float32: `t` itself when it is
/// float32, else its rows widened into `rows` and a view of them that every
/// (batch element, head) reads (zero batch and head strides).
spattn_tensor headInFloat(const spattn_tensor &t, int64_t b, int64_t h,
                          std::vector<float> &rows) {
  if (t.dtype == SPATTN_F32)
    return t;
  const int64_t length = t.shape[2], dim = t.shape[3];
  const StoredRows stored = storedRows(t, b, h, length, dim);
  rows.resize(length * dim);
  for (int64_t r = 0; r < length; ++r)
    stored.floatRow(r, rows.data() + r * dim); // 16-bit: widened in place
  spattn_tensor view = spattn_contiguous(rows.data(), SPATTN_F32, 4, t.shape);
  view.strides[0] = view.strides[1] = 0;
  return view;
}

} // namespace

StageInputs stageInputs(const Library &library, const rt::CallShape &shape,
                        const spattn_tensor &q, const spattn_tensor &k,
                        const spattn_tensor *const *pageBounds, int64_t batch,
                        int64_t firstHead, int64_t numHeads) {
  const int64_t kvHead = shape.kvHeadOf(firstHead);
  StageInputs in;
  in.call = {shape.queryLength, shape.keyLength, library.causal,
             static_cast<float>(library.scale), firstHead};
  for (int64_t h = firstHead; h < firstHead + numHeads; ++h)
    in.q.push_back(headRows(q, batch, h, shape.queryLength, shape.headDim));
  in.k = storedRows(k, batch, kvHead, shape.keyLength, shape.headDim);
  in.pageBounds.resize(library.numStages);
  for (int32_t s = 0; s < library.numStages; ++s)
    if (pageBounds && pageBounds[s] && library.stageKinds[s] == StageKind::Pages)
      in.pageBounds[s] = storedRows(*pageBounds[s], batch, kvHead,
                                    pageBounds[s]->shape[2], 2 * shape.headDim);
  return in;
}

rt::TargetAccepts hostPageBounds(int32_t keyDtype) {
  return {"host", (1u << SPATTN_F32) | (1u << keyDtype), SPATTN_MEMORY_HOST};
}

int checkPageBounds(const Library &library, const rt::CallShape &shape, int32_t keyDtype,
                    const spattn_tensor *const *pageBounds) {
  if (!pageBounds)
    return SPATTN_OK;
  for (int32_t s = 0; s < library.numStages; ++s) {
    if (library.stageKinds[s] != StageKind::Pages || !pageBounds[s])
      continue;
    std::string what = "page_bounds[" + std::to_string(s) + "]";
    if (int status = rt::checkPageBounds(what.c_str(), pageBounds[s], shape,
                                         library.stagePageSizes[s],
                                         hostPageBounds(keyDtype), false))
      return status;
  }
  return SPATTN_OK;
}

int64_t pageSize(const Library &library, int32_t stage) {
  return stage >= 0 && stage < library.numStages ? library.stagePageSizes[stage]
                                                 : 0;
}

int updatePageBounds(const Library &library, const spattn_tensor *k,
                     int64_t firstKey, int32_t stage, spattn_tensor *bounds) {
  rt::clearError();
  // Page bounds are computed on the host from host K in its own width.
  static constexpr rt::TargetAccepts host = {
      "page bounds update",
      (1u << SPATTN_F32) | (1u << SPATTN_BF16) | (1u << SPATTN_F16),
      SPATTN_MEMORY_HOST};
  rt::CallShape shape;
  if (int status = rt::checkKey(library.shape(host), k, shape))
    return status;
  int64_t page = 0;
  if (int status = checkPageBoundsUpdate(library, shape, firstKey, stage, bounds,
                                         hostPageBounds(k->dtype), page))
    return status;
  for (int64_t b = 0; b < shape.batch; ++b)
    for (int64_t h = 0; h < shape.numKVHeads; ++h)
      host::updatePageBounds(
          storedRows(*k, b, h, shape.keyLength, shape.headDim), page, firstKey,
          {rt::elementAddress(*bounds, b, h, 0), bounds->dtype, bounds->strides[2]});
  return SPATTN_OK;
}

int checkPageBoundsUpdate(const Library &library, const rt::CallShape &shape,
                          int64_t firstKey, int32_t stage, const spattn_tensor *bounds,
                          const rt::TargetAccepts &writes, int64_t &page) {
  page = pageSize(library, stage);
  if (page == 0)
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    std::string(library.name) + ": stage " + std::to_string(stage) +
                        " is not a pages stage");
  if (firstKey < 0 || firstKey > shape.keyLength)
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    "first_key must be in [0, Lk = " +
                        std::to_string(shape.keyLength) + "], got " +
                        std::to_string(firstKey));
  return rt::checkPageBounds("bounds", bounds, shape, page, writes, true);
}

LibraryInfo::LibraryInfo(const Library &library, const TargetEntry *const *targets,
                         int32_t numTargets) {
  for (int32_t t = 0; t < numTargets; ++t) {
    names.push_back(targets[t]->accepts.target);
    dtypes.push_back(targets[t]->accepts.dtypes);
    memories.push_back(targets[t]->accepts.memory);
  }
  info.name = library.name;
  info.head_dim = library.headDim;
  info.num_q_heads = library.numQHeads;
  info.num_kv_heads = library.numKVHeads;
  info.causal = library.causal ? 1 : 0;
  info.scale = library.scale;
  info.num_buckets = library.numVariants;
  info.bucket_upper_bounds = library.upperBounds;
  info.num_targets = numTargets;
  info.target_names = names.data();
  info.target_dtypes = dtypes.data();
  info.target_memories = memories.data();
  info.num_request = library.numRequest;
  info.request_names = library.requestNames;
  info.request_min = library.requestMin;
  info.request_max = library.requestMax;
}

int budgets(const Library &library, int64_t length, const spattn_options *options,
            int64_t *values, int32_t capacity) {
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
  int64_t combination = 0;
  if (int status = requestCombination(library, options, combination))
    return status;
  const LengthTable *tables = library.budgets + combination * library.numBudgets;
  for (int32_t b = 0; b < library.numBudgets; ++b)
    values[b] = tables[b].at(length);
  return SPATTN_OK;
}

int selection(const Library &library, const rt::TargetAccepts &accepts,
              const spattn_tensor *q, const spattn_tensor *k, int64_t batch,
              int64_t head, int32_t stage, const spattn_options *options,
              spattn_selection *out) {
  rt::clearError();
  if (!out)
    return rt::fail(SPATTN_ERROR_NULL, "out is null");
  rt::CallShape shape;
  if (int status = rt::checkQueryKey(library.shape(accepts), q, k, shape))
    return status;
  if (int status = checkSelectionRequest(library, shape, batch, head, stage))
    return status;
  const Variant *variant = nullptr;
  if (int status = findVariant(library, shape.keyLength, variant))
    return status;
  int64_t combination = 0;
  if (int status = requestCombination(library, options, combination))
    return status;
  static thread_local std::vector<StageResult> results;
  results.clear();
  results.resize(library.numStages);
  std::vector<int64_t> params = parametersAt(*variant, shape.keyLength, combination);
  // 16-bit Q and K: the stages read the float32 values of the head's rows,
  // as a call on them does.
  std::vector<float> queryRows, keyRows;
  const spattn_tensor queries = headInFloat(*q, batch, head, queryRows);
  const spattn_tensor keys = headInFloat(*k, batch, shape.kvHeadOf(head), keyRows);
  variant->select(stageInputs(library, shape, queries, keys, nullptr, batch, head, 1),
                  params.data(), results.data());
  const StageResult &result = results[stage];
  StageKind kind = library.stageKinds[stage];
  if (!result.computed)
    return stageDoesNotServe(stage, kind, head);
  out->kind = publicSelectionKind(kind);
  out->first_group = result.selection.firstGroup;
  out->num_groups = result.selection.groups();
  out->offsets = result.selection.offsets.data();
  out->indices = result.selection.indices.data();
  return SPATTN_OK;
}

int checkSelectionRequest(const Library &library, const rt::CallShape &shape,
                          int64_t batch, int64_t head, int32_t stage) {
  if (batch < 0 || batch >= shape.batch || head < 0 || head >= shape.numQHeads)
    return rt::fail(SPATTN_ERROR_ARGUMENT, "no (batch " + std::to_string(batch) +
                                               ", head " + std::to_string(head) +
                                               ") in this call");
  if (stage < 0 || stage >= library.numStages)
    return rt::fail(SPATTN_ERROR_ARGUMENT,
                    std::string(library.name) + " has " +
                        std::to_string(library.numStages) +
                        " selection stages, no stage " + std::to_string(stage));
  return SPATTN_OK;
}

int stageDoesNotServe(int32_t stage, StageKind kind, int64_t head) {
  return rt::fail(SPATTN_ERROR_ARGUMENT, "stage " + std::to_string(stage) + " (" +
                                             stageKindName(kind) + ") does not serve head " +
                                             std::to_string(head));
}

spattn_selection_kind publicSelectionKind(StageKind kind) {
  return kind == StageKind::Pages           ? SPATTN_SELECTION_PAGES
         : kind == StageKind::VerticalSlash ? SPATTN_SELECTION_VERTICAL_SLASH
                                            : SPATTN_SELECTION_BLOCKS;
}

} // namespace spattn::abi
