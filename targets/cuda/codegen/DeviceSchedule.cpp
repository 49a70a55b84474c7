//===- DeviceSchedule.cpp - A variant's block schedule as device code -----===//
#include "targets/cuda/codegen/DeviceSchedule.h"

#include "targets/common/LibrarySource.h"

#include "dialects/SpAttn/IR/SpAttnAffine.h"
#include "core/IntegerMath.h"

namespace mlir::spattn {

using plan::IndexOperand;
using plan::ScheduleNode;
using ::spattn::core::TokenInstruction;
using ::spattn::core::TokenOp;

namespace {

/// random_blocks on the device: the query blocks a query tile can overlap,
/// and the most blocks each keeps (the stage's capacity in the bucket).
struct RandomSlots {
  int64_t queryBlocks = 0, capacity = 0;
};

RandomSlots randomSlots(const plan::Variant &variant, const ScheduleNode &node) {
  const plan::Stage &stage = variant.stages[node.stage];
  RandomSlots slots;
  slots.queryBlocks =
      stage.block % variant.tileQ == 0 ? 1 : (variant.tileQ - 1) / stage.block + 2;
  slots.capacity = std::max<int64_t>(stage.capacities.empty() ? 1 : stage.capacities[0], 1);
  return slots;
}

/// Fixed slots a random_blocks node may hold in registers.
constexpr int64_t kMaxRandomSlots = 32;

} // namespace

std::string deviceScheduleUnsupported(const plan::Variant &variant) {
  for (const ScheduleNode &node : variant.nodes) {
    if (node.kind != ScheduleNode::Kind::Selected ||
        variant.stages[node.stage].kind != plan::StageKind::RandomBlocks)
      continue;
    RandomSlots slots = randomSlots(variant, node);
    if (slots.queryBlocks * slots.capacity > kMaxRandomSlots)
      return "random_blocks keeps up to " + std::to_string(slots.capacity) +
             " blocks for each of " + std::to_string(slots.queryBlocks) +
             " query blocks a tile overlaps; the CUDA target holds at most " +
             std::to_string(kMaxRandomSlots);
  }
  return "";
}

namespace {

bool readsHead(const ScheduleNode &node) {
  for (const TokenInstruction &in : node.program) {
    if (in.op == TokenOp::Constant)
      continue;
    bool select = in.op == TokenOp::Select;
    if (in.a == ::spattn::core::kTokenHead || in.b == ::spattn::core::kTokenHead ||
        (select && in.c == ::spattn::core::kTokenHead))
      return true;
  }
  return false;
}

/// An index operand as the device schedule spells it.
std::string spell(const IndexOperand &operand) {
  return spellIndexOperand(operand, "call.params", "call.geometry.keyLength");
}

/// max (lower) or min (upper) of a map's results, as nested calls.
std::string bound(AffineMap map, bool lower, ArrayRef<std::string> symbols) {
  std::string out;
  for (AffineExpr e : map.getResults()) {
    std::string v = printAffineCpp(e, {"q"}, symbols);
    out = out.empty() ? v
                      : std::string(lower ? "spattn::core::maxOf(" : "spattn::core::minOf(") +
                            out + ", " + v + ")";
  }
  return out;
}

/// A block layout as tile tables: per (query tile, key tile) its kind, and
/// the layout's bits for the token test.
struct LayoutTables {
  int64_t rows = 0, cols = 0, tileRows = 0, tileCols = 0;
  std::vector<int64_t> bits, kinds;
};

LayoutTables layoutTables(const ScheduleNode &node, int64_t tileQ, int64_t tileK) {
  LayoutTables t;
  int64_t b = node.block;
  t.rows = static_cast<int64_t>(node.layoutOffsets.size()) - 1;
  for (int64_t c : node.layoutIndices)
    t.cols = std::max(t.cols, c + 1);
  t.bits.assign(t.rows * t.cols, 0);
  for (int64_t r = 0; r < t.rows; ++r)
    for (int64_t k = node.layoutOffsets[r]; k < node.layoutOffsets[r + 1]; ++k)
      t.bits[r * t.cols + node.layoutIndices[k]] = 1;
  t.tileRows = ::spattn::core::ceilDiv(t.rows * b, tileQ);
  t.tileCols = ::spattn::core::ceilDiv(t.cols * b, tileK);
  t.kinds.assign(t.tileRows * t.tileCols, 0);
  for (int64_t qt = 0; qt < t.tileRows; ++qt)
    for (int64_t kt = 0; kt < t.tileCols; ++kt) {
      // The pattern blocks the tile overlaps, on both sides.
      int64_t r0 = qt * tileQ / b, r1 = (qt * tileQ + tileQ - 1) / b;
      int64_t c0 = kt * tileK / b, c1 = (kt * tileK + tileK - 1) / b;
      bool any = false, all = r1 < t.rows && c1 < t.cols;
      for (int64_t r = r0; r <= r1; ++r)
        for (int64_t c = c0; c <= c1; ++c) {
          bool kept = r < t.rows && c < t.cols && t.bits[r * t.cols + c];
          any |= kept;
          all &= kept;
        }
      using ::spattn::core::TileKind;
      t.kinds[qt * t.tileCols + kt] = static_cast<int64_t>(
          all ? TileKind::Full : any ? TileKind::Partial : TileKind::Skipped);
    }
  return t;
}

void writeTable(llvm::raw_ostream &os, StringRef type, StringRef name,
                ArrayRef<int64_t> values) {
  os << "  SPATTN_TABLE(" << type << ", " << name << ", {";
  if (values.empty())
    os << "0";
  for (auto [i, v] : llvm::enumerate(values))
    os << (i ? "," : "") << v;
  os << "})\n";
}

class ScheduleWriter {
public:
  ScheduleWriter(const plan::Variant &variant, bool causal, llvm::raw_ostream &os)
      : variant(variant), causal(causal), os(os) {}

