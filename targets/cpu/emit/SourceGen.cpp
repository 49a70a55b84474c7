//===- SourceGen.cpp - The generated C++ of a CPU library -----------------===//
//
// Writes, from the lowered variants of one spec, the C++ that a library is
// made of: per variant its length tables, the selection stages each head
// runs, and for every schedule op a `rangesN` (key-tile ranges of a query
// tile) and a `keepN` (token predicate) function, translated mechanically
// from the affine maps and integer sets; then the variant and library tables
// and the C entry points. The driver (targets/cpu/support) does the rest.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/emit/CpuLibrary.h"
#include "targets/cpu/emit/LengthTables.h"

#include "dialects/SpAttn/Eval/SpAttnEvaluator.h"
#include "passes/Passes.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/IntegerSet.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

#include <cmath>

namespace mlir::spattn {

int64_t spanOf(VariantOp variant) {
  int64_t tileK = variant.getBlockK();
  int64_t longest = (variant.getHi() + tileK - 1) / tileK * tileK;
  return std::max(tileK, std::min<int64_t>(longest, std::max<int64_t>(512, tileK)));
}

std::vector<std::string> kernelNames(StringRef library, VariantOp variant) {
  std::string base = (library + "_b" + Twine(variant.getBucket())).str();
  std::vector<std::string> names = {base + "_full", base + "_masked"};
  if (hasFewRowKernels(variant))
    names.insert(names.end(), {base + "_full_few", base + "_masked_few"});
  return names;
}

bool hasFewRowKernels(VariantOp variant) {
  return variant.getBlockQ() > kFewRows;
}

namespace {

void writeArray(llvm::raw_ostream &os, StringRef name,
                ArrayRef<int64_t> values) {
  os << "static const int64_t " << name << "[] = {";
  if (values.empty())
    os << "0"; // C++ has no empty arrays; the length lives elsewhere
  for (auto [i, v] : llvm::enumerate(values))
    os << (i ? ", " : "") << v;
  os << "};\n";
}

/// Writes run-length tables named <prefix><k>Start/Value and the array
/// `tableName` of spattn::cpu::LengthTable over them.
void writeTables(llvm::raw_ostream &os, StringRef prefix, StringRef tableName,
                 ArrayRef<LengthRuns> runs) {
  for (auto [k, r] : llvm::enumerate(runs)) {
    writeArray(os, (prefix + Twine(k) + "Start").str(), r.start);
    writeArray(os, (prefix + Twine(k) + "Value").str(), r.value);
  }
  if (runs.empty()) {
    os << "static const spattn::cpu::LengthTable *const " << tableName
       << " = nullptr;\n";
    return;
  }
  os << "static const spattn::cpu::LengthTable " << tableName << "[] = {\n";
  for (auto [k, r] : llvm::enumerate(runs))
    os << "    {" << prefix << k << "Start, " << prefix << k << "Value, "
       << r.start.size() << "},\n";
  os << "};\n";
}

/// The kind name of a selection stage, as in the spec.
StringRef stageKind(Operation *select) {
  Operation *estimate = select->getOperand(0).getDefiningOp();
  if (isa<SelectMassOp>(select))
    return "mass";
  if (isa<SelectVerticalSlashOp>(select))
    return "vertical_slash";
  return llvm::TypeSwitch<Operation *, StringRef>(estimate)
      .Case([](EstimateHashOp) { return "random_blocks"; })
      .Case([](EstimatePageBoundsOp) { return "pages"; })
      .Default([](Operation *) { return "topk_blocks"; });
}

/// Emits one variant's namespace.
class VariantWriter {
public:
  VariantWriter(VariantOp variant, int64_t numQHeads, llvm::raw_ostream &os)
      : variant(variant), numQHeads(numQHeads), os(os) {}

