//===- Fit.cpp - Fit tunable budget coefficients to a recall target -------===//
#include "Fit.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace spattn::calibrate {

namespace {

/// One searched tunable and its range.
struct Axis {
  size_t slot; // index into the fit's `which`
  double lo, hi;
  bool geometric; // coefficients: spaced by ratio
};

double interpolate(const Axis &axis, double lo, double hi, int i, int n) {
  if (n <= 1 || lo == hi)
    return hi;
  double t = double(i) / double(n - 1);
  if (i == n - 1)
    return hi;
  return axis.geometric ? lo * std::pow(hi / lo, t) : lo + (hi - lo) * t;
}

/// `x` rounded up to `digits` significant decimal digits.
double ceilSignificant(double x, int digits) {
  if (!(x > 0))
    return x;
  double scale = std::pow(10.0, digits - 1 - std::floor(std::log10(x)));
  return std::ceil(x * scale - 1e-9) / scale;
}

/// `x` rounded to the nearest value with `digits` significant digits.
double roundSignificant(double x, int digits) {
  if (!(x > 0))
    return x;
  double scale = std::pow(10.0, digits - 1 - std::floor(std::log10(x)));
  return std::round(x * scale) / scale;
}

class Search {
public:
  Search(Evaluator &evaluator, const std::vector<Tunable> &tunables,
         const std::vector<size_t> &which, int64_t begin, int64_t end,
         const FitOptions &options)
      : evaluator(evaluator), tunables(tunables), which(which), begin(begin),
        end(end), options(options) {}

  FailureOr<FitResult> run();

private:
  void set(size_t slot, double value) {
    current[slot] = value;
    setTunableValue(tunables[which[slot]], value);
  }
  FailureOr<bool> feasible(double *missRecall = nullptr, int *missAt = nullptr);
  FailureOr<int64_t> keptPairs();
  /// Bisects the bisection axis at the current grid point; updates best.
  LogicalResult bisectAndScore();
  LogicalResult scanGrid(const std::vector<std::pair<double, double>> &ranges,
                         int points);

  Evaluator &evaluator;
  const std::vector<Tunable> &tunables;
  const std::vector<size_t> &which;
  int64_t begin, end;
  FitOptions options;

  std::vector<double> current;
  std::vector<Axis> grid;
  std::optional<Axis> bisect;
  std::vector<size_t> order; // lengths to check first