  void write(StringRef structName) {
    // Tables live at namespace scope (a __device__ variable cannot be a
    // static member), named after the struct.
    prefix = structName.str();
    for (size_t n = 0; n < variant.nodes.size(); ++n)
      if (variant.nodes[n].kind == ScheduleNode::Kind::Layout)
        writeLayoutTables(n);
    size_t numParams = variant.parameters.size();
    os << "struct " << structName << " {\n"
       << "  static constexpr int kNumParams = " << numParams << ";\n"
       << "  static constexpr int64_t kTileQ = " << variant.tileQ
       << ", kTileK = " << variant.tileK << ";\n"
       << "  static constexpr int kNumStages = " << variant.stages.size() << ";\n"
       << "  using Call = spattn::core::ScheduleCall<kNumParams, kNumStages>;\n"
       << "  using TileKind = spattn::core::TileKind;\n";
    writeQuery();
    for (size_t n = 0; n < variant.nodes.size(); ++n)
      writeNode(n);
    std::string root = std::to_string(variant.root);
    os << "  SPATTN_HOST_DEVICE static int64_t keyTiles(const Call &call) { "
          "return call.geometry.numKeyTiles(); }\n"
       << "  SPATTN_HOST_DEVICE static int64_t next(const Call &call, const Query &t, "
          "int64_t kt) { return next" << root << "(call, t, kt); }\n"
       << "  SPATTN_HOST_DEVICE static TileKind kind(const Call &call, const Query &t, "
          "int64_t kt) { return kind" << root << "(call, t, kt); }\n"
       << "  SPATTN_HOST_DEVICE static bool keep(const Call &call, const Query &t, "
          "int64_t pos, int64_t j) { return keep" << root << "(call, t, pos, j); }\n"
       << "};\n";
  }

private:
  std::vector<std::string> symbolsOf(const ScheduleNode &node) {
    std::vector<std::string> symbols;
    for (const IndexOperand &s : node.symbols)
      symbols.push_back(spell(s));
    return symbols;
  }

  std::string table(size_t n, StringRef what) {
    return prefix + "_" + what.str() + std::to_string(n);
  }

  void writeLayoutTables(size_t n) {
    LayoutTables t = layoutTables(variant.nodes[n], variant.tileQ, variant.tileK);
    writeTable(os, "uint8_t", table(n, "layoutBits"), t.bits);
    writeTable(os, "uint8_t", table(n, "layoutKinds"), t.kinds);
    layouts.resize(variant.nodes.size());
    layouts[n] = std::move(t);
  }