  LogicalResult write() {
    collect();
    FailureOr<std::vector<LengthRuns>> runs = tabulate(
        variant.getBody().front(), params, variant.getLo(), variant.getHi());
    if (failed(runs))
      return failure();
    os << "namespace b" << variant.getBucket() << " {\n";
    writeTables(os, "param", "kParams", *runs);
    writeSelect();
    for (Operation &op : variant.getBody().front())
      if (op.getNumResults() == 1 && isa<BlocksType>(op.getResult(0).getType()))
        writeNode(&op);
    os << "static void keepRow(const spattn::cpu::HeadState &s, int64_t row, "
          "int64_t pos, int64_t key0, int64_t n, uint8_t *out) {\n"
          "  for (int64_t jj = 0; jj < n; ++jj)\n    out[jj] = keep"
       << id(rootOp()) << "(s, row, pos, key0 + jj);\n}\n";
    os << "} // namespace b" << variant.getBucket() << "\n\n";
    return success();
  }

  /// The variant's row of the library's variant table.
  void writeEntry(llvm::raw_ostream &os, StringRef library) {
    int64_t b = variant.getBucket();
    os << "    {" << variant.getLo() << ", " << variant.getHi() << ", "
       << variant.getBlockQ() << ", " << variant.getBlockK() << ", "
       << spanOf(variant) << ", &" << library << "_b" << b << "_full, &"
       << library << "_b" << b << "_masked, ";
    if (hasFewRowKernels(variant))
      os << kFewRows << ", &" << library << "_b" << b << "_full_few, &"
         << library << "_b" << b << "_masked_few, ";
    else
      os << "0, nullptr, nullptr, ";
    os << params.size() << ", b" << b << "::kParams, &b" << b
       << "::select, &b" << b << "::ranges" << id(rootOp()) << ", &b" << b
       << "::keepRow},\n";
  }

  /// Selection stage kinds, in stage order.
  std::vector<StringRef> stageKinds() const {
    std::vector<StringRef> kinds;
    for (Operation *op : stages)
      kinds.push_back(stageKind(op));
    return kinds;
  }

private:
  Operation *rootOp() { return variant.getResult().getDefiningOp(); }
  int id(Operation *op) { return ids.lookup(op); }

  /// Schedule parameters (non-constant index operands of schedule ops other
  /// than %L), selection stages, and node ids, in program order.
  void collect() {
    auto addParam = [&](Value v) {
      if (v != variant.getLength() && !matchPattern(v, m_Constant()) &&
          !paramIndex.count(v)) {
        paramIndex[v] = params.size();
        params.push_back(v);
      }
    };
    for (Operation &op : variant.getBody().front()) {
      bool schedule = op.getNumResults() == 1 &&
                      isa<BlocksType, ScoresType, SelectionType>(
                          op.getResult(0).getType());
      if (!schedule)
        continue;
      for (Value operand : op.getOperands())
        if (operand.getType().isIndex())
          addParam(operand);
      if (isa<SelectionType>(op.getResult(0).getType()))
        stages.push_back(&op);
      if (isa<BlocksType>(op.getResult(0).getType()))
        ids[&op] = ids.size();
    }
  }

  /// C++ for an index value: a literal, the call's L, or a parameter.
  std::string symbol(Value v, StringRef paramsExpr, StringRef lengthExpr) {
    APInt constant;
    if (matchPattern(v, m_ConstantInt(&constant)))
      return "int64_t(" + std::to_string(constant.getSExtValue()) + ")";
    if (v == variant.getLength())
      return lengthExpr.str();
    return (paramsExpr + "[" + Twine(paramIndex.lookup(v)) + "]").str();
  }

  std::string expr(AffineExpr e, ArrayRef<std::string> dims,
                   ArrayRef<std::string> symbols) {
    switch (e.getKind()) {
    case AffineExprKind::Constant:
      return "int64_t(" + std::to_string(cast<AffineConstantExpr>(e).getValue()) + ")";
    case AffineExprKind::DimId:
      return dims[cast<AffineDimExpr>(e).getPosition()];
    case AffineExprKind::SymbolId:
      return symbols[cast<AffineSymbolExpr>(e).getPosition()];
    default:
      break;
    }
    auto binary = cast<AffineBinaryOpExpr>(e);
    std::string lhs = expr(binary.getLHS(), dims, symbols);
    std::string rhs = expr(binary.getRHS(), dims, symbols);
    switch (e.getKind()) {
    case AffineExprKind::Add:
      return "(" + lhs + " + " + rhs + ")";
    case AffineExprKind::Mul:
      return "(" + lhs + " * " + rhs + ")";
    case AffineExprKind::Mod:
      return "spattn::cpu::modulo(" + lhs + ", " + rhs + ")";
    case AffineExprKind::FloorDiv:
      return "spattn::cpu::floorDiv(" + lhs + ", " + rhs + ")";
    case AffineExprKind::CeilDiv:
      return "spattn::cpu::ceilDiv(" + lhs + ", " + rhs + ")";
    default:
      llvm_unreachable("unknown affine expression kind");
    }
  }