  bool found = false;
  std::vector<double> best;
  int64_t bestPairs = 0;
};

FailureOr<bool> Search::feasible(double *missRecall, int *missAt) {
  FailureOr<int> miss =
      evaluator.firstMiss(begin, end, options.target, order, missRecall);
  if (failed(miss))
    return failure();
  if (missAt)
    *missAt = *miss;
  return *miss < 0;
}

FailureOr<int64_t> Search::keptPairs() {
  FailureOr<std::vector<std::vector<int64_t>>> keys = evaluator.keys();
  if (failed(keys))
    return failure();
  int64_t pairs = 0;
  for (size_t l = 0; l < keys->size(); ++l) {
    FailureOr<Totals> totals = evaluator.totalsAt(l, (*keys)[l], begin, end);
    if (failed(totals))
      return failure();
    pairs += totals->keptPairs;
  }
  return pairs;
}

/// True if `a` is preferred over `b` at equal kept FLOPs: smaller
/// coefficients first, then smaller exponents.
bool preferTie(const std::vector<double> &a, const std::vector<double> &b,
               const std::vector<Tunable> &tunables,
               const std::vector<size_t> &which) {
  for (bool exponents : {false, true})
    for (size_t s = 0; s < which.size(); ++s) {
      if (tunables[which[s]].isExponent() != exponents || a[s] == b[s])
        continue;
      return a[s] < b[s];
    }
  return false;
}

LogicalResult Search::bisectAndScore() {
  if (bisect) {
    const Axis &axis = *bisect;
    set(axis.slot, axis.hi);
    FailureOr<bool> ok = feasible();
    if (failed(ok))
      return failure();
    if (!*ok)
      return success(); // this grid point cannot meet the target
    set(axis.slot, axis.lo);
    if (failed(ok = feasible()))
      return failure();
    if (!*ok) {
      double miss = axis.lo, hit = axis.hi;
      for (int step = 0; step < 100; ++step) {
        bool close = axis.geometric ? hit / miss - 1 < 1e-7
                                    : hit - miss < 1e-7 * std::max(1.0, hit);
        if (close)
          break;
        double mid = axis.geometric ? std::sqrt(miss * hit) : (miss + hit) / 2;
        set(axis.slot, mid);
        if (failed(ok = feasible()))
          return failure();
        (*ok ? hit : miss) = mid;
      }
      // The shortest value (fewest significant digits, rounded to nearest
      // or up) that evaluates to the same budgets at every data length as
      // the bisection's answer, so has the same recall and FLOPs.
      set(axis.slot, hit);
      FailureOr<std::vector<std::vector<int64_t>>> target = evaluator.keys();
      if (failed(target))
        return failure();
      double chosen = hit;
      for (int digits = 1; digits <= 9 && chosen == hit; ++digits)
        for (double candidate :
             {roundSignificant(hit, digits), ceilSignificant(hit, digits)}) {
          if (candidate > axis.hi || candidate < axis.lo)
            continue;
          set(axis.slot, candidate);
          FailureOr<std::vector<std::vector<int64_t>>> keys = evaluator.keys();
          if (failed(keys))
            return failure();
          if (*keys == *target) {
            chosen = candidate;
            break;
          }
        }
      set(axis.slot, chosen);
    }
  } else {
    FailureOr<bool> ok = feasible();
    if (failed(ok))
      return failure();
    if (!*ok)
      return success();
  }
  FailureOr<int64_t> pairs = keptPairs();
  if (failed(pairs))
    return failure();
  if (!found || *pairs < bestPairs ||
      (*pairs == bestPairs && preferTie(current, best, tunables, which))) {
    found = true;
    best = current;
    bestPairs = *pairs;
  }
  return success();
}

LogicalResult
Search::scanGrid(const std::vector<std::pair<double, double>> &ranges,
                 int points) {
  std::vector<int> index(grid.size(), 0);
  while (true) {
    for (size_t a = 0; a < grid.size(); ++a) {
      int n = ranges[a].first == ranges[a].second ? 1 : points;
      set(grid[a].slot, interpolate(grid[a], ranges[a].first,
                                    ranges[a].second, std::min(index[a], n - 1),
                                    n));
    }
    if (failed(bisectAndScore()))
      return failure();
    size_t a = 0;
    for (; a < grid.size(); ++a) {
      int n = ranges[a].first == ranges[a].second ? 1 : points;
      if (++index[a] < n)
        break;
      index[a] = 0;
    }
    if (a == grid.size())
      return success();
  }
}

FailureOr<FitResult> Search::run() {
  FitResult result;
  std::vector<double> original;
  for (size_t t : which)
    original.push_back(tunableValue(tunables[t]));
  current = original;
  auto restore = [&] {
    for (size_t s = 0; s < which.size(); ++s)
      set(s, original[s]);
  };

  // Axes; the fixed baseline pins exponents at 0.
  const int64_t longest = evaluator.data().lengths.back();
  std::vector<Axis> axes;
  for (size_t s = 0; s < which.size(); ++s) {
    const Tunable &t = tunables[which[s]];
    if (options.fixedBudget && t.isExponent()) {
      set(s, 0.0);
      continue;
    }
    double hi = t.hi;
    if (options.fixedBudget && t.attribute == "coeff")
      hi = std::max(hi, double(longest));
    axes.push_back({s, t.lo, hi, t.isCoefficient()});
  }
  for (size_t a = axes.size(); a-- > 0;)
    if (tunables[which[axes[a].slot]].isCoefficient()) {
      bisect = axes[a];
      axes.erase(axes.begin() + a);
      break;
    }
  if (!bisect && !axes.empty()) {
    bisect = axes.back();
    axes.pop_back();
  }
  grid = axes;

  // Every value grows the kept set, so the upper bounds decide feasibility.
  for (const Axis &axis : grid)
    set(axis.slot, axis.hi);
  if (bisect)
    set(bisect->slot, bisect->hi);
  double missRecall = 0;
  int missAt = -1;
  FailureOr<bool> ok = feasible(&missRecall, &missAt);
  if (failed(ok))
    return failure();
  if (!*ok) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "recall " << llvm::format("%.4f", missRecall) << " < "
       << llvm::format("%g", options.target) << " at L = "
       << evaluator.data().lengths[missAt] << " even at the upper bounds";
    result.miss = text;
    restore();
    return result;
  }