  /// Every affine leaf's bounds for query tile q: one field each.
  void writeQuery() {
    os << "  struct Query {\n";
    for (size_t n = 0; n < variant.nodes.size(); ++n)
      if (variant.nodes[n].kind == ScheduleNode::Kind::Affine)
        os << "    int64_t lo" << n << ", hi" << n << ", fullLo" << n << ", fullHi" << n
           << ";\n";
      else if (isRandom(variant.nodes[n])) {
        RandomSlots slots = randomSlots(variant, variant.nodes[n]);
        os << "    int64_t firstBlock" << n << ", lastBlock" << n << ";\n"
           << "    spattn::core::RandomChoice<" << slots.capacity << "> random" << n << "["
           << slots.queryBlocks << "];\n";
      }
    os << "    int64_t queryTile, p0, p1; // present positions [p0, p1]\n  };\n"
       << "  SPATTN_HOST_DEVICE static Query query(const Call &call, int64_t q) {\n"
       << "    (void)call;\n    Query t{};\n    t.queryTile = q;\n"
       << "    t.p0 = call.geometry.firstPositionOf(q);\n"
       << "    t.p1 = call.geometry.lastPositionOf(q);\n";
    for (size_t n = 0; n < variant.nodes.size(); ++n) {
      const ScheduleNode &node = variant.nodes[n];
      if (isRandom(node))
        writeRandomQuery(n, node);
      if (node.kind != ScheduleNode::Kind::Affine)
        continue;
      std::vector<std::string> symbols = symbolsOf(node);
      std::string touched =
          node.touchWhen ? printIntegerSetCpp(*node.touchWhen, {"q"}, symbols) : "true";
      os << "    if (" << touched << ") {\n      t.lo" << n << " = "
         << bound(node.touchLower, true, symbols) << ";\n      t.hi" << n << " = "
         << bound(node.touchUpper, false, symbols) << ";\n    }\n";
      if (node.fullLower) {
        std::string full =
            node.fullWhen ? printIntegerSetCpp(*node.fullWhen, {"q"}, symbols) : "true";
        os << "    if (" << full << ") {\n      t.fullLo" << n << " = "
           << bound(node.fullLower, true, symbols) << ";\n      t.fullHi" << n << " = "
           << bound(node.fullUpper, false, symbols) << ";\n    }\n";
      }
    }
    os << "    return t;\n  }\n";
  }

