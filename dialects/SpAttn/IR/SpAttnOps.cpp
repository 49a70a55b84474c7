//===- SpAttnOps.cpp - spattn op verifiers and folders --------------------===//
#include "dialects/SpAttn/IR/SpAttnOps.h"

#include "core/RequestSpace.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>
#include <optional>

using namespace mlir;
using namespace mlir::spattn;

#include "dialects/SpAttn/IR/SpAttnInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/SpAttn/IR/SpAttnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

static std::optional<int64_t> getConstantIndex(Value value) {
  APInt constant;
  if (matchPattern(value, m_ConstantInt(&constant)))
    return constant.getSExtValue();
  return std::nullopt;
}

static LogicalResult verifyBlockSize(Operation *op, int64_t size,
                                     StringRef what) {
  if (size <= 0 || !llvm::isPowerOf2_64(static_cast<uint64_t>(size)))
    return op->emitOpError()
           << what << " must be a positive power of two, got " << size;
  return success();
}

/// block_q and block_k: the tiles the kernels work on. Above kMaxTileSize a
/// kernel's views of Q, K and V would leave 32-bit indexing (runtime.h,
/// SPATTN_MAX_ROW_STRIDE) and its workspaces grow with the tile.
static LogicalResult verifyTileSize(Operation *op, int64_t size, StringRef what) {
  if (failed(verifyBlockSize(op, size, what)))
    return failure();
  if (size > kMaxTileSize)
    return op->emitOpError() << what << " must be at most " << kMaxTileSize
                             << ", got " << size;
  return success();
}

/// Unions and intersections of patterns (`what` = "patterns") and of
/// schedules (`what` = "schedules"): evaluators start from the first input.
static LogicalResult verifyAtLeastTwoInputs(Operation *op, StringRef what) {
  if (op->getNumOperands() < 2)
    return op->emitOpError() << "needs at least two input " << what << ", got "
                             << op->getNumOperands();
  return success();
}

/// per_head of patterns or of schedules: one head start per input, from 0,
/// strictly increasing (evaluators index the inputs by the head starts).
static LogicalResult verifyHeadStarts(Operation *op, ArrayRef<int64_t> heads,
                                      StringRef what) {
  if (heads.size() != op->getNumOperands())
    return op->emitOpError() << "has " << op->getNumOperands() << " input "
                             << what << " but " << heads.size() << " head starts";
  if (heads.empty() || heads.front() != 0)
    return op->emitOpError() << "head starts must begin at 0";
  for (size_t i = 1; i < heads.size(); ++i)
    if (heads[i] <= heads[i - 1])
      return op->emitOpError() << "head starts must be strictly increasing, but "
                               << heads[i] << " follows " << heads[i - 1];
  return success();
}

//===----------------------------------------------------------------------===//
// SpecOp
//===----------------------------------------------------------------------===//

Value SpecOp::getPattern() {
  auto yield = dyn_cast<YieldOp>(getBody().front().back());
  return yield ? yield.getPattern() : Value();
}

/// Names %L, then each request parameter by its declared name.
static void nameBodyArguments(Region &region, ArrayRef<RequestParameter> request,
                              OpAsmSetValueNameFn setNameFn) {
  if (region.empty() || region.front().getNumArguments() != 1 + request.size())
    return;
  setNameFn(region.front().getArgument(0), "L");
  for (auto [k, parameter] : llvm::enumerate(request))
    setNameFn(region.front().getArgument(1 + k), parameter.name);
}

void SpecOp::getAsmBlockArgumentNames(Region &region,
                                      OpAsmSetValueNameFn setNameFn) {
  nameBodyArguments(region, getRequestParameters(), setNameFn);
}

/// One `request` entry {name, min, max}; false for anything else.
static bool readRequestEntry(Attribute entry, StringAttr &name, IntegerAttr &lo,
                             IntegerAttr &hi) {
  auto dict = dyn_cast<DictionaryAttr>(entry);
  if (!dict || dict.size() != 3)
    return false;
  name = dict.getAs<StringAttr>("name");
  lo = dict.getAs<IntegerAttr>("min");
  hi = dict.getAs<IntegerAttr>("max");
  return name && lo && hi;
}

