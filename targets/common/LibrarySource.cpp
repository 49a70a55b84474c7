//===- LibrarySource.cpp - The target-independent source of a library -----===//
#include "targets/common/LibrarySource.h"

#include "targets/common/KeyCandidates.h"
#include "targets/common/ResidueSplit.h"

#include "dialects/SpAttn/IR/SpAttnAffine.h"

#include "llvm/Support/Format.h"

namespace mlir::spattn {

using plan::IndexOperand;
using plan::ScheduleNode;
using plan::StageKind;

void writeInt64Array(llvm::raw_ostream &os, StringRef name,
                     ArrayRef<int64_t> values) {
  os << "static const int64_t " << name << "[] = {";
  if (values.empty())
    os << "0";
  for (auto [i, v] : llvm::enumerate(values))
    os << (i ? ", " : "") << v;
  os << "};\n";
}

std::string targetEntrySymbol(const plan::Library &library, StringRef target) {
  return ("spattn_" + library.name + "_target_" + target).str();
}

std::string spellIndexOperand(const IndexOperand &operand, StringRef params, StringRef length) {
  switch (operand.kind) {
  case IndexOperand::Kind::Constant:
    return "int64_t(" + std::to_string(operand.value) + ")";
  case IndexOperand::Kind::Length:
    return length.str();
  case IndexOperand::Kind::Parameter:
    return (params + "[" + Twine(operand.value) + "]").str();
  }
  llvm_unreachable("unknown operand kind");
}

std::string tokenProgramSource(const plan::ScheduleNode &node,
                               ArrayRef<std::string> symbols, StringRef head,
                               StringRef position, StringRef key, StringRef length) {
  using ::spattn::core::TokenOp;
  std::string body;
  llvm::raw_string_ostream out(body);
  out << "  const int64_t r0 = " << head << ", r1 = " << position << ", r2 = " << key
      << ", r3 = " << length << ";\n  (void)r0; (void)r1; (void)r2; (void)r3;\n";
  int32_t next = ::spattn::core::kTokenFirstArgument;
  for (const std::string &symbol : symbols)
    out << "  const int64_t r" << next++ << " = " << symbol << ";\n";
  for (const ::spattn::core::TokenInstruction &in : node.program) {
    bool select = in.op == TokenOp::Select, constant = in.op == TokenOp::Constant;
    auto reg = [&](int32_t r, bool used) {
      return used ? "r" + std::to_string(r) : std::string("0");
    };
    out << "  const int64_t r" << next++ << " = spattn::core::evalToken("
        << "spattn::core::TokenOp(" << static_cast<int>(in.op)
        << "), spattn::core::TokenCompare(" << static_cast<int>(in.compare) << "), "
        << reg(in.a, !constant) << ", " << reg(in.b, !constant) << ", "
        << reg(in.c, select) << ", int64_t(" << static_cast<uint64_t>(in.imm)
        << "ull));\n";
  }
  out << "  return (r" << node.programResult << " & 1) != 0;\n";
  return body;
}

std::string librarySymbol(const plan::Library &library) {
  return "spattn_" + library.name + "_library";
}

std::string variantTableSymbol(const plan::Library &library) {
  return "spattn_" + library.name + "_variants";
}

bool hasPagesStage(const plan::Library &library) {
  return llvm::is_contained(library.stageKinds, StageKind::Pages);
}

namespace {

/// Per stage of `library`: the page size of a pages stage, else 0 (the
/// same in every variant: pages take a static page).
std::vector<int64_t> stagePageSizes(const plan::Library &library) {
  std::vector<int64_t> sizes;
  for (const plan::Stage &stage : library.variants.front().stages)
    sizes.push_back(stage.kind == StageKind::Pages ? stage.block : 0);
  return sizes;
}

/// Writes run-length tables named <prefix><k>Start/Value and the array
/// `tableName` of spattn::abi::LengthTable over them.
void writeTables(llvm::raw_ostream &os, StringRef prefix, StringRef tableName,
                 ArrayRef<LengthRuns> runs) {
  for (auto [k, r] : llvm::enumerate(runs)) {
    writeInt64Array(os, (prefix + Twine(k) + "Start").str(), r.start);
    writeInt64Array(os, (prefix + Twine(k) + "Value").str(), r.value);
  }
  if (runs.empty()) {
    os << "static const spattn::abi::LengthTable *const " << tableName
       << " = nullptr;\n";
    return;
  }
  os << "static const spattn::abi::LengthTable " << tableName << "[] = {\n";
  for (auto [k, r] : llvm::enumerate(runs))
    os << "    {" << prefix << k << "Start, " << prefix << k << "Value, "
       << r.start.size() << "},\n";
  os << "};\n";
}

/// Emits one variant's namespace: tables, select, ranges and keep.
class VariantWriter {
public:
  VariantWriter(const plan::Variant &variant, llvm::raw_ostream &os)
      : variant(variant), os(os) {}