  void writeNode(size_t n) {
    const ScheduleNode &node = variant.nodes[n];
    std::string id = std::to_string(n);
    std::string next, kind, keep;
    auto child = [&](size_t k) { return std::to_string(node.children[k]); };
    switch (node.kind) {
    case ScheduleNode::Kind::Affine: {
      std::string lo = "t.lo" + id, hi = "t.hi" + id;
      next = "    return kt < " + lo + " ? (" + lo + " < " + hi + " ? " + lo +
             " : spattn::core::kNoTile) : kt < " + hi + " ? kt : spattn::core::kNoTile;\n";
      kind = "    if (kt < " + lo + " || kt >= " + hi + ") return TileKind::Skipped;\n"
             "    return kt >= t.fullLo" + id + " && kt < t.fullHi" + id +
             " ? TileKind::Full : TileKind::Partial;\n";
      keep = "    return " + printIntegerSetCpp(node.keep, {"pos", "j"}, symbolsOf(node)) +
             ";\n";
      break;
    }
    case ScheduleNode::Kind::Layout: {
      const LayoutTables &t = layouts[n];
      std::string kinds = table(n, "layoutKinds"), bits = table(n, "layoutBits");
      std::string row = "t.queryTile * " + std::to_string(t.tileCols);
      next = "    if (t.queryTile >= " + std::to_string(t.tileRows) +
             ") return spattn::core::kNoTile;\n    for (; kt < " +
             std::to_string(t.tileCols) + "; ++kt)\n      if (SPATTN_TABLE_AT(" + kinds +
             ", " + row + " + kt)) return kt;\n    return spattn::core::kNoTile;\n";
      kind = "    if (t.queryTile >= " + std::to_string(t.tileRows) + " || kt >= " +
             std::to_string(t.tileCols) + ") return TileKind::Skipped;\n"
             "    return TileKind(SPATTN_TABLE_AT(" + kinds + ", " + row + " + kt));\n";
      std::string b = std::to_string(node.block);
      keep = "    const int64_t r = pos / " + b + ", c = j / " + b + ";\n    return r < " +
             std::to_string(t.rows) + " && c < " + std::to_string(t.cols) +
             " && SPATTN_TABLE_AT(" + bits + ", r * " + std::to_string(t.cols) +
             " + c) != 0;\n";
      break;
    }
    case ScheduleNode::Kind::Predicate:
      // No closed form: every tile may hold kept pairs, the token test decides.
      next = "    (void)t;\n    return kt;\n";
      kind = "    (void)t; (void)kt;\n    return TileKind::Partial;\n";
      keep = tokenProgramSource(node, symbolsOf(node), "call.head", "pos", "j",
                                "call.geometry.keyLength");
      break;
    case ScheduleNode::Kind::PerHead:
      for (size_t k = node.headStarts.size(); k-- > 0;) {
        std::string when = "    if (call.head >= " + std::to_string(node.headStarts[k]) +
                           ") return ";
        next += when + "next" + child(k) + "(call, t, kt);\n";
        kind += when + "kind" + child(k) + "(call, t, kt);\n";
        keep += when + "keep" + child(k) + "(call, t, pos, j);\n";
      }
      next += "    return spattn::core::kNoTile;\n";
      kind += "    return TileKind::Skipped;\n";
      keep += "    return false;\n";
      break;
    case ScheduleNode::Kind::Union:
    case ScheduleNode::Kind::Intersect: {
      bool unite = node.kind == ScheduleNode::Kind::Union;
      std::string nexts, kinds, keeps;
      for (size_t k = 0; k < node.children.size(); ++k) {
        std::string nk = "next" + child(k) + "(call, t, kt)";
        std::string kk = "kind" + child(k) + "(call, t, kt)";
        if (unite)
          nexts = nexts.empty() ? nk : "spattn::core::minOf(" + nexts + ", " + nk + ")";
        kinds = kinds.empty() ? kk
                              : std::string("TileKind(") + (unite ? "spattn::core::maxOf("
                                                                  : "spattn::core::minOf(") +
                                    "int64_t(" + kinds + "), int64_t(" + kk + ")))";
        keeps += (keeps.empty() ? "" : unite ? " || " : " && ") + std::string("keep") +
                 child(k) + "(call, t, pos, j)";
      }
      if (unite) {
        next = "    return " + nexts + ";\n";
      } else {
        // The first tile every child keeps: advance through each child's next
        // until a full round leaves the tile where it was.
        next = "    for (;;) {\n      const int64_t from = kt;\n";
        for (size_t k = 0; k < node.children.size(); ++k)
          next += "      if (kt != spattn::core::kNoTile) kt = next" + child(k) +
                  "(call, t, kt);\n";
        next += "      if (kt == from || kt == spattn::core::kNoTile) return kt;\n    }\n";
      }
      kind = "    return " + kinds + ";\n";
      keep = "    return " + keeps + ";\n";
      break;
    }
    case ScheduleNode::Kind::Selected: {
      if (!isRandom(node)) {
        // Content-based: what the device's selection stage chose.
        std::string view = selectionView(node) + ";\n";
        next = view + "    return s.nextTile(call.geometry, t.p0, t.p1, kt);\n";
        kind = view + "    return s.kind(call.geometry, t.p0, t.p1, kt);\n";
        keep = view + "    return s.keeps(pos, j);\n";
        break;
      }
      RandomSlots slots = randomSlots(variant, node);
      std::string b = std::to_string(variant.stages[node.stage].block);
      std::string tk = std::to_string(variant.tileK);
      std::string choice = "t.random" + id;
      next = "    int64_t best = spattn::core::kNoTile;\n";
      kind = "    const int64_t c0 = kt * " + tk + " / " + b + ", c1 = (kt * " + tk + " + " +
             tk + " - 1) / " + b + ";\n    bool any = false, all = true;\n";
      keep = "    const int64_t m = pos / " + b + " - t.firstBlock" + id + ", c = j / " + b +
             ";\n";
      for (int64_t m = 0; m < slots.queryBlocks; ++m) {
        std::string slot = choice + "[" + std::to_string(m) + "]";
        next += "    best = spattn::core::minOf(best, " + slot + ".nextTile(kt, " + b + ", " +
                tk + "));\n";
        kind += "    if (t.firstBlock" + id + " + " + std::to_string(m) + " <= t.lastBlock" +
                id + ") {\n      const int64_t hits = " + slot +
                ".countIn(c0, c1);\n      any |= hits > 0;\n      all &= hits == c1 - c0 + 1;\n"
                "    }\n";
        keep += "    if (m == " + std::to_string(m) + ") return " + slot + ".contains(c);\n";
      }
      next += "    return best;\n";
      kind += "    return all ? TileKind::Full : any ? TileKind::Partial : TileKind::Skipped;\n";
      keep += "    return false;\n";
      break;
    }
    }
    os << "  SPATTN_HOST_DEVICE static int64_t next" << id
       << "(const Call &call, const Query &t, int64_t kt) {\n    (void)call;\n" << next
       << "  }\n  SPATTN_HOST_DEVICE static TileKind kind" << id
       << "(const Call &call, const Query &t, int64_t kt) {\n    (void)call;\n" << kind
       << "  }\n  SPATTN_HOST_DEVICE static bool keep" << id
       << "(const Call &call, const Query &t, int64_t pos, int64_t j) {\n"
          "    (void)call; (void)t; (void)pos; (void)j;\n"
       << keep << "  }\n";
  }