std::vector<RequestParameter> SpecOp::getRequestParameters() {
  std::vector<RequestParameter> parameters;
  if (ArrayAttr request = getRequestAttr())
    for (Attribute entry : request) {
      StringAttr name;
      IntegerAttr lo, hi;
      if (!readRequestEntry(entry, name, lo, hi))
        return {};
      parameters.push_back({name.str(), lo.getInt(), hi.getInt()});
    }
  return parameters;
}

bool mlir::spattn::isCIdentifier(StringRef name) {
  if (name.empty() || !(isalpha(name[0]) || name[0] == '_'))
    return false;
  return llvm::all_of(name, [](char c) { return isalnum(c) || c == '_'; });
}

/// `request`: a list of {name, min, max} with C-identifier names, distinct
/// and not "L", min <= max, and few enough combinations to tabulate.
static LogicalResult verifyRequest(SpecOp spec) {
  ArrayAttr request = spec.getRequestAttr();
  if (!request)
    return success();
  llvm::StringSet<> names;
  int64_t combinations = 1;
  for (Attribute entry : request) {
    StringAttr name;
    IntegerAttr lo, hi;
    if (!readRequestEntry(entry, name, lo, hi))
      return spec.emitOpError()
             << "request entries must be {name = \"...\", min = <int>, max = "
                "<int>}, got "
             << entry;
    if (!isCIdentifier(name.getValue()) || name.getValue() == "L")
      return spec.emitOpError() << "request parameter name \"" << name.getValue()
                                << "\" must be a C identifier other than L";
    if (!names.insert(name.getValue()).second)
      return spec.emitOpError() << "request parameter \"" << name.getValue()
                                << "\" is declared twice";
    if (lo.getInt() > hi.getInt())
      return spec.emitOpError() << "request parameter \"" << name.getValue()
                                << "\" has min " << lo.getInt() << " above max "
                                << hi.getInt();
    // Sizes checked one at a time so the product never overflows.
    uint64_t size = uint64_t(hi.getInt()) - uint64_t(lo.getInt()) + 1;
    if (size > uint64_t(::spattn::core::kMaxRequestCombinations) ||
        combinations * int64_t(size) > ::spattn::core::kMaxRequestCombinations)
      return spec.emitOpError()
             << "request parameters allow more than "
             << ::spattn::core::kMaxRequestCombinations
             << " combinations of values (a library tabulates its budgets "
                "per combination); narrow the ranges";
    combinations *= int64_t(size);
  }
  return success();
}

LogicalResult SpecOp::verify() {
  int64_t headDim = getHeadDimAttr().getInt();
  int64_t numQHeads = getNumQHeadsAttr().getInt();
  int64_t numKVHeads = getNumKvHeadsAttr().getInt();
  if (headDim <= 0 || headDim > kMaxHeadDim)
    return emitOpError() << "head_dim must be in [1, " << kMaxHeadDim
                         << "], got " << headDim;
  if (numQHeads <= 0 || numQHeads > kMaxHeads)
    return emitOpError() << "num_q_heads must be in [1, " << kMaxHeads
                         << "], got " << numQHeads;
  if (numKVHeads <= 0)
    return emitOpError() << "num_kv_heads must be positive, got "
                         << numKVHeads;
  if (numQHeads % numKVHeads != 0)
    return emitOpError() << "num_kv_heads (" << numKVHeads
                         << ") must divide num_q_heads (" << numQHeads << ")";
  Type dtype = getDtype();
  if (!dtype.isF32() && !dtype.isF16() && !dtype.isBF16())
    return emitOpError() << "dtype must be f32, f16 or bf16, got " << dtype;
  if (FloatAttr scaleAttr = getScaleAttr()) {
    double scale = scaleAttr.getValueAsDouble();
    if (!(scale > 0.0) || !std::isfinite(scale))
      return emitOpError() << "scale must be positive and finite, got "
                           << scale;
  }
  ArrayRef<int64_t> buckets = getBuckets();
  if (buckets.empty())
    return emitOpError() << "buckets must list at least one length";
  if (static_cast<int64_t>(buckets.size()) > kMaxBuckets)
    return emitOpError() << "has " << buckets.size() << " buckets; at most "
                         << kMaxBuckets << " are supported";
  if (buckets.front() <= 0)
    return emitOpError() << "bucket bounds must be positive, got "
                         << buckets.front();
  for (size_t i = 1; i < buckets.size(); ++i)
    if (buckets[i] <= buckets[i - 1])
      return emitOpError() << "buckets must be strictly increasing, but "
                           << buckets[i] << " follows " << buckets[i - 1];
  if (buckets.back() > kMaxKeyLength)
    return emitOpError() << "bucket bound " << buckets.back()
                         << " exceeds the longest supported key length "
                         << kMaxKeyLength;
  if (failed(verifyTileSize(*this, getBlockQAttr().getInt(), "block_q")) ||
      failed(verifyTileSize(*this, getBlockKAttr().getInt(), "block_k")))
    return failure();
  return verifyRequest(*this);
}

