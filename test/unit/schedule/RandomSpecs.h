//===- RandomSpecs.h - Random spec sources for schedule tests ---*- C++ -*-===//
//
// Writes random `spattn.spec` sources: every primitive, unions,
// intersections and per_head trees, budgets that are constants or power laws
// of L (clamped), random tile sizes and pattern block sizes (so tiles and
// pattern blocks disagree), causal or not, several head counts. Parsing,
// lowering and comparing with the reference is up to the test.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_UNIT_SCHEDULE_RANDOMSPECS_H
#define SPATTN_TEST_UNIT_SCHEDULE_RANDOMSPECS_H

#include <algorithm>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace spattn::test {

class RandomSpecs {
public:
  explicit RandomSpecs(uint32_t seed) : rng(seed) {}

  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }
  int64_t powerOfTwo(int lo, int hi) { return int64_t{1} << uniform(lo, hi); }

  /// Random bucket bounds up to `longest` (its last), strictly increasing.
  std::vector<int64_t> buckets(int64_t longest) {
    std::vector<int64_t> bounds = {longest};
    for (int64_t b = uniform(0, 2); b > 0 && longest > 1; --b)
      bounds.push_back(uniform(1, longest - 1));
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    return bounds;
  }

  /// With `on`, a third of the leaves are random spattn.predicate ops.
  void usePredicates(bool on) { predicates = on; }

  /// A spec with the given bucket bounds; `numQHeads` query heads.
  std::string spec(const std::vector<int64_t> &buckets, int64_t numQHeads,
                   int64_t numKVHeads, bool causal, int64_t blockQ,
                   int64_t blockK, bool allowContent = true) {
    body.str("");
    next = 0;
    content = allowContent;
    heads = numQHeads;
    std::string root = numQHeads > 1 && uniform(0, 3) == 0 ? perHead() : tree(2);
    std::ostringstream text;
    text << "spattn.spec @s attributes {head_dim = 8 : i64, num_q_heads = "
         << numQHeads << " : i64, num_kv_heads = " << numKVHeads
         << " : i64, dtype = f32" << (causal ? ", causal" : "")
         << ", block_q = " << blockQ << " : i64, block_k = " << blockK
         << " : i64, buckets = array<i64: ";
    for (size_t b = 0; b < buckets.size(); ++b)
      text << (b ? ", " : "") << buckets[b];
    text << ">} {\n^bb0(%L: index):\n"
         << body.str() << "  spattn.yield " << root << "\n}\n";
    return text.str();
  }

