//===- Calibrate.cpp - The whole calibration of one spec ------------------===//
#include "Calibrate.h"

#include "Fit.h"
#include "Rewrite.h"
#include "Tunables.h"

using namespace mlir;
using namespace mlir::spattn;

namespace spattn::calibrate {

namespace {

/// One head range with the tunables that decide it and their settings.
struct Plan {
  int64_t begin, end;
  std::vector<size_t> which;
  std::vector<double> fitted, fixed;
};

/// Budget sites (SpecEvaluator order) that depend on one of `which`.
std::vector<size_t> shownBudgets(SpecOp spec,
                                 const std::vector<Tunable> &tunables,
                                 const std::vector<size_t> &which) {
  std::vector<size_t> shown;
  std::vector<BudgetSite> sites = budgetSitesOf(spec.getBody().front());
  for (size_t s = 0; s < sites.size(); ++s) {
    llvm::SmallPtrSet<Operation *, 16> slice = backwardSliceOf(sites[s].value);
    if (llvm::any_of(which, [&](size_t t) {
          return slice.contains(tunables[t].op);
        }))
      shown.push_back(s);
  }
  return shown;
}

/// Evaluates one setting of one range for the report.
FailureOr<Setting> settingOf(Evaluator &evaluator,
                             const std::vector<Tunable> &tunables,
                             const Plan &plan, const std::vector<double> &values,
                             const std::vector<size_t> &shown,
                             const std::vector<int64_t> &curveLengths) {
  Setting setting;
  applyValues(tunables, plan.which, values);
  for (size_t s = 0; s < plan.which.size(); ++s)
    setting.values.push_back({tunables[plan.which[s]].label, values[s]});
  FailureOr<std::vector<LengthStats>> stats =
      evaluator.evaluate(plan.begin, plan.end);
  if (failed(stats))
    return failure();
  setting.stats = std::move(*stats);
  if (!shown.empty()) {
    SpecEvaluator spec(evaluator.spec());
    for (int64_t length : curveLengths) {
      FailureOr<std::vector<int64_t>> budgets =
          spec.evaluateBudgets(length, evaluator.request());
      if (failed(budgets))
        return failure();
      setting.curve.push_back((*budgets)[shown.front()]);
    }
  }
  return setting;
}

/// Drops from each group the tunables that change no budget at any data
/// length under the evaluator's request (say, the branch of another request
/// class): fitting them would only move them to a bound. `kept` lists the
/// labels of the tunables left.
LogicalResult dropUnreadTunables(Evaluator &evaluator,
                                 const std::vector<Tunable> &tunables,
                                 std::vector<HeadGroup> &groups,
                                 std::vector<std::string> &dropped) {
  std::vector<bool> read(tunables.size(), false);
  for (size_t t = 0; t < tunables.size(); ++t) {
    double original = tunableValue(tunables[t]);
    setTunableValue(tunables[t], tunables[t].lo);
    FailureOr<std::vector<std::vector<int64_t>>> low = evaluator.keys();
    setTunableValue(tunables[t], tunables[t].hi);
    FailureOr<std::vector<std::vector<int64_t>>> high = evaluator.keys();
    setTunableValue(tunables[t], original);
    if (failed(low) || failed(high))
      return failure();
    read[t] = *low != *high;
    if (!read[t])
      dropped.push_back(tunables[t].label);
  }
  for (HeadGroup &group : groups)
    llvm::erase_if(group.tunables, [&](size_t t) { return !read[t]; });
  return success();
}

} // namespace

FailureOr<Report> calibrate(SpecOp spec, const Dataset &data,
                            const CalibrateOptions &options,
                            std::string &error) {
  FailureOr<std::vector<Tunable>> tunables = collectTunables(spec);
  if (failed(tunables))
    return failure();
  FailureOr<std::vector<HeadGroup>> groups = headGroupsOf(spec, *tunables);
  if (failed(groups))
    return failure();
  if (options.proposeGroups > 0 && groups->size() > 1)
    return spec.emitError()
           << "--propose-groups takes a spec without spattn.per_head; this "
              "one has "
           << groups->size() << " head groups already";

  Evaluator evaluator(spec, data, options.jobs, options.request);
  std::vector<std::string> dropped;
  if (failed(dropUnreadTunables(evaluator, *tunables, *groups, dropped)))
    return failure();
  for (const HeadGroup &group : *groups)
    if (group.tunables.empty()) {
      error = group.name() + ": no tunable budget changes at the data's lengths" +
              (options.request.empty() ? std::string()
                                       : " under this request") +
              " (marks read by nothing: " + llvm::join(dropped, ", ") + ")";
      return failure();
    }
  FitOptions fitOptions;
  fitOptions.target = options.recall;
  fitOptions.gridPoints = options.gridPoints;
  fitOptions.refineRounds = options.refineRounds;
  FitOptions fixedOptions = fitOptions;
  fixedOptions.fixedBudget = true;

  Report report;
  report.specName = spec.getSymName().str();
  report.target = options.recall;
  report.headDim = evaluator.config().headDim;
  for (const BudgetSite &site : budgetSitesOf(spec.getBody().front()))
    report.budgetLabels.push_back(site.label);
  report.lengths = data.lengths;
  for (int64_t length : data.lengths)
    report.samplesPerLength.push_back(
        llvm::count_if(data.samples, [&](const Sample &s) {
          return s.length == length;
        }));
  int64_t lo = data.lengths.front(), hi = data.lengths.back();
  int64_t step = std::max<int64_t>(1, (hi - lo) / 512);
  for (int64_t length = lo; length < hi; length += step)
    report.curveLengths.push_back(length);
  report.curveLengths.push_back(hi);

  // The fixed baseline, per group of the spec as given.
  std::vector<Plan> baselines;
  for (const HeadGroup &group : *groups) {
    Plan plan{group.begin, group.end, group.tunables, {}, {}};
    FailureOr<FitResult> fixed = fitHeads(evaluator, *tunables, group.tunables,
                                          group.begin, group.end, fixedOptions);
    if (failed(fixed))
      return failure();
    if (!fixed->feasible) {
      error = group.name() + ": no budget constant in L meets the target (" +
              fixed->miss + "); raise the coeff or fraction upper bounds";
      return failure();
    }
    plan.fixed = fixed->values;
    baselines.push_back(std::move(plan));
  }

  // The fitted settings.
  std::vector<Plan> plans;
  std::vector<ProposedGroup> proposed;
  if (options.proposeGroups > 0) {
    std::string miss;
    FailureOr<std::vector<ProposedGroup>> split =
        proposeGroups(evaluator, *tunables, evaluator.config().numQHeads,
                      options.proposeGroups, fitOptions, miss);
    if (failed(split))
      return failure();
    if (split->empty()) {
      error = "no split into at most " + std::to_string(options.proposeGroups) +
              " head groups meets the target: all heads: " + miss;
      return failure();
    }
    proposed = std::move(*split);
    for (const ProposedGroup &group : proposed)
      plans.push_back({group.begin, group.end, baselines.front().which,
                       group.fit.values, baselines.front().fixed});
    report.groupsNote =
        "Head groups proposed by --propose-groups " +
        std::to_string(options.proposeGroups) + " (" +
        std::to_string(proposed.size()) +
        " chosen); the fixed baseline is one setting for all heads.";
  } else {
    for (size_t g = 0; g < groups->size(); ++g) {
      const HeadGroup &group = (*groups)[g];
      FailureOr<FitResult> fit = fitHeads(evaluator, *tunables, group.tunables,
                                          group.begin, group.end, fitOptions);
      if (failed(fit))
        return failure();
      if (!fit->feasible) {
        error = group.name() + ": " + fit->miss +
                "; raise the upper bounds of its tunables";
        return failure();
      }
      plans.push_back({group.begin, group.end, group.tunables, fit->values,
                       baselines[g].fixed});
    }
    report.groupsNote = groups->size() > 1
                            ? "Head groups: the spec's spattn.per_head inputs, "
                              "each fitted (and its baseline) on its own heads."
                            : "";
  }

  if (!options.request.empty()) {
    const SpecConfig &config = evaluator.config();
    std::string request;
    for (size_t k = 0; k < options.request.size(); ++k)
      request += (k ? ", " : "") + config.requestNames[k] + "=" +
                 std::to_string(options.request[k]);
    report.groupsNote += (report.groupsNote.empty() ? "" : " ") +
                         std::string("Fitted for the request class ") + request +
                         (dropped.empty() ? "."
                                          : "; tunables it does not read, kept "
                                            "as written: " +
                                                llvm::join(dropped, ", ") + ".");
  }

  for (const Plan &plan : plans) {
    GroupReport group;
    group.begin = plan.begin;
    group.end = plan.end;
    group.name = HeadGroup{plan.begin, plan.end, {}}.name();
    group.shownBudgets = shownBudgets(spec, *tunables, plan.which);
    FailureOr<Setting> fixed = settingOf(evaluator, *tunables, plan, plan.fixed,
                                         group.shownBudgets, report.curveLengths);
    if (failed(fixed))
      return failure();
    FailureOr<Setting> fitted =
        settingOf(evaluator, *tunables, plan, plan.fitted, group.shownBudgets,
                  report.curveLengths);
    if (failed(fitted))
      return failure();
    group.fixed = std::move(*fixed);
    group.fitted = std::move(*fitted);
    report.groups.push_back(std::move(group));
  }

  // The fitted spec.
  if (!proposed.empty()) {
    if (failed(splitIntoGroups(spec, *tunables, proposed)))
      return failure();
  } else {
    for (const Plan &plan : plans)
      applyValues(*tunables, plan.which, plan.fitted);
  }
  return report;
}

} // namespace spattn::calibrate