  bool isRandom(const ScheduleNode &node) const {
    return node.kind == ScheduleNode::Kind::Selected &&
           variant.stages[node.stage].kind == plan::StageKind::RandomBlocks;
  }

  /// The content-based selection a Selected node reads, as a local `s`:
  /// blocks per query block (topk_blocks, mass), pages per row, or
  /// vertical_slash's columns and offsets (core/SelectedIndices.h).
  std::string selectionView(const ScheduleNode &node) const {
    const plan::Stage &stage = variant.stages[node.stage];
    std::string chosen = "call.stages[" + std::to_string(node.stage) + "]";
    if (stage.kind == plan::StageKind::VerticalSlash)
      return "    const spattn::core::VerticalSlashIndices s{" + chosen + "}";
    std::string b = std::to_string(stage.block);
    std::string rows = stage.kind == plan::StageKind::Pages ? "1" : b;
    return "    const spattn::core::GroupedBlocks s{" + chosen + ", " + rows + ", " + b +
           ", spattn::core::floorDiv(call.geometry.firstPosition(), " + rows + ")}";
  }

  /// random_blocks: the blocks each query block of the tile keeps.
  void writeRandomQuery(size_t n, const ScheduleNode &node) {
    const plan::Stage &stage = variant.stages[node.stage];
    RandomSlots slots = randomSlots(variant, node);
    std::string b = std::to_string(stage.block), id = std::to_string(n);
    std::string count = spell(stage.counts[0]);
    os << "    t.firstBlock" << id << " = q * " << variant.tileQ << " / " << b << ";\n"
       << "    t.lastBlock" << id << " = (q * " << variant.tileQ << " + " << variant.tileQ
       << " - 1) / " << b << ";\n";
    for (int64_t m = 0; m < slots.queryBlocks; ++m) {
      std::string qb = "t.firstBlock" + id + " + " + std::to_string(m);
      // Candidates: every key block, or up to the query block under causal.
      std::string last = causal ? qb
                                : "spattn::core::ceilDiv(call.geometry.keyLength, " + b +
                                      ") - 1";
      os << "    t.random" << id << "[" << m << "] = spattn::core::chooseRandomBlocks<"
         << slots.capacity << ">(uint64_t(" << stage.seed << "ull), call.head, " << qb
         << ", " << last << ", " << count << ");\n";
    }
  }

  const plan::Variant &variant;
  bool causal;
  llvm::raw_ostream &os;
  std::string prefix;
  std::vector<LayoutTables> layouts;
};

} // namespace

bool isHeadUniform(const plan::Variant &variant) {
  for (const ScheduleNode &node : variant.nodes)
    if (node.kind == ScheduleNode::Kind::PerHead ||
        node.kind == ScheduleNode::Kind::Selected ||
        (node.kind == ScheduleNode::Kind::Predicate && readsHead(node)))
      return false;
  return true;
}

void writeDeviceSchedule(const plan::Variant &variant, bool causal,
                         StringRef structName, llvm::raw_ostream &os) {
  ScheduleWriter(variant, causal, os).write(structName);
}

} // namespace mlir::spattn