  /// Returns whether the variant has kResidueClasses.
  bool write() {
    os << "namespace b" << variant.bucket << " {\n";
    writeTables(os, "param", "kParams", variant.parameters);
    writeSelect();
    for (size_t n = 0; n < variant.nodes.size(); ++n)
      writeNode(n);
    writeKeepRow("keepRow", "fill" + std::to_string(variant.root));
    std::optional<ResidueSplit> split = findResidueSplit(variant);
    if (split)
      writeResidueClasses(*split);
    os << "} // namespace b" << variant.bucket << "\n\n";
    return split.has_value();
  }

private:
  /// A keepRow-shaped function `name` cutting a row into `fill` calls.
  void writeKeepRow(const std::string &name, const std::string &fill) {
    os << "static void " << name
       << "(const spattn::abi::HeadState &s, int64_t row, int64_t pos, int64_t key0, "
          "int64_t n, uint8_t *out) {\n"
          "  for (int64_t c = 0; c < n; c += kFillChunk)\n    "
       << fill << "(s, row, pos, key0 + c, std::min(kFillChunk, n - c), out + c);\n}\n";
  }

  /// The rest of a root that unites a residue class with other patterns
  /// (ResidueSplit.h): its ranges, its rows with the class's keys cleared,
  /// and the class's modulus, as a spattn::abi::ResidueClasses.
  void writeResidueClasses(const ResidueSplit &split) {
    std::vector<std::string> symbols = symbolsOf(split.residue);
    std::string modulus = printAffineCpp(split.modulus, {"pos", "j"}, symbols);
    os << "static int64_t residueModulus(const spattn::abi::HeadState &s) {\n  return "
       << modulus << ";\n}\n";
    os << "static spattn::core::TileRanges residueRestRanges(const "
          "spattn::abi::HeadState &s, int64_t q) {\n  return "
       << combinedRanges(false, split.clips, combinedRanges(true, split.rest))
       << ";\n}\n";
    os << "static void residueRestFill(const spattn::abi::HeadState &s, int64_t row, "
          "int64_t pos, int64_t key0, int64_t n, uint8_t *out) {\n";
    writeCombinedFill(true, split.rest);
    for (int clip : split.clips)
      os << "  clipFill" << clip << "(s, row, pos, key0, n, out);\n";
    os << "  // The class's keys are attended with the class.\n"
       << "  if (const int64_t m = " << modulus << "; m > 0)\n"
       << "    for (int64_t j = key0 + spattn::core::modulo(pos - key0, m); "
          "j < key0 + n; j += m)\n      out[j - key0] = 0;\n}\n";
    writeKeepRow("residueRestKeepRow", "residueRestFill");
    os << "static const spattn::abi::ResidueClasses kResidueClasses = {&residueModulus, "
          "&residueRestRanges, &residueRestKeepRow, "
       << (split.clips.empty() ? "false" : "true") << "};\n";
  }