private:
  std::string fresh() { return "%v" + std::to_string(next++); }

  /// An index budget in [least, most]: a constant, or a clamped power law.
  std::string budget(int64_t least, int64_t most) {
    std::string name = fresh();
    if (uniform(0, 1) == 0) {
      body << "  " << name << " = arith.constant " << uniform(least, most)
           << " : index\n";
      return name;
    }
    std::string raw = fresh();
    body << "  " << raw << " = spattn.budget.power %L {coeff = "
         << std::to_string(uniform(1, 40) / 8.0) << " : f64, exponent = "
         << std::to_string(uniform(0, 8) / 10.0) << " : f64}\n";
    body << "  " << name << " = spattn.budget.clamp " << raw << " {min = "
         << least << " : i64, max = " << most << " : i64}\n";
    return name;
  }

  std::string emit(const std::string &op) {
    std::string name = fresh();
    body << "  " << name << " = " << op << "\n";
    return name;
  }

  /// A random spattn.predicate: comparisons of sums, scaled terms, floor
  /// divisions and remainders of h, p(i), j, L and two budgets, combined by
  /// andi / ori / xori / select; affine parts and others (h, unsigned,
  /// truncating remainders) mixed so both lowerings are exercised.
  std::string predicateLeaf() {
    std::string a0 = budget(0, 300), a1 = budget(0, 60);
    region.str("");
    regionNext = 0;
    std::string keep = booleanExpr(2);
    return emit("spattn.predicate (" + a0 + ", " + a1 +
                ") {\n  ^bb0(%h: index, %pos: index, %j: index, %len: index, "
                "%a0: index, %a1: index):\n" +
                region.str() + "    spattn.predicate.yield " + keep + "\n  }");
  }

  std::string regionValue(const std::string &op, const std::string &type) {
    std::string name = "%r" + std::to_string(regionNext++);
    region << "    " << name << " = " << op << " : " << type << "\n";
    return name;
  }

  std::string indexExpr(int depth) {
    if (depth == 0 || uniform(0, 2) == 0) {
      switch (uniform(0, 7)) {
      case 0: case 1: return "%pos";
      case 2: case 3: return "%j";
      case 4: return "%len";
      case 5: return uniform(0, 1) ? "%a0" : "%a1";
      case 6: return "%h";
      default:
        return regionValue("arith.constant " + std::to_string(uniform(-20, 200)), "index");
      }
    }
    std::string x = indexExpr(depth - 1);
    switch (uniform(0, 5)) {
    case 0: return regionValue("arith.addi " + x + ", " + indexExpr(depth - 1), "index");
    case 1: return regionValue("arith.subi " + x + ", " + indexExpr(depth - 1), "index");
    case 2: {
      std::string c = regionValue("arith.constant " + std::to_string(uniform(-3, 3)), "index");
      return regionValue("arith.muli " + x + ", " + c, "index");
    }
    case 3: {
      std::string c = regionValue("arith.constant " + std::to_string(uniform(1, 70)), "index");
      return regionValue((uniform(0, 1) ? "arith.floordivsi " : "arith.ceildivsi ") + x +
                             ", " + c, "index");
    }
    case 4: {
      std::string c = regionValue("arith.constant " + std::to_string(uniform(1, 9)), "index");
      return regionValue("arith.remsi " + x + ", " + c, "index");
    }
    default:
      return regionValue((uniform(0, 1) ? "arith.minsi " : "arith.maxsi ") + x + ", " +
                             indexExpr(depth - 1), "index");
    }
  }

  std::string booleanExpr(int depth) {
    if (depth == 0 || uniform(0, 2) == 0) {
      static const char *predicates[] = {"slt", "sle", "sgt", "sge", "eq", "ne", "ult"};
      std::string x = indexExpr(2), y = indexExpr(1);
      return regionValue(std::string("arith.cmpi ") + predicates[uniform(0, 6)] + ", " +
                             x + ", " + y, "index");
    }
    std::string a = booleanExpr(depth - 1), b = booleanExpr(depth - 1);
    switch (uniform(0, 4)) {
    case 0: case 1: return regionValue("arith.andi " + a + ", " + b, "i1");
    case 2: case 3: return regionValue("arith.ori " + a + ", " + b, "i1");
    default: return regionValue("arith.xori " + a + ", " + b, "i1");
    }
  }

  std::string leaf() {
    if (predicates && uniform(0, 2) == 0)
      return predicateLeaf();
    int64_t block = powerOfTwo(3, 7);
    switch (uniform(0, content ? 11 : 7)) {
    case 0: return emit("spattn.window " + budget(0, 300));
    case 1: return emit("spattn.window " + budget(0, 200) + " symmetric");
    case 2: return emit("spattn.sink " + budget(0, 200));
    case 3: return emit("spattn.global_queries " + budget(0, 200));
    case 4: return emit("spattn.strided " + budget(1, 40));
    case 5: {
      std::string w = budget(0, 30), t = budget(1, 9);
      return emit("spattn.dilated_window " + w + " dilation " + t);
    }
    case 6: {
      std::string rows;
      int64_t n = uniform(1, 8), m = uniform(1, 8);
      for (int64_t r = 0; r < n; ++r) {
        rows += r ? ", \"" : "\"";
        for (int64_t c = 0; c < m; ++c)
          rows += uniform(0, 1) ? '1' : '0';
        rows += "\"";
      }
      return emit("spattn.block_layout [" + rows + "] block " +
                  std::to_string(block));
    }
    case 7:
      return emit("spattn.random_blocks " + budget(0, 6) + " block " +
                  std::to_string(block) + " {seed = " +
                  std::to_string(uniform(0, 999)) + " : i64}");
    case 8:
      return emit("spattn.topk_blocks " + budget(0, 6) + " block " +
                  std::to_string(block));
    case 9:
      return emit("spattn.mass " + budget(0, 6) + " gamma " +
                  std::to_string(uniform(1, 10) / 10.0) + " block " +
                  std::to_string(block));
    case 10:
      return emit("spattn.pages " + budget(0, 6) + " page " +
                  std::to_string(powerOfTwo(2, 6)));
    default: {
      std::string nv = budget(0, 40), ns = budget(0, 40), last = budget(1, 64);
      return emit("spattn.vertical_slash " + nv + ", " + ns + " last " + last);
    }
    }
  }

  std::string tree(int depth) {
    if (depth == 0 || uniform(0, 2) == 0)
      return leaf();
    std::string op = uniform(0, 1) ? "spattn.union " : "spattn.intersect ";
    for (int64_t c = uniform(2, 3); c > 0; --c) {
      std::string child = tree(depth - 1);
      op += child + (c > 1 ? ", " : "");
    }
    return emit(op);
  }

  std::string perHead() {
    std::string a = tree(1), b = tree(1);
    return emit("spattn.per_head " + a + ", " + b + " heads [0, " +
                std::to_string(uniform(1, heads - 1)) + "]");
  }

  std::mt19937 rng;
  std::ostringstream body, region;
  int regionNext = 0;
  bool predicates = false;
  int next = 0;
  bool content = true;
  int64_t heads = 1;
};

} // namespace spattn::test

#endif