static bool isAllowedInSpecBody(Operation &op) {
  StringRef dialect = op.getDialect() ? op.getDialect()->getNamespace() : "";
  return dialect == "arith" || dialect == "math" || dialect == "spattn";
}

/// The checks a spec body and a variant body share: the arguments %L and
/// one per request parameter (`numRequest` of them; -1: any number), all
/// index, only arith / math / spattn ops, a final yield.
static LogicalResult verifyLengthBody(Operation *owner, Block &body,
                                      int64_t numRequest) {
  bool allIndex = llvm::all_of(body.getArgumentTypes(),
                               [](Type t) { return t.isIndex(); });
  if (body.getNumArguments() < 1 || !allIndex ||
      (numRequest >= 0 && int64_t(body.getNumArguments()) != 1 + numRequest))
    return owner->emitOpError()
           << "body must take the key length %L: index, then one index "
              "argument per request parameter ("
           << (numRequest < 0 ? 0 : numRequest) << " declared), got "
           << body.getNumArguments() << " arguments";
  if (body.empty() || !isa<YieldOp>(body.back()))
    return owner->emitOpError()
           << "body must end in spattn.yield of the pattern";
  for (Operation &op : body)
    if (!isAllowedInSpecBody(op))
      return op.emitOpError()
             << "is not allowed in a spec body: budgets must be computed "
                "from %L and constants with arith, math and spattn ops";
  return success();
}