  /// The C++ expression uniting (`unite`) or intersecting `first` (an
  /// expression, or none) with the ranges of `children`, left to right.
  static std::string combinedRanges(bool unite, ArrayRef<int> children,
                                    std::string first = "") {
    std::string all = std::move(first);
    for (int child : children) {
      std::string r = "ranges" + std::to_string(child) + "(s, q)";
      all = all.empty() ? r
                        : std::string(unite ? "spattn::core::uniteRanges("
                                            : "spattn::core::intersectRanges(") +
                              all + ", " + r + ")";
    }
    return all;
  }

  /// How node n's schedule symbols are spelled in generated code.
  std::vector<std::string> symbolsOf(size_t n) const {
    std::vector<std::string> symbols;
    for (const IndexOperand &s : variant.nodes[n].symbols)
      symbols.push_back(spellIndexOperand(s, "s.params", "s.geometry.keyLength"));
    return symbols;
  }

  void writeSelect() {
    const size_t numStages = variant.stages.size();
    os << "static void select(const spattn::abi::StageInputs &in, const "
          "int64_t *params, spattn::abi::StageResult *stages) {\n"
          "  (void)in; (void)params; (void)stages;\n";
    for (auto [k, stage] : llvm::enumerate(variant.stages)) {
      os << "  {\n    static const bool serves[] = {";
      for (auto [h, serves] : llvm::enumerate(stage.servesHead))
        os << (h ? ", " : "") << (serves ? "true" : "false");
      os << "};\n    const spattn::abi::ServedHeads heads = "
            "spattn::abi::servedHeads(in, serves, "
         << k << ", " << numStages << ", stages);\n    ";
      auto count = [&](size_t c) {
        return spellIndexOperand(stage.counts[c], "params", "in.call.keyLength");
      };
      // Pages score every head of the kv head at once; the others one by one.
      if (stage.kind == StageKind::Pages) {
        os << "spattn::host::selectPages(in.call, heads.queries, in.k, in.pageBounds["
           << k << "], " << stage.block << ", " << count(0)
           << ", heads.selections());\n  }\n";
        continue;
      }
      os << "for (size_t g = 0; g < heads.size(); ++g) {\n      ";
      std::string call = "heads.calls[g]", query = "heads.queries[g]";
      std::string out = "heads.results[g]->selection";
      switch (stage.kind) {
      case StageKind::TopkBlocks:
        os << "spattn::host::selectTopkBlocks(" << call << ", " << query << ", in.k.floats(), "
           << stage.block << ", " << count(0) << ", " << out << ");\n";
        break;
      case StageKind::RandomBlocks:
        os << "spattn::host::selectRandomBlocks(" << call << ", " << stage.block << ", "
           << count(0) << ", uint64_t(" << stage.seed << "ull), " << out << ");\n";
        break;
      case StageKind::Mass:
        os << "spattn::host::selectMassBlocks(" << call << ", " << query << ", in.k.floats(), "
           << stage.block << ", " << count(0) << ", "
           << llvm::format("%.17g", stage.gamma) << ", " << out << ");\n";
        break;
      case StageKind::VerticalSlash:
        os << "spattn::host::selectVerticalSlash(" << call << ", " << query
           << ", in.k.floats(), " << count(0) << ", " << count(1) << ", " << count(2) << ", "
           << out << ");\n      spattn::abi::indexVerticalSlash(*heads.results[g], "
                     "in.call.keyLength);\n";
        break;
      case StageKind::Pages:
        llvm_unreachable("pages are selected for all heads at once above");
      }
      os << "    }\n  }\n";
    }
    os << "}\n";
  }

  std::string bound(AffineMap map, bool lower, ArrayRef<std::string> symbols) {
    std::string list;
    for (AffineExpr e : map.getResults())
      list += (list.empty() ? "" : ", ") + printAffineCpp(e, {"q"}, symbols);
    return std::string(lower ? "std::max" : "std::min") + "<int64_t>({" + list + "})";
  }