  std::string condition(IntegerSet set, ArrayRef<std::string> dims,
                        ArrayRef<std::string> symbols) {
    std::string out;
    for (unsigned c = 0; c < set.getNumConstraints(); ++c)
      out += (c ? " && " : "") + expr(set.getConstraint(c), dims, symbols) +
             (set.isEq(c) ? " == 0" : " >= 0");
    return out.empty() ? "true" : out;
  }

  std::string bound(AffineMap map, bool lower, ArrayRef<std::string> symbols) {
    std::string list;
    for (AffineExpr e : map.getResults())
      list += (list.empty() ? "" : ", ") + expr(e, {"q"}, symbols);
    return std::string(lower ? "std::max" : "std::min") + "<int64_t>({" + list + "})";
  }

  void writeSelect() {
    os << "static void select(const spattn::cpu::StageInputs &in, const "
          "int64_t *params, int64_t head, spattn::cpu::StageResult *stages) {\n"
          "  (void)in; (void)params; (void)head; (void)stages;\n";
    for (auto [k, op] : llvm::enumerate(stages)) {
      std::vector<bool> heads = servedHeads(op);
      os << "  static const bool serves" << k << "[] = {";
      for (int64_t h = 0; h < numQHeads; ++h)
        os << (h ? ", " : "") << (heads[h] ? "true" : "false");
      os << "};\n  if (serves" << k << "[head]) {\n    stages[" << k
         << "].computed = true;\n    ";
      auto sym = [&](Value v) { return symbol(v, "params", "in.call.keyLength"); };
      std::string out = "stages[" + std::to_string(k) + "].selection";
      Operation *estimate = op->getOperand(0).getDefiningOp();
      llvm::TypeSwitch<Operation *>(op)
          .Case([&](SelectTopkOp o) {
            llvm::TypeSwitch<Operation *>(estimate)
                .Case([&](EstimatePooledOp e) {
                  os << "spattn::cpu::selectTopkBlocks(in.call, in.q, in.k, "
                     << e.getBlock() << ", " << sym(o.getCount()) << ", " << out << ");\n";
                })
                .Case([&](EstimateHashOp e) {
                  os << "spattn::cpu::selectRandomBlocks(in.call, " << e.getBlock()
                     << ", " << sym(o.getCount()) << ", uint64_t(" << e.getSeed()
                     << "), " << out << ");\n";
                })
                .Case([&](EstimatePageBoundsOp e) {
                  os << "spattn::cpu::selectPages(in.call, in.q, in.k, " << e.getPage()
                     << ", " << sym(o.getCount()) << ", " << out << ");\n";
                });
          })
          .Case([&](SelectMassOp o) {
            os << "spattn::cpu::selectMassBlocks(in.call, in.q, in.k, "
               << cast<EstimatePooledOp>(estimate).getBlock() << ", "
               << sym(o.getMaxBlocks()) << ", "
               << llvm::format("%.17g", o.getGamma().convertToDouble()) << ", "
               << out << ");\n";
          })
          .Case([&](SelectVerticalSlashOp o) {
            os << "spattn::cpu::selectVerticalSlash(in.call, in.q, in.k, "
               << sym(o.getVerticals()) << ", " << sym(o.getSlashes()) << ", "
               << sym(cast<EstimateLastQueriesOp>(estimate).getLastQueries())
               << ", " << out << ");\n    spattn::cpu::indexVerticalSlash(stages["
               << k << "], in.call.keyLength);\n";
          });
      os << "  }\n";
    }
    os << "}\n";
  }

