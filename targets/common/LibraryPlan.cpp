//===- LibraryPlan.cpp - What a compiled library contains -----------------===//
#include "targets/common/LibraryPlan.h"

#include "dialects/SpAttn/Eval/SpecEvaluator.h"
#include "passes/Passes.h"

#include "mlir/IR/Matchers.h"

#include "spattn/runtime.h"

namespace mlir::spattn::plan {

namespace {

/// Keys a kernel call takes at least (fewer when the bucket is shorter):
/// enough to amortize a call's fixed costs.
constexpr int64_t kShortestSpan = 512;

// The runtime's index range (runtime.h) matches what the verifier lets a
// spec ask for: its longest length, and kernel views (spans of up to
// max(kShortestSpan, tileK) keys, tileQ rows) within Halide's 32-bit offsets.
static_assert(kMaxKeyLength == SPATTN_MAX_LENGTH);
static_assert(std::max(kShortestSpan, kMaxTileSize) * SPATTN_MAX_ROW_STRIDE <=
              INT32_MAX);

/// Reads one lowered variant into a plan variant.
class VariantReader {
public:
  VariantReader(VariantOp op, int64_t numQHeads,
                ArrayRef<std::vector<int64_t>> requests, Variant &out)
      : op(op), numQHeads(numQHeads), requests(requests), out(out) {}

  LogicalResult read(StringRef library, int64_t headDim) {
    out.bucket = op.getBucket();
    out.lo = op.getLo();
    out.hi = op.getHi();
    out.tileQ = op.getBlockQ();
    out.tileK = op.getBlockK();
    out.denseStrategy = op.getStrategy() == "dense";
    collectParameters();
    FailureOr<std::vector<LengthRuns>> runs =
        tabulate(op.getBody().front(), params, out.lo, out.hi, requests);
    if (failed(runs))
      return failure();
    out.parameters = std::move(*runs);
    for (Operation &o : op.getBody().front()) {
      if (o.getNumResults() != 1)
        continue;
      Type type = o.getResult(0).getType();
      if (isa<SelectionType>(type))
        readStage(&o);
      else if (isa<BlocksType>(type))
        readNode(&o);
    }
    out.root = nodeIds.lookup(op.getResult().getDefiningOp());
    chooseKernels(library, headDim);
    return success();
  }

private:
  /// Schedule parameters: non-constant index operands of schedule ops other
  /// than %L, in program order.
  void collectParameters() {
    for (Operation &o : op.getBody().front()) {
      bool schedule = o.getNumResults() == 1 &&
                      isa<BlocksType, ScoresType, SelectionType>(o.getResult(0).getType());
      if (!schedule)
        continue;
      for (Value operand : o.getOperands())
        if (operand.getType().isIndex() && operand != op.getLength() &&
            !matchPattern(operand, m_Constant()) && !paramIndex.count(operand)) {
          paramIndex[operand] = params.size();
          params.push_back(operand);
        }
    }
  }

  IndexOperand operand(Value v) {
    APInt constant;
    if (matchPattern(v, m_ConstantInt(&constant)))
      return {IndexOperand::Kind::Constant, constant.getSExtValue()};
    if (v == op.getLength())
      return {IndexOperand::Kind::Length, 0};
    return {IndexOperand::Kind::Parameter, static_cast<int64_t>(paramIndex.lookup(v))};
  }

  /// A selection stage, through SelectionOpInterface.
  void readStage(Operation *select) {
    SelectionNode info = cast<SelectionOpInterface>(select).describeSelection();
    Stage stage;
    stage.kind = info.kind;
    stage.block = info.block;
    stage.seed = info.seed;
    stage.gamma = info.gamma;
    for (Value count : info.counts)
      stage.counts.push_back(operand(count));
    stage.capacities.assign(info.capacities.begin(), info.capacities.end());
    stage.servesHead.assign(numQHeads, false);
    markHeads(op.getResult().getDefiningOp(), 0, numQHeads, select, stage.servesHead);
    stageIds[select] = out.stages.size();
    out.stages.push_back(std::move(stage));
  }

  /// Marks the query heads whose pattern reaches `select` (per_head routes
  /// heads); returns whether any does.
  bool markHeads(Operation *node, int64_t lo, int64_t hi, Operation *select,
                 std::vector<bool> &heads) {
    if (auto selected = dyn_cast<BlocksSelectedOp>(node)) {
      if (selected.getSelection().getDefiningOp() != select)
        return false;
      for (int64_t h = lo; h < hi; ++h)
        heads[h] = true;
      return true;
    }
    if (auto perHead = dyn_cast<BlocksPerHeadOp>(node)) {
      ArrayRef<int64_t> starts = perHead.getHeads();
      bool found = false;
      for (size_t k = 0; k < starts.size(); ++k) {
        int64_t end = k + 1 < starts.size() ? starts[k + 1] : numQHeads;
        found |= markHeads(perHead.getInputs()[k].getDefiningOp(),
                           std::max(lo, starts[k]), std::min(hi, end), select, heads);
      }
      return found;
    }
    bool found = false;
    for (Value input : node->getOperands())
      if (isa<BlocksType>(input.getType()))
        found |= markHeads(input.getDefiningOp(), lo, hi, select, heads);
    return found;
  }