  void writeNode(size_t n) {
    const ScheduleNode &node = variant.nodes[n];
    std::vector<std::string> symbols = symbolsOf(n);
    std::string layout = "spattn::core::IndexGroups{0, " +
                         std::to_string(node.layoutOffsets.size()) + " - 1, layoutOffsets" +
                         std::to_string(n) + ", layoutIndices" + std::to_string(n) + "}";
    if (node.kind == ScheduleNode::Kind::Layout) {
      writeInt64Array(os, "layoutOffsets" + std::to_string(n), node.layoutOffsets);
      writeInt64Array(os, "layoutIndices" + std::to_string(n), node.layoutIndices);
    }
    if (node.kind == ScheduleNode::Kind::Predicate)
      writePredicate(n, node, symbols);
    os << "static spattn::core::TileRanges ranges" << n
       << "(const spattn::abi::HeadState &s, int64_t q) {\n  (void)s; (void)q;\n";
    std::string keep;
    std::string fill; // a library call writing the node's row, where one exists
    std::string stage = "s.stages[" + std::to_string(node.stage) + "]";
    std::string block = std::to_string(node.block);
    auto child = [&](size_t k) { return std::to_string(node.children[k]); };
    // A selection's per-key test and its row fill take the same leading
    // arguments: spattn::core::<kind>Keeps(groups, block, index, j) and
    // <kind>Fill(groups, block, index, key0, n, out).
    auto selection = [&](const std::string &kind, const std::string &groups,
                         const char *index) {
      std::string args = groups + ", " + block + ", " + index;
      keep = "spattn::core::" + kind + "Keeps(" + args + ", j)";
      fill = "spattn::core::" + kind + "Fill(" + args + ", key0, n, out)";
    };
    switch (node.kind) {
    case ScheduleNode::Kind::Affine:
      if (node.touchWhen)
        os << "  if (!(" << printIntegerSetCpp(*node.touchWhen, {"q"}, symbols)
           << ")) return {};\n";
      os << "  std::vector<spattn::core::TileRange> r = {{"
         << bound(node.touchLower, true, symbols) << ", "
         << bound(node.touchUpper, false, symbols)
         << ", spattn::core::TileKind::Partial}};\n";
      if (node.fullLower) {
        std::string when = node.fullWhen
                               ? printIntegerSetCpp(*node.fullWhen, {"q"}, symbols)
                               : "true";
        os << "  if (" << when << ") r.push_back({" << bound(node.fullLower, true, symbols)
           << ", " << bound(node.fullUpper, false, symbols)
           << ", spattn::core::TileKind::Full});\n";
      }
      os << "  return spattn::core::normalizeRanges(std::move(r));\n";
      keep = printIntegerSetCpp(node.keep, {"pos", "j"}, symbols);
      break;
    case ScheduleNode::Kind::Layout:
      os << "  return spattn::core::blockSelectionRanges(s.geometry, " << layout << ", "
         << block << ", q);\n";
      selection("blockSelection", layout, "pos");
      break;
    case ScheduleNode::Kind::Selected:
      switch (variant.stages[node.stage].kind) {
      case StageKind::Pages:
        os << "  return spattn::core::pageSelectionRanges(s.geometry, " << stage
           << ".groups(), " << block << ", q);\n";
        selection("pageSelection", stage + ".groups()", "row");
        break;
      case StageKind::VerticalSlash:
        os << "  return spattn::core::verticalSlashRanges(s.geometry, " << stage
           << ".columns, " << stage << ".offsets, q);\n";
        keep = stage + ".members->keeps(pos, j)";
        fill = stage + ".members->fill(pos, key0, n, out)";
        break;
      default:
        os << "  return spattn::core::blockSelectionRanges(s.geometry, " << stage
           << ".groups(), " << block << ", q);\n";
        selection("blockSelection", stage + ".groups()", "pos");
      }
      break;
    case ScheduleNode::Kind::Predicate: {
      std::string name = std::to_string(n);
      os << "  return predicateTiles" << name << ".ranges(s, q, [&](int64_t pos, "
            "int64_t j) { return predicate" << name << "(s, pos, j); });\n";
      keep = "predicate" + name + "(s, pos, j)";
      break;
    }
    case ScheduleNode::Kind::PerHead:
      for (size_t k = node.headStarts.size(); k-- > 0;) {
        os << "  if (s.head >= " << node.headStarts[k] << ") return ranges" << child(k)
           << "(s, q);\n";
        keep += "s.head >= " + std::to_string(node.headStarts[k]) + " ? keep" +
                child(k) + "(s, row, pos, j) : ";
      }
      os << "  return {};\n";
      keep += "false";
      break;
    case ScheduleNode::Kind::Union:
    case ScheduleNode::Kind::Intersect: {
      bool unite = node.kind == ScheduleNode::Kind::Union;
      for (size_t k = 0; k < node.children.size(); ++k)
        keep += (keep.empty() ? "" : unite ? " || " : " && ") + std::string("keep") +
                child(k) + "(s, row, pos, j)";
      os << "  return " << combinedRanges(unite, node.children) << ";\n";
      break;
    }
    }
    os << "}\nstatic bool keep" << n
       << "(const spattn::abi::HeadState &s, int64_t row, int64_t pos, int64_t j) "
          "{\n  (void)s; (void)row; (void)pos; (void)j;\n  return "
       << keep << ";\n}\n";
    writeFill(n, symbols, fill);
  }