  /// Query heads whose pattern reaches `select` (per_head routes heads).
  std::vector<bool> servedHeads(Operation *select) {
    std::vector<bool> heads(numQHeads, false);
    markHeads(rootOp(), 0, numQHeads, select, heads);
    return heads;
  }

  bool markHeads(Operation *op, int64_t lo, int64_t hi, Operation *select,
                 std::vector<bool> &heads) {
    if (auto selected = dyn_cast<BlocksSelectedOp>(op)) {
      if (selected.getSelection().getDefiningOp() != select)
        return false;
      for (int64_t h = lo; h < hi; ++h)
        heads[h] = true;
      return true;
    }
    if (auto perHead = dyn_cast<BlocksPerHeadOp>(op)) {
      ArrayRef<int64_t> starts = perHead.getHeads();
      bool found = false;
      for (size_t k = 0; k < starts.size(); ++k) {
        int64_t end = k + 1 < starts.size() ? starts[k + 1] : numQHeads;
        found |= markHeads(perHead.getInputs()[k].getDefiningOp(),
                           std::max(lo, starts[k]), std::min(hi, end), select,
                           heads);
      }
      return found;
    }
    bool found = false;
    for (Value input : op->getOperands())
      if (isa<BlocksType>(input.getType()))
        found |= markHeads(input.getDefiningOp(), lo, hi, select, heads);
    return found;
  }

  /// A layout's rows as CSR groups of kept columns.
  void writeLayout(BlocksLayoutOp layout, int n) {
    std::vector<int64_t> offsets = {0}, indices;
    for (StringRef row : layout.getLayout().getAsValueRange<StringAttr>()) {
      for (size_t c = 0; c < row.size(); ++c)
        if (row[c] == '1')
          indices.push_back(c);
      offsets.push_back(indices.size());
    }
    writeArray(os, "layoutOffsets" + std::to_string(n), offsets);
    writeArray(os, "layoutIndices" + std::to_string(n), indices);
  }

  int stageOf(Value selection) {
    for (auto [k, op] : llvm::enumerate(stages))
      if (op == selection.getDefiningOp())
        return k;
    llvm_unreachable("selection without a stage");
  }