  /// A schedule op, through ScheduleOpInterface: its values become
  /// operands, node ids and stage ids.
  void readNode(Operation *o) {
    BlocksNode info = cast<ScheduleOpInterface>(o).describe();
    ScheduleNode node;
    node.kind = info.kind;
    for (Value s : info.symbols)
      node.symbols.push_back(operand(s));
    node.touchLower = info.touchLower;
    node.touchUpper = info.touchUpper;
    node.fullLower = info.fullLower;
    node.fullUpper = info.fullUpper;
    node.touchWhen = info.touchWhen;
    node.fullWhen = info.fullWhen;
    node.keep = info.keep;
    node.block = info.block;
    node.layoutOffsets = std::move(info.layoutOffsets);
    node.layoutIndices = std::move(info.layoutIndices);
    if (info.selection) {
      node.stage = stageIds.lookup(info.selection);
      node.block = out.stages[node.stage].block;
    }
    for (Value input : info.inputs)
      node.children.push_back(nodeIds.lookup(input.getDefiningOp()));
    node.headStarts = std::move(info.headStarts);
    node.program = std::move(info.program.code);
    node.programResult = info.program.result;
    nodeIds[o] = out.nodes.size();
    out.nodes.push_back(std::move(node));
  }

  void chooseKernels(StringRef library, int64_t headDim) {
    int64_t longest = (out.hi + out.tileK - 1) / out.tileK * out.tileK;
    out.span = std::max(out.tileK,
                        std::min<int64_t>(longest, std::max(kShortestSpan, out.tileK)));
    out.fewRows = out.tileQ > kFewRows ? kFewRows : 0;
    std::string base = (library + "_b" + Twine(out.bucket)).str();
    for (bool few : {false, true}) {
      if (few && !out.fewRows)
        continue;
      for (bool masked : {false, true})
        out.kernels.push_back({base + (masked ? "_masked" : "_full") + (few ? "_few" : ""),
                               headDim, few ? out.fewRows : out.tileQ, out.span,
                               masked, few});
    }
  }

  VariantOp op;
  int64_t numQHeads;
  ArrayRef<std::vector<int64_t>> requests;
  Variant &out;
  std::vector<Value> params;
  llvm::DenseMap<Value, size_t> paramIndex;
  llvm::DenseMap<Operation *, int> stageIds, nodeIds;
};

} // namespace

FailureOr<Library> buildLibraryPlan(ModuleOp lowered, SpecOp spec) {
  SpecEvaluator evaluator(spec);
  const SpecConfig &config = evaluator.config();
  if (!isCIdentifier(config.name))
    return spec.emitError() << "a library needs a spec name that is a C "
                               "identifier, got @" << config.name;
  Library library;
  library.name = config.name;
  library.headDim = config.headDim;
  library.numQHeads = config.numQHeads;
  library.numKVHeads = config.numKVHeads;
  library.causal = config.causal;
  library.scale = config.problem(1, 1).effectiveScale();
  library.dtype = config.dtype;
  library.upperBounds = config.buckets;

  library.requestNames = config.requestNames;
  library.requestMin = config.requestMin;
  library.requestMax = config.requestMax;
  std::vector<std::vector<int64_t>> requests = config.requestCombinations();

  std::vector<Value> budgetValues;
  for (const BudgetSite &site : evaluator.budgets()) {
    budgetValues.push_back(site.value);
    library.budgetLabels.push_back(site.label);
  }
  FailureOr<std::vector<LengthRuns>> budgetRuns = tabulate(
      spec.getBody().front(), budgetValues, 1, config.buckets.back(), requests);
  if (failed(budgetRuns))
    return failure();
  library.budgets = std::move(*budgetRuns);

  for (VariantOp op : variantsOf(lowered, spec)) {
    library.variants.emplace_back();
    if (failed(VariantReader(op, config.numQHeads, requests,
                             library.variants.back())
                   .read(config.name, config.headDim)))
      return failure();
  }
  // Every variant lowers the same pattern, so the stages agree in kind.
  for (const Stage &stage : library.variants.front().stages)
    library.stageKinds.push_back(stage.kind);
  return library;
}

} // namespace mlir::spattn::plan