LogicalResult SpecOp::verifyRegions() {
  if (failed(verifyLengthBody(*this, getBody().front(),
                              getRequest() ? getRequest()->size() : 0)))
    return failure();
  if (isa<BlocksType>(getPattern().getType()))
    return emitOpError() << "must yield a pattern, not a block schedule";
  int64_t patternOps = 0;
  for (Operation &op : getBody().front())
    if (op.getNumResults() == 1 && isa<PatternType>(op.getResult(0).getType()) &&
        ++patternOps > kMaxPatternOps)
      return op.emitOpError() << "is pattern op number " << patternOps
                              << " of the spec; at most " << kMaxPatternOps
                              << " are supported";
  int64_t numQHeads = getNumQHeadsAttr().getInt();
  WalkResult result = walk([&](PerHeadOp perHead) {
    if (perHead.getHeads().back() >= numQHeads) {
      perHead.emitOpError() << "head " << perHead.getHeads().back()
                            << " is out of range for num_q_heads = "
                            << numQHeads;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

//===----------------------------------------------------------------------===//
// YieldOp: `spattn.yield %p` yields a pattern, `: !spattn.blocks` a schedule
//===----------------------------------------------------------------------===//

ParseResult YieldOp::parse(OpAsmParser &parser, OperationState &result) {
  OpAsmParser::UnresolvedOperand operand;
  Type type = PatternType::get(parser.getContext());
  if (parser.parseOperand(operand) ||
      parser.parseOptionalAttrDict(result.attributes) ||
      (succeeded(parser.parseOptionalColon()) && parser.parseType(type)) ||
      parser.resolveOperand(operand, type, result.operands))
    return failure();
  return success();
}

void YieldOp::print(OpAsmPrinter &printer) {
  printer << ' ' << getPattern();
  printer.printOptionalAttrDict((*this)->getAttrs());
  if (!isa<PatternType>(getPattern().getType()))
    printer << " : " << getPattern().getType();
}

//===----------------------------------------------------------------------===//
// VariantOp
//===----------------------------------------------------------------------===//

Value VariantOp::getResult() {
  auto yield = dyn_cast<YieldOp>(getBody().front().back());
  return yield ? yield.getPattern() : Value();
}

void VariantOp::getAsmBlockArgumentNames(Region &region,
                                         OpAsmSetValueNameFn setNameFn) {
  std::vector<RequestParameter> request;
  if (auto spec = SymbolTable::lookupNearestSymbolFrom<SpecOp>(*this, getSpecAttr()))
    request = spec.getRequestParameters();
  nameBodyArguments(region, request, setNameFn);
}

LogicalResult VariantOp::verify() {
  // The attributes' signed values: getLo()/getHi() are unsigned, so a
  // negative bound would pass `lo >= 1` and print as a huge number.
  int64_t lo = getLoAttr().getInt(), hi = getHiAttr().getInt();
  if (lo < 1 || hi < lo || hi > kMaxKeyLength)
    return emitOpError() << "needs 1 <= lo <= hi <= " << kMaxKeyLength
                         << ", got [" << lo << ", " << hi << "]";
  if (getStrategy() != "dense" && getStrategy() != "sparse")
    return emitOpError() << "strategy must be \"dense\" or \"sparse\", got \""
                         << getStrategy() << "\"";
  size_t count = getBudgetLabels().size();
  if (getBudgetMin().size() != count || getBudgetMax().size() != count)
    return emitOpError() << "needs one budget_min and budget_max per label";
  for (size_t b = 0; b < count; ++b)
    if (getBudgetMin()[b] > getBudgetMax()[b])
      return emitOpError() << "budget " << b << " has min above max";
  if (failed(verifyTileSize(*this, getBlockQ(), "block_q")) ||
      failed(verifyTileSize(*this, getBlockK(), "block_k")))
    return failure();
  return success();
}

LogicalResult VariantOp::verifyRegions() {
  return verifyLengthBody(*this, getBody().front(), -1);
}

//===----------------------------------------------------------------------===//
// Block schedules
//===----------------------------------------------------------------------===//

/// An upper bound of |expr| over dimensions up to kMaxKeyLength and symbols
/// up to kMaxParameterValue, in double so that it cannot overflow itself.
static double magnitudeBound(AffineExpr expr) {
  if (auto constant = dyn_cast<AffineConstantExpr>(expr))
    return std::fabs(static_cast<double>(constant.getValue()));
  if (isa<AffineDimExpr>(expr))
    return kMaxKeyLength;
  if (isa<AffineSymbolExpr>(expr))
    return kMaxParameterValue;
  auto binary = cast<AffineBinaryOpExpr>(expr);
  double lhs = magnitudeBound(binary.getLHS()), rhs = magnitudeBound(binary.getRHS());
  switch (expr.getKind()) {
  case AffineExprKind::Add: return lhs + rhs;
  case AffineExprKind::Mul: return lhs * rhs;
  case AffineExprKind::Mod: return std::min(lhs, rhs);
  default: return lhs + 1; // floordiv, ceildiv
  }
}

/// Fails at `op` when a subexpression of `exprs` could leave int64.
static LogicalResult verifyAffineMagnitudes(Operation *op, ArrayRef<AffineExpr> exprs,
                                            StringRef name) {
  for (AffineExpr root : exprs) {
    bool tooLarge = false;
    root.walk([&](AffineExpr e) { tooLarge |= magnitudeBound(e) > kMaxAffineMagnitude; });
    if (!tooLarge)
      continue;
    std::string text;
    llvm::raw_string_ostream os(text);
    root.print(os);
    return op->emitOpError() << name << ": " << text
                             << " may exceed 2^62 in magnitude for tiles and "
                                  "tokens up to 2^20 and symbols up to 2^31-1";
  }
  return success();
}

LogicalResult BlocksAffineOp::verify() {
  unsigned symbols = getSymbols().size();
  auto checkMap = [&](AffineMap map, StringRef name) -> LogicalResult {
    if (map && (map.getNumDims() != 1 || map.getNumSymbols() != symbols ||
                map.getNumResults() == 0))
      return emitOpError() << name
                           << " must map (query tile)[symbols] to at least "
                              "one bound with "
                           << symbols << " symbols";
    return success();
  };
  auto checkSet = [&](std::optional<IntegerSet> set, unsigned dims,
                      StringRef name) -> LogicalResult {
    if (set && (set->getNumDims() != dims || set->getNumSymbols() != symbols))
      return emitOpError() << name << " must have " << dims
                           << " dimensions and " << symbols << " symbols";
    return success();
  };
  if (failed(checkMap(getTouchLower(), "touch_lower")) ||
      failed(checkMap(getTouchUpper(), "touch_upper")) ||
      failed(checkMap(getFullLowerAttr() ? *getFullLower() : AffineMap(),
                      "full_lower")) ||
      failed(checkMap(getFullUpperAttr() ? *getFullUpper() : AffineMap(),
                      "full_upper")) ||
      failed(checkSet(getTouchWhen(), 1, "touch_when")) ||
      failed(checkSet(getFullWhen(), 1, "full_when")) ||
      failed(checkSet(getKeep(), 2, "keep")))
    return failure();
  if (!getFullLowerAttr() != !getFullUpperAttr())
    return emitOpError() << "full_lower and full_upper come together";
  auto mapResults = [](std::optional<AffineMap> map) {
    return map && *map ? map->getResults() : ArrayRef<AffineExpr>();
  };
  auto constraints = [](std::optional<IntegerSet> set) {
    return set ? set->getConstraints() : ArrayRef<AffineExpr>();
  };
  for (auto [exprs, name] :
       {std::pair{mapResults(getTouchLower()), "touch_lower"},
        {mapResults(getTouchUpper()), "touch_upper"},
        {mapResults(getFullLowerAttr() ? getFullLower() : std::nullopt), "full_lower"},
        {mapResults(getFullUpperAttr() ? getFullUpper() : std::nullopt), "full_upper"},
        {constraints(getTouchWhen()), "touch_when"},
        {constraints(getFullWhen()), "full_when"},
        {constraints(getKeep()), "keep"}})
    if (failed(verifyAffineMagnitudes(*this, exprs, name)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Pattern parameters
//===----------------------------------------------------------------------===//

SmallVector<PatternParameter> mlir::spattn::getPatternParameters(Operation *op) {
  if (auto pattern = dyn_cast<PatternOpInterface>(op))
    return pattern.getPatternParameters();
  return {};
}

using Parameters = SmallVector<PatternParameter>;
Parameters WindowOp::getPatternParameters() { return {{getSize(), "size", 0}}; }
Parameters SinkOp::getPatternParameters() { return {{getCount(), "count", 0}}; }
Parameters GlobalQueriesOp::getPatternParameters() {
  return {{getCount(), "count", 0}};
}
Parameters StridedOp::getPatternParameters() { return {{getStride(), "stride", 1}}; }
Parameters DilatedWindowOp::getPatternParameters() {
  return {{getSize(), "size", 0}, {getDilation(), "dilation", 1}};
}
Parameters BlockLayoutOp::getPatternParameters() { return {}; }
Parameters RandomBlocksOp::getPatternParameters() {
  return {{getCount(), "count", 0}};
}
Parameters TopkBlocksOp::getPatternParameters() { return {{getCount(), "count", 0}}; }
Parameters VerticalSlashOp::getPatternParameters() {
  return {{getVerticals(), "verticals", 0},
          {getSlashes(), "slashes", 0},
          {getLastQueries(), "last_queries", 1}};
}
Parameters MassOp::getPatternParameters() {
  return {{getMaxBlocks(), "max_blocks", 0}};
}
Parameters PagesOp::getPatternParameters() { return {{getCount(), "count", 0}}; }
Parameters UnionOp::getPatternParameters() { return {}; }
Parameters IntersectOp::getPatternParameters() { return {}; }
Parameters PerHeadOp::getPatternParameters() { return {}; }

/// A budget may be any function of %L; when it is a constant, reject a value
/// below its minimum here rather than at the first call that hits it. Zero
/// sizes are valid: a budget of 0 keeps nothing.
LogicalResult mlir::spattn::verifyPatternParameters(Operation *op) {
  for (const PatternParameter &parameter : getPatternParameters(op)) {
    std::optional<int64_t> constant = getConstantIndex(parameter.value);
    if (constant && *constant < parameter.minimum)
      return op->emitOpError()
             << parameter.name << " must be "
             << (parameter.minimum == 0 ? "non-negative" : "positive")
             << ", got " << *constant;
  }
  return success();
}

void mlir::spattn::layoutRowsAsGroups(ArrayAttr layout, std::vector<int64_t> &offsets,
                                      std::vector<int64_t> &indices) {
  offsets.assign(1, 0);
  indices.clear();
  for (StringRef row : layout.getAsValueRange<StringAttr>()) {
    for (size_t c = 0; c < row.size(); ++c)
      if (row[c] == '1')
        indices.push_back(c);
    offsets.push_back(indices.size());
  }
}

//===----------------------------------------------------------------------===//
// Pattern primitives
//===----------------------------------------------------------------------===//

LogicalResult BlockLayoutOp::verify() {
  if (failed(verifyBlockSize(*this, getBlockAttr().getInt(), "block size")))
    return failure();
  ArrayAttr rows = getLayout();
  if (rows.empty())
    return emitOpError() << "layout must have at least one row";
  size_t width = cast<StringAttr>(rows[0]).size();
  for (auto [index, row] : llvm::enumerate(rows.getAsValueRange<StringAttr>())) {
    if (row.empty() || row.size() != width)
      return emitOpError() << "layout row " << index << " has " << row.size()
                           << " blocks, expected " << width
                           << " (rows must be equal and non-empty)";
    if (row.find_first_not_of("01") != StringRef::npos)
      return emitOpError() << "layout row " << index
                           << " may only contain '0' and '1', got \"" << row
                           << "\"";
  }
  return success();
}

LogicalResult RandomBlocksOp::verify() {
  if (failed(verifyBlockSize(*this, getBlockAttr().getInt(), "block size")))
    return failure();
  if (getSeedAttr().getInt() < 0)
    return emitOpError() << "seed must be non-negative, got "
                         << getSeedAttr().getInt();
  return success();
}

LogicalResult TopkBlocksOp::verify() {
  return verifyBlockSize(*this, getBlockAttr().getInt(), "block size");
}

LogicalResult MassOp::verify() {
  if (failed(verifyBlockSize(*this, getBlockAttr().getInt(), "block size")))
    return failure();
  double gamma = getGamma().convertToDouble();
  if (!(gamma > 0.0 && gamma <= 1.0))
    return emitOpError() << "gamma must be in (0, 1], got " << gamma;
  return success();
}

LogicalResult PagesOp::verify() {
  return verifyBlockSize(*this, getPageAttr().getInt(), "page size");
}

LogicalResult UnionOp::verify() {
  return verifyAtLeastTwoInputs(*this, "patterns");
}

LogicalResult IntersectOp::verify() {
  return verifyAtLeastTwoInputs(*this, "patterns");
}

LogicalResult PerHeadOp::verify() {
  return verifyHeadStarts(*this, getHeads(), "patterns");
}

LogicalResult BlocksUnionOp::verify() {
  return verifyAtLeastTwoInputs(*this, "schedules");
}

LogicalResult BlocksIntersectOp::verify() {
  return verifyAtLeastTwoInputs(*this, "schedules");
}

LogicalResult BlocksPerHeadOp::verify() {
  return verifyHeadStarts(*this, getHeads(), "schedules");
}

//===----------------------------------------------------------------------===//
// Budget helpers
//===----------------------------------------------------------------------===//

/// The folded result of a budget helper on a constant input, or null when the
/// input is unknown, negative (unless `allowNegative`) or the result
/// overflows.
template <typename Fn>
static OpFoldResult foldBudget(Attribute input, MLIRContext *ctx, Fn &&fn,
                               bool allowNegative = false) {
  auto constant = dyn_cast_if_present<IntegerAttr>(input);
  if (!constant || (constant.getValue().isNegative() && !allowNegative))
    return {};
  std::optional<int64_t> result = fn(constant.getValue().getSExtValue());
  if (!result)
    return {};
  return IntegerAttr::get(IndexType::get(ctx), *result);
}

/// floor(value) as an index, if it is representable.
static std::optional<int64_t> floorToIndex(double value) {
  if (!std::isfinite(value) || value < 0.0 || value >= 0x1p62)
    return std::nullopt;
  return static_cast<int64_t>(std::floor(value));
}

LogicalResult BudgetPowerOp::verify() {
  double coeff = getCoeff().convertToDouble();
  double exponent = getExponent().convertToDouble();
  if (!(coeff > 0.0) || !std::isfinite(coeff))
    return emitOpError() << "coeff must be positive and finite, got " << coeff;
  if (!(exponent >= 0.0) || !std::isfinite(exponent))
    return emitOpError() << "exponent must be non-negative and finite, got "
                         << exponent;
  return success();
}

OpFoldResult BudgetPowerOp::fold(FoldAdaptor adaptor) {
  double coeff = getCoeff().convertToDouble();
  double exponent = getExponent().convertToDouble();
  return foldBudget(adaptor.getInput(), getContext(), [&](int64_t x) {
    return floorToIndex(x == 0 ? 0.0
                               : coeff * std::pow(static_cast<double>(x),
                                                  exponent));
  });
}

LogicalResult BudgetFractionOp::verify() {
  double fraction = getFraction().convertToDouble();
  if (!(fraction > 0.0 && fraction <= 1.0))
    return emitOpError() << "fraction must be in (0, 1], got " << fraction;
  return success();
}

OpFoldResult BudgetFractionOp::fold(FoldAdaptor adaptor) {
  double fraction = getFraction().convertToDouble();
  return foldBudget(adaptor.getInput(), getContext(), [&](int64_t x) {
    return floorToIndex(fraction * static_cast<double>(x));
  });
}

LogicalResult BudgetClampOp::verify() {
  int64_t lo = getMinAttr().getInt(), hi = getMaxAttr().getInt();
  if (lo < 0)
    return emitOpError() << "min must be non-negative, got " << lo;
  if (hi < lo)
    return emitOpError() << "max (" << hi << ") must not be below min (" << lo
                         << ")";
  return success();
}

OpFoldResult BudgetClampOp::fold(FoldAdaptor adaptor) {
  int64_t lo = getMinAttr().getInt(), hi = getMaxAttr().getInt();
  // Clamping is how a spec turns "L minus something" into a budget, so a
  // negative input is valid here.
  return foldBudget(
      adaptor.getInput(), getContext(),
      [&](int64_t x) -> std::optional<int64_t> {
        return std::min(std::max(x, lo), hi);
      },
      /*allowNegative=*/true);
}

LogicalResult BudgetAlignOp::verify() {
  return verifyBlockSize(*this, getMultipleAttr().getInt(), "multiple");
}

OpFoldResult BudgetAlignOp::fold(FoldAdaptor adaptor) {
  int64_t multiple = getMultipleAttr().getInt();
  return foldBudget(adaptor.getInput(), getContext(),
                    [&](int64_t x) -> std::optional<int64_t> {
                      if (x > std::numeric_limits<int64_t>::max() - multiple)
                        return std::nullopt;
                      return llvm::alignTo(x, multiple);
                    });
}