  /// fill<n>: out[jj] = keep<n>(key0 + jj) for jj < n <= kFillChunk, testing
  /// an affine predicate only where it can hold (KeyCandidates.h), selections
  /// by their chosen blocks (`fill`), unions and intersections OR / AND
  /// their children's rows. An affine node also gets orFill<n> (sets its
  /// kept keys, clears nothing) and, when its keys are an interval,
  /// clipFill<n> (clears the keys outside it): a union or intersection calls
  /// those on its affine children instead of filling, clearing and combining
  /// whole rows, the bulk of a strided row's cost.
  void writeFill(size_t n, ArrayRef<std::string> symbols, const std::string &fill) {
    const ScheduleNode &node = variant.nodes[n];
    auto child = [&](size_t k) { return std::to_string(node.children[k]); };
    auto signature = [&](const char *name) {
      os << "[[maybe_unused]] static void " << name << n
         << "(const spattn::abi::HeadState &s, int64_t row, int64_t pos, int64_t key0, "
            "int64_t n, uint8_t *out) {\n";
    };
    if (node.kind == ScheduleNode::Kind::Affine)
      return writeAffineFills(n, symbols, signature);
    signature("fill");
    switch (node.kind) {
    case ScheduleNode::Kind::Union:
    case ScheduleNode::Kind::Intersect:
      writeCombinedFill(node.kind == ScheduleNode::Kind::Union, node.children);
      break;
    case ScheduleNode::Kind::PerHead:
      for (size_t k = node.headStarts.size(); k-- > 0;)
        os << "  if (s.head >= " << node.headStarts[k] << ") return fill" << child(k)
           << "(s, row, pos, key0, n, out);\n";
      os << "  std::fill(out, out + n, uint8_t{0});\n";
      break;
    default:
      if (!fill.empty())
        os << "  " << fill << ";\n";
      else
        os << "  for (int64_t jj = 0; jj < n; ++jj)\n    out[jj] = keep" << n
           << "(s, row, pos, key0 + jj);\n";
    }
    os << "}\n";
  }

