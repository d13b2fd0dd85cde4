#include "equal_budget.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "svg_plot.h"

namespace stride::analysis {
namespace {

// the return of the run's last evaluation whose column value is within budget, NaN if none
double ReturnWithin(const RunData& run, const std::string& column, double budget) {
  const std::vector<double> within = run.eval.Values(column);
  const std::vector<double> returns = run.eval.Values("mean_return");
  double last = std::nan("");
  for (size_t i = 0; i < within.size(); ++i) {
    if (within[i] <= budget) last = returns[i];
  }
  return last;
}

BudgetScores ScoresWithin(const Group& group, const std::string& column, double budget, int reps,
                          uint64_t seed) {
  BudgetScores scores;
  scores.label = group.label;
  for (const RunData& run : group.runs) {
    const double value = ReturnWithin(run, column, budget);
    if (std::isfinite(value)) {
      scores.returns.push_back(value);
    } else {
      ++scores.missing;
    }
  }
  if (scores.returns.empty()) {
    scores.iqm = std::nan("");
    scores.interval = {std::nan(""), std::nan("")};
    return scores;
  }
  scores.iqm = InterquartileMean(scores.returns);
  scores.interval = StratifiedBootstrapInterval(
      {scores.returns}, [](const TaskScores& s) { return InterquartileMean(Pooled(s)); }, reps,
      seed);
  return scores;
}

std::string Cell(const BudgetScores& scores) {
  if (scores.returns.empty()) return "— (no evaluation yet)";
  std::string cell =
      fmt::format("{:.1f} [{:.1f}, {:.1f}]", scores.iqm, scores.interval.low, scores.interval.high);
  if (scores.missing > 0) {
    cell += fmt::format(" ({} of {} runs)", scores.returns.size(),
                        scores.returns.size() + scores.missing);
  }
  return cell;
}

}  // namespace

std::optional<EqualBudget> SummarizeEqualBudget(const std::vector<Group>& groups,
                                                const std::string& reference, int reps,
                                                uint64_t seed) {
  EqualBudget budget;
  budget.steps = std::numeric_limits<double>::infinity();
  std::vector<double> reference_seconds;
  for (const Group& group : groups) {
    for (const RunData& run : group.runs) {
      if (!run.eval.Has("train_time_s") || run.eval.rows.empty()) return std::nullopt;
      budget.steps = std::min(budget.steps, run.eval.Values("step").back());
      if (group.label == reference) {
        reference_seconds.push_back(run.eval.Values("train_time_s").back());
      }
    }
  }
  if (reference_seconds.empty()) return std::nullopt;
  budget.seconds = Median(reference_seconds);
  for (const Group& group : groups) {
    budget.at_steps.push_back(ScoresWithin(group, "step", budget.steps, reps, seed));
    budget.at_seconds.push_back(ScoresWithin(group, "train_time_s", budget.seconds, reps, seed));
  }
  return budget;
}

std::string EqualBudgetSection(const EqualBudget& budget, const std::string& reference, int reps) {
  std::string out = "\n## Equal budgets\n\n";
  out += fmt::format(
      "Each run's deterministic evaluation return at two budgets: the most environment steps "
      "every run reached ({} steps), and the training wall-clock `{}` needed for its whole run "
      "(median over its runs: {:.1f} minutes, evaluations excluded). A run counts with its last "
      "evaluation within the budget, or its final one if it finished sooner. IQM over runs with "
      "the 95% interval of {} stratified bootstrap resamples. Wall-clock compares only runs "
      "made together on one machine (see Throughput).\n\n",
      FormatSteps(budget.steps), reference, budget.seconds / 60.0, reps);
  out += fmt::format("| variant | return at {} steps | return at {:.1f} training minutes |\n",
                     FormatSteps(budget.steps), budget.seconds / 60.0);
  out += "|---|---|---|\n";
  for (size_t i = 0; i < budget.at_steps.size(); ++i) {
    out += fmt::format("| {} | {} | {} |\n", budget.at_steps[i].label, Cell(budget.at_steps[i]),
                       Cell(budget.at_seconds[i]));
  }
  out += "\n![Evaluation return against training wall-clock](eval_vs_time.svg)\n";
  return out;
}

}  // namespace stride::analysis