  int points = options.gridPoints;
  if (grid.size() > 1)
    points = std::max(
        3, int(std::floor(std::pow(double(options.gridPoints),
                                   1.0 / double(grid.size())) + 1e-9)));
  std::vector<std::pair<double, double>> ranges;
  for (const Axis &axis : grid)
    ranges.push_back({axis.lo, axis.hi});
  if (failed(scanGrid(ranges, points)))
    return failure();
  for (int round = 0; round < options.refineRounds && !grid.empty(); ++round) {
    // Zoom to one grid step either side of the best point.
    bool zoomed = false;
    for (size_t a = 0; a < grid.size(); ++a) {
      auto [lo, hi] = ranges[a];
      if (lo == hi)
        continue;
      double centre = best[grid[a].slot];
      double newLo, newHi;
      if (grid[a].geometric) {
        double ratio = std::pow(hi / lo, 1.0 / (points - 1));
        newLo = centre / ratio;
        newHi = centre * ratio;
      } else {
        double step = (hi - lo) / (points - 1);
        newLo = centre - step;
        newHi = centre + step;
      }
      ranges[a] = {std::max(grid[a].lo, newLo), std::min(grid[a].hi, newHi)};
      zoomed = true;
    }
    if (!zoomed || failed(scanGrid(ranges, points)))
      break;
  }
  if (!found) { // cannot happen: the upper bounds were feasible
    result.miss = "no grid point meets the target";
    restore();
    return result;
  }
  for (size_t s = 0; s < which.size(); ++s)
    set(s, best[s]);
  result.feasible = true;
  result.values = best;
  result.keptFlops = keptFlops(bestPairs, evaluator.config().headDim);
  return result;
}

} // namespace

FailureOr<FitResult> fitHeads(Evaluator &evaluator,
                              const std::vector<Tunable> &tunables,
                              const std::vector<size_t> &which, int64_t begin,
                              int64_t end, const FitOptions &options) {
  return Search(evaluator, tunables, which, begin, end, options).run();
}

FailureOr<std::vector<ProposedGroup>>
proposeGroups(Evaluator &evaluator, const std::vector<Tunable> &tunables,
              int64_t numHeads, int64_t maxGroups, const FitOptions &options,
              std::string &miss) {
  std::vector<size_t> all;
  for (size_t t = 0; t < tunables.size(); ++t)
    all.push_back(t);
  const double inf = std::numeric_limits<double>::infinity();
  // fits[a][b]: heads [a, b) as one group.
  std::vector<std::vector<FitResult>> fits(numHeads,
                                           std::vector<FitResult>(numHeads + 1));
  for (int64_t a = 0; a < numHeads; ++a)
    for (int64_t b = a + 1; b <= numHeads; ++b) {
      FailureOr<FitResult> fit =
          fitHeads(evaluator, tunables, all, a, b, options);
      if (failed(fit))
        return failure();
      fits[a][b] = std::move(*fit);
    }
  auto cost = [&](int64_t a, int64_t b) {
    return fits[a][b].feasible ? fits[a][b].keptFlops : inf;
  };
  // total[g][b]: heads [0, b) in exactly g groups; from[g][b]: last split.
  std::vector<std::vector<double>> total(maxGroups + 1,
                                         std::vector<double>(numHeads + 1, inf));
  std::vector<std::vector<int64_t>> from(maxGroups + 1,
                                         std::vector<int64_t>(numHeads + 1, -1));
  total[0][0] = 0;
  for (int64_t g = 1; g <= maxGroups; ++g)
    for (int64_t b = 1; b <= numHeads; ++b)
      for (int64_t a = g - 1; a < b; ++a)
        if (total[g - 1][a] + cost(a, b) < total[g][b]) {
          total[g][b] = total[g - 1][a] + cost(a, b);
          from[g][b] = a;
        }
  int64_t groups = 0;
  for (int64_t g = 1; g <= maxGroups; ++g)
    if (total[g][numHeads] < (groups ? total[groups][numHeads] : inf))
      groups = g;
  std::vector<ProposedGroup> result;
  if (!groups) {
    miss = fits[0][numHeads].miss;
    return result;
  }
  for (int64_t g = groups, b = numHeads; g > 0; --g) {
    int64_t a = from[g][b];
    result.insert(result.begin(), {a, b, fits[a][b]});
    b = a;
  }
  return result;
}

} // namespace spattn::calibrate