  void writeNode(Operation *op) {
    int n = id(op);
    std::vector<std::string> symbols;
    for (Value operand : op->getOperands())
      if (operand.getType().isIndex())
        symbols.push_back(symbol(operand, "s.params", "s.geometry.keyLength"));
    if (auto layout = dyn_cast<BlocksLayoutOp>(op))
      writeLayout(layout, n);
    os << "static spattn::cpu::TileRanges ranges" << n
       << "(const spattn::cpu::HeadState &s, int64_t q) {\n  (void)s; (void)q;\n";
    std::string keep;
    llvm::TypeSwitch<Operation *>(op)
        .Case([&](BlocksAffineOp o) {
          if (auto when = o.getTouchWhen())
            os << "  if (!(" << condition(*when, {"q"}, symbols) << ")) return {};\n";
          os << "  std::vector<spattn::cpu::TileRange> r = {{"
             << bound(o.getTouchLower(), true, symbols) << ", "
             << bound(o.getTouchUpper(), false, symbols)
             << ", spattn::cpu::TileKind::Partial}};\n";
          if (o.getFullLowerAttr()) {
            std::string when = o.getFullWhen()
                                   ? condition(*o.getFullWhen(), {"q"}, symbols)
                                   : "true";
            os << "  if (" << when << ") r.push_back({"
               << bound(*o.getFullLower(), true, symbols) << ", "
               << bound(*o.getFullUpper(), false, symbols)
               << ", spattn::cpu::TileKind::Full});\n";
          }
          os << "  return spattn::sched::normalizeRanges(std::move(r));\n";
          keep = condition(o.getKeep(), {"pos", "j"}, symbols);
        })
        .Case([&](BlocksLayoutOp o) {
          std::string groups = "spattn::sched::IndexGroups{0, " +
                               std::to_string(o.getLayout().size()) +
                               ", layoutOffsets" + std::to_string(n) +
                               ", layoutIndices" + std::to_string(n) + "}";
          os << "  return spattn::sched::blockSelectionRanges(s.geometry, " << groups
             << ", " << o.getBlock() << ", q);\n";
          keep = "spattn::sched::blockSelectionKeeps(" + groups + ", " +
                 std::to_string(o.getBlock()) + ", pos, j)";
        })
        .Case([&](BlocksSelectedOp o) {
          int k = stageOf(o.getSelection());
          std::string stage = "s.stages[" + std::to_string(k) + "]";
          Operation *estimate =
              o.getSelection().getDefiningOp()->getOperand(0).getDefiningOp();
          if (auto pages = dyn_cast<EstimatePageBoundsOp>(estimate)) {
            os << "  return spattn::sched::pageSelectionRanges(s.geometry, " << stage
               << ".groups(), " << pages.getPage() << ", q);\n";
            keep = "spattn::sched::pageSelectionKeeps(" + stage + ".groups(), " +
                   std::to_string(pages.getPage()) + ", row, j)";
          } else if (isa<EstimateLastQueriesOp>(estimate)) {
            os << "  return spattn::sched::verticalSlashRanges(s.geometry, " << stage
               << ".columns, " << stage << ".offsets, q);\n";
            keep = stage + ".members->keeps(pos, j)";
          } else {
            int64_t block = isa<EstimateHashOp>(estimate)
                                ? cast<EstimateHashOp>(estimate).getBlock()
                                : cast<EstimatePooledOp>(estimate).getBlock();
            os << "  return spattn::sched::blockSelectionRanges(s.geometry, " << stage
               << ".groups(), " << block << ", q);\n";
            keep = "spattn::sched::blockSelectionKeeps(" + stage + ".groups(), " +
                   std::to_string(block) + ", pos, j)";
          }
        })
        .Case([&](BlocksPerHeadOp o) {
          ArrayRef<int64_t> starts = o.getHeads();
          for (size_t k = starts.size(); k-- > 0;) {
            int child = id(o.getInputs()[k].getDefiningOp());
            os << "  if (s.head >= " << starts[k] << ") return ranges" << child
               << "(s, q);\n";
            keep += "s.head >= " + std::to_string(starts[k]) + " ? keep" +
                    std::to_string(child) + "(s, row, pos, j) : ";
          }
          os << "  return {};\n";
          keep += "false";
        })
        .Default([&](Operation *combine) {
          bool unite = isa<BlocksUnionOp>(combine);
          std::string all;
          for (Value input : combine->getOperands()) {
            int child = id(input.getDefiningOp());
            std::string r = "ranges" + std::to_string(child) + "(s, q)";
            all = all.empty() ? r
                              : std::string(unite ? "spattn::sched::uniteRanges("
                                                  : "spattn::sched::intersectRanges(") +
                                    all + ", " + r + ")";
            keep += (keep.empty() ? "" : unite ? " || " : " && ") +
                    std::string("keep") + std::to_string(child) + "(s, row, pos, j)";
          }
          os << "  return " << all << ";\n";
        });
    os << "}\nstatic bool keep" << n
       << "(const spattn::cpu::HeadState &s, int64_t row, int64_t pos, int64_t j) "
          "{\n  (void)s; (void)row; (void)pos; (void)j;\n  return "
       << keep << ";\n}\n";
  }