  /// The body of a union's (`unite`) or intersection's fill over
  /// `children`: affine children combine in place; the first child that
  /// cannot (or, when all can, the last) fills the row.
  void writeCombinedFill(bool unite, ArrayRef<int> children) {
    auto inPlace = [&](size_t k) {
      const ScheduleNode &c = variant.nodes[children[k]];
      return c.kind == ScheduleNode::Kind::Affine &&
             (unite || keyCandidates(c.keep).interval);
    };
    size_t first = 0;
    while (first + 1 < children.size() && inPlace(first))
      ++first;
    os << "  fill" << children[first] << "(s, row, pos, key0, n, out);\n";
    bool declared = false;
    for (size_t k = 0; k < children.size(); ++k) {
      if (k == first)
        continue;
      if (inPlace(k)) {
        os << "  " << (unite ? "orFill" : "clipFill") << children[k]
           << "(s, row, pos, key0, n, out);\n";
        continue;
      }
      if (!declared)
        os << "  uint8_t other[kFillChunk];\n";
      declared = true;
      os << "  fill" << children[k] << "(s, row, pos, key0, n, other);\n"
         << "  for (int64_t jj = 0; jj < n; ++jj)\n    out[jj] " << (unite ? "|" : "&")
         << "= other[jj];\n";
    }
  }

  /// An affine node's fill<n>, orFill<n> and (an interval) clipFill<n>,
  /// over its candidate keys [lo, hi) (every `step`-th from lo unless an
  /// interval).
  template <typename Signature>
  void writeAffineFills(size_t n, ArrayRef<std::string> symbols, Signature &&signature) {
    KeyCandidates candidates = keyCandidates(variant.nodes[n].keep);
    auto print = [&](AffineExpr e) { return printAffineCpp(e, {"pos", "j"}, symbols); };
    auto bounds = [&] {
      os << "  int64_t lo = key0, hi = key0 + n" << (candidates.interval ? "" : ", step = 1")
         << ";\n";
      for (AffineExpr lower : candidates.lower)
        os << "  lo = std::max<int64_t>(lo, " << print(lower) << ");\n";
      for (AffineExpr upper : candidates.upper)
        os << "  hi = std::min<int64_t>(hi, " << print(upper) << ");\n";
      if (candidates.modulus)
        os << "  if (const int64_t m = " << print(candidates.modulus) << "; m > 0) {\n"
           << "    step = m;\n    lo += spattn::core::modulo(" << print(candidates.residue)
           << " - lo, m);\n  }\n";
    };
    // Sets the kept candidates: all of an interval, else those keep<n> holds for.
    auto setKept = [&](const char *assign) {
      if (candidates.interval)
        os << "  if (lo < hi)\n    std::fill(out + (lo - key0), out + (hi - key0), "
              "uint8_t{1});\n";
      else
        os << "  for (int64_t j = lo; j < hi; j += step)\n    out[j - key0] " << assign
           << " keep" << n << "(s, row, pos, j);\n";
    };
    signature("fill");
    os << "  std::fill(out, out + n, uint8_t{0});\n";
    bounds();
    setKept("=");
    os << "}\n";
    signature("orFill");
    bounds();
    setKept("|=");
    os << "}\n";
    if (!candidates.interval)
      return;
    signature("clipFill");
    bounds();
    os << "  lo = std::min(std::max(lo, key0), key0 + n);\n"
          "  hi = std::max(hi, lo);\n"
          "  std::fill(out, out + (lo - key0), uint8_t{0});\n"
          "  std::fill(out + (hi - key0), out + n, uint8_t{0});\n"
          "}\n";
  }

  /// A blocks.predicate node's program as straight-line C++ for one pair,
  /// and the cache of its classified tiles.
  void writePredicate(size_t n, const ScheduleNode &node,
                      ArrayRef<std::string> symbols) {
    os << "static bool predicate" << n
       << "(const spattn::abi::HeadState &s, int64_t pos, int64_t j) {\n"
       << tokenProgramSource(node, symbols, "s.head", "pos", "j", "s.geometry.keyLength")
       << "}\nstatic spattn::abi::PredicateTiles predicateTiles" << n << ";\n";
  }