  VariantOp variant;
  int64_t numQHeads;
  llvm::raw_ostream &os;
  std::vector<Value> params;
  llvm::DenseMap<Value, size_t> paramIndex;
  std::vector<Operation *> stages;
  llvm::DenseMap<Operation *, int> ids;
};

} // namespace

FailureOr<std::string> generateCpuLibrarySource(ModuleOp lowered, SpecOp spec) {
  SpecEvaluator evaluator(spec);
  const SpecConfig &config = evaluator.config();
  const std::string &name = config.name;
  SmallVector<VariantOp> variants = variantsOf(lowered, spec);
  std::string body, source;
  llvm::raw_string_ostream os(body);
  std::vector<StringRef> stageKinds;
  std::vector<std::unique_ptr<VariantWriter>> writers;
  for (VariantOp variant : variants) {
    writers.push_back(std::make_unique<VariantWriter>(variant, config.numQHeads, os));
    if (failed(writers.back()->write()))
      return failure();
    stageKinds = writers.back()->stageKinds();
  }

  llvm::raw_string_ostream out(source);
  out << "// Generated by spattn-compile --target=cpu from spec @" << name
      << ". Do not edit.\n"
      << "#include \"targets/cpu/support/Library.hpp\"\n"
      << "#include \"spattn/runtime_internal.hpp\"\n#include \"" << name
      << ".h\"\n\n#include <algorithm>\n#include <vector>\n\n";
  for (VariantOp variant : variants)
    for (const std::string &kernel : kernelNames(name, variant))
      out << "#include \"" << kernel << ".h\"\n";
  out << "\nnamespace {\n" << body;

  // Budgets over every length the library serves, for <name>_budgets.
  std::vector<Value> budgetValues;
  std::vector<std::string> labels;
  for (const BudgetSite &site : evaluator.budgets()) {
    budgetValues.push_back(site.value);
    labels.push_back(site.label);
  }
  FailureOr<std::vector<LengthRuns>> budgetRuns = tabulate(
      spec.getBody().front(), budgetValues, 1, config.buckets.back());
  if (failed(budgetRuns))
    return failure();
  writeTables(out, "budget", "kBudgets", *budgetRuns);
  out << "static const char *const kBudgetLabels[] = {";
  for (const std::string &label : labels)
    out << "\"" << label << "\", ";
  out << "nullptr};\nstatic const char *const kStageKinds[] = {";
  for (StringRef kind : stageKinds)
    out << "\"" << kind << "\", ";
  out << "nullptr};\nstatic const spattn::cpu::Variant kVariants[] = {\n";
  for (auto &writer : writers)
    writer->writeEntry(out, name);
  out << "};\n";
  writeArray(out, "kUpperBounds", config.buckets);
  double scale = config.problem(1, 1).effectiveScale();
  out << "const spattn::cpu::Library kLibrary = {\"" << name << "\", "
      << config.headDim << ", " << config.numQHeads << ", " << config.numKVHeads
      << ", " << (config.causal ? "true" : "false") << ", "
      << llvm::format("%.17g", scale) << ", " << variants.size()
      << ", kVariants, kUpperBounds, " << stageKinds.size() << ", kStageKinds, "
      << labels.size() << ", kBudgetLabels, kBudgets};\n} // namespace\n\n";

  out << "extern \"C\" {\n"
      << "int " << name << "_attention(const spattn_tensor *q, const spattn_tensor *k, "
         "const spattn_tensor *v, spattn_tensor *o, spattn_tensor *lse, "
         "const spattn_options *options) {\n  return spattn::cpu::attention("
         "kLibrary, q, k, v, o, lse, options);\n}\n"
      << "const char *" << name << "_last_error(void) { return spattn::rt::lastError(); }\n"
      << "int64_t " << name << "_max_length(void) { return " << config.buckets.back()
      << "; }\n"
      << "int32_t " << name << "_num_budgets(void) { return " << labels.size() << "; }\n"
      << "const char *" << name << "_budget_label(int32_t index) {\n  return index >= 0 "
         "&& index < " << labels.size() << " ? kBudgetLabels[index] : nullptr;\n}\n"
      << "int " << name << "_budgets(int64_t length, int64_t *values, int32_t capacity) "
         "{\n  return spattn::cpu::budgets(kLibrary, length, values, capacity);\n}\n"
      << "int32_t " << name << "_num_stages(void) { return " << stageKinds.size() << "; }\n"
      << "const char *" << name << "_stage_kind(int32_t stage) {\n  return stage >= 0 && "
         "stage < " << stageKinds.size() << " ? kStageKinds[stage] : nullptr;\n}\n"
      << "int " << name << "_selection(const spattn_tensor *q, const spattn_tensor *k, "
         "int64_t batch, int64_t head, int32_t stage, spattn_selection *out) {\n"
         "  return spattn::cpu::selection(kLibrary, q, k, batch, head, stage, out);\n}\n"
      << "} // extern \"C\"\n";
  return source;
}

} // namespace mlir::spattn