  const plan::Variant &variant;
  llvm::raw_ostream &os;
};

} // namespace

std::string generateLibrarySource(const plan::Library &library,
                                  ArrayRef<std::string> targets) {
  const std::string &name = library.name;
  std::string source;
  llvm::raw_string_ostream out(source);
  out << "// Generated by spattn-compile from spec @" << name
      << ": the target-independent part. Do not edit.\n"
      << "#include \"spattn/library_abi.hpp\"\n"
      << "#include \"spattn/host_selections.hpp\"\n#include \"" << name
      << ".h\"\n\n#include <algorithm>\n#include <vector>\n\n"
      << "static_assert(spattn::abi::kLibraryAbiVersion == "
      << ::spattn::abi::kLibraryAbiVersion
      << ", \"generated for another spattn library ABI\");\n\n";
  for (const std::string &target : targets)
    out << "extern const spattn::abi::TargetEntry "
        << targetEntrySymbol(library, target) << ";\n";
  out << "\nnamespace {\n"
      << "// The most keys one fill<n> call writes (keepRow cuts longer rows).\n"
      << "constexpr int64_t kFillChunk = 512;\n";
  std::vector<bool> residueClasses;
  for (const plan::Variant &variant : library.variants)
    residueClasses.push_back(VariantWriter(variant, out).write());

  writeTables(out, "budget", "kBudgets", library.budgets);
  out << "static const char *const kBudgetLabels[] = {";
  for (const std::string &label : library.budgetLabels)
    out << "\"" << label << "\", ";
  out << "nullptr};\nstatic const spattn::abi::StageKind kStageKinds[] = {";
  for (StageKind kind : library.stageKinds)
    out << "spattn::abi::StageKind::" << stageKindEnumerator(kind) << ", ";
  out << "spattn::abi::StageKind::TopkBlocks};\n";
  writeInt64Array(out, "kStagePageSizes", stagePageSizes(library));
  writeInt64Array(out, "kUpperBounds", library.upperBounds);
  out << "static const char *const kRequestNames[] = {";
  for (const std::string &parameter : library.requestNames)
    out << "\"" << parameter << "\", ";
  out << "nullptr};\n";
  writeInt64Array(out, "kRequestMin", library.requestMin);
  writeInt64Array(out, "kRequestMax", library.requestMax);
  out << "} // namespace\n\n";

  out << "extern const spattn::abi::Variant " << variantTableSymbol(library)
      << "[] = {\n";
  for (auto [k, v] : llvm::enumerate(library.variants)) {
    std::string b = "b" + std::to_string(v.bucket);
    out << "    {" << v.lo << ", " << v.hi << ", " << v.tileQ << ", " << v.tileK << ", "
        << v.parameters.size() / library.requestCombinations() << ", " << b
        << "::kParams, &" << b << "::select, &" << b << "::ranges" << v.root << ", &" << b
        << "::keepRow, "
        << (residueClasses[k] ? "&" + b + "::kResidueClasses" : "nullptr") << "},\n";
  }
  out << "};\n\nextern const spattn::abi::Library " << librarySymbol(library) << ";\n"
      << "const spattn::abi::Library " << librarySymbol(library)
      << " = {spattn::abi::kLibraryAbiVersion, \""
      << name << "\", " << library.headDim << ", " << library.numQHeads << ", "
      << library.numKVHeads << ", " << (library.causal ? "true" : "false") << ", "
      << llvm::format("%.17g", library.scale) << ", " << library.variants.size() << ", "
      << variantTableSymbol(library) << ", kUpperBounds, " << library.stageKinds.size()
      << ", kStageKinds, kStagePageSizes, " << library.budgetLabels.size()
      << ", kBudgetLabels, kBudgets, " << library.requestNames.size()
      << ", kRequestNames, kRequestMin, kRequestMax};\n"
      << "namespace {\nconst spattn::abi::Library &kLibrary = " << librarySymbol(library)
      << ";\nconst spattn::abi::TargetEntry *const kTargets[] = {";
  for (const std::string &target : targets)
    out << "&" << targetEntrySymbol(library, target) << ", ";
  out << "};\n} // namespace\n\n";

  size_t numBudgets = library.budgetLabels.size();
  size_t numStages = library.stageKinds.size();
  out << "extern \"C\" {\n"
      << "int " << name << "_attention(const spattn_tensor *q, const spattn_tensor *k, "
         "const spattn_tensor *v, spattn_tensor *o, spattn_tensor *lse, "
         "const spattn_options *options) {\n  return spattn::abi::attention("
         "kLibrary, kTargets, " << targets.size()
      << ", q, k, v, o, lse, nullptr, options);\n}\n"
      << "const char *" << name << "_last_error(void) { return spattn::rt::lastError(); }\n"
      << "const spattn_library_info *" << name << "_info(void) {\n"
         "  static const spattn::abi::LibraryInfo info(kLibrary, kTargets, "
      << targets.size() << ");\n  return info.get();\n}\n"
      << "int64_t " << name << "_max_length(void) { return "
      << library.upperBounds.back() << "; }\n"
      << "int32_t " << name << "_num_budgets(void) { return " << numBudgets << "; }\n"
      << "const char *" << name << "_budget_label(int32_t index) {\n  return index >= 0 "
         "&& index < " << numBudgets << " ? kBudgetLabels[index] : nullptr;\n}\n"
      << "int " << name << "_budgets(int64_t length, const spattn_options *options, "
         "int64_t *values,\n    int32_t capacity) {\n  return spattn::abi::budgets(kLibrary, "
         "length, options, values, capacity);\n}\n"
      << "int32_t " << name << "_num_stages(void) { return " << numStages << "; }\n"
      << "const char *" << name << "_stage_kind(int32_t stage) {\n  return stage >= 0 && "
         "stage < " << numStages
      << " ? spattn::abi::stageKindName(kStageKinds[stage]) : nullptr;\n}\n"
      << "int " << name << "_selection(const spattn_tensor *q, const spattn_tensor *k, "
         "int64_t batch, int64_t head, int32_t stage, const spattn_options *options, "
         "spattn_selection *out) {\n"
         "  // Selections run on the host, on host Q and K: float32, or 16-bit\n"
         "  // read as their float32 values (what a call on them selects).\n"
         "  static const spattn::rt::TargetAccepts host = {\"host selection\", (1u << "
         "SPATTN_F32) | (1u << SPATTN_F16) | (1u << SPATTN_BF16), SPATTN_MEMORY_HOST};\n"
         "  return spattn::abi::selection(kLibrary, host, q, k, batch, head, stage, "
         "options, out);\n}\n";
  if (hasPagesStage(library))
    out << "int64_t " << name << "_page_size(int32_t stage) {\n"
        << "  return spattn::abi::pageSize(kLibrary, stage);\n}\n"
        << "int " << name << "_update_page_bounds(const spattn_tensor *k, int64_t "
           "first_key, int32_t stage, spattn_tensor *bounds) {\n"
        << "  return spattn::abi::updatePageBounds(kLibrary, k, first_key, stage, "
           "bounds);\n}\n"
        << "int " << name << "_attention_with_page_bounds(const spattn_tensor *q, "
           "const spattn_tensor *k, const spattn_tensor *v, spattn_tensor *o, "
           "spattn_tensor *lse, const spattn_tensor *const *page_bounds, "
           "const spattn_options *options) {\n  return spattn::abi::attention("
           "kLibrary, kTargets, " << targets.size()
        << ", q, k, v, o, lse, page_bounds, options);\n}\n";
  out << "} // extern \"C\"\n";
  return source;
}

const char *stageKindEnumerator(plan::StageKind kind) {
  switch (kind) {
  case plan::StageKind::TopkBlocks: return "TopkBlocks";
  case plan::StageKind::RandomBlocks: return "RandomBlocks";
  case plan::StageKind::Mass: return "Mass";
  case plan::StageKind::Pages: return "Pages";
  case plan::StageKind::VerticalSlash: return "VerticalSlash";
  }
  llvm_unreachable("unknown stage kind");
}

} // namespace mlir::spattn
