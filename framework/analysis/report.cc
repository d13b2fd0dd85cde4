#include "report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>

#include <fmt/format.h>

#include "equal_budget.h"
#include "robustness.h"
#include "run_table.h"
#include "stride/durable_file.h"
#include "stride/error.h"
#include "stride/suggest.h"
#include "svg_plot.h"
#include "time_to_success.h"

namespace stride::analysis {
namespace {

namespace fs = std::filesystem;

constexpr int kGridPoints = 100;
constexpr int kCurveReps = 2'000;
constexpr uint64_t kBootstrapSeed = 2021;
// reward terms are averaged over this last fraction of training
constexpr double kLastFraction = 0.1;

// eval.csv's columns that stride writes itself; the rest are episode metrics
constexpr const char* kEvaluationColumns[] = {
    "step", "episodes", "mean_return", "std_return", "train_time_s", "successes", "success"};

double LastValue(const Table& table, const std::string& column) {
  const std::vector<double> values = table.Values(column);
  return values.empty() ? std::nan("") : values.back();
}

// y at x on the polyline through the finite points; NaN outside them
double Interpolate(const std::vector<double>& xs, const std::vector<double>& ys, double x) {
  double px = std::nan(""), py = std::nan("");
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!std::isfinite(ys[i])) continue;
    if (xs[i] == x) return ys[i];
    if (xs[i] > x) {
      if (!std::isfinite(px)) return std::nan("");
      return py + (ys[i] - py) * (x - px) / (xs[i] - px);
    }
    px = xs[i];
    py = ys[i];
  }
  return std::nan("");
}

// one run's curve: x and y per row
struct RunCurve {
  std::vector<double> x, y;
};

// mean across runs on a common grid, with the 95% bootstrap band of the mean
Series MeanCurve(const std::string& label, const std::vector<RunCurve>& runs) {
  double end = 0.0;
  for (const RunCurve& run : runs) {
    if (!run.x.empty()) end = std::max(end, run.x.back());
  }
  Series series;
  series.label = label;
  for (int i = 0; i <= kGridPoints; ++i) {
    const double x = end * i / kGridPoints;
    std::vector<double> values;
    for (const RunCurve& run : runs) {
      const double y = Interpolate(run.x, run.y, x);
      if (std::isfinite(y)) values.push_back(y);
    }
    if (values.empty()) continue;
    series.x.push_back(x);
    series.y.push_back(Mean(values));
    Interval band{std::nan(""), std::nan("")};
    if (values.size() > 1) {
      band = StratifiedBootstrapInterval(
          {values}, [](const TaskScores& s) { return Mean(s[0]); }, kCurveReps,
          kBootstrapSeed + static_cast<uint64_t>(i));
    }
    series.low.push_back(band.low);
    series.high.push_back(band.high);
  }
  return series;
}

using CurveOf = std::function<RunCurve(const RunData&)>;

LinePlot Curves(const std::vector<Group>& groups, const CurveOf& curve_of, const std::string& title,
                const std::string& x_label, const std::string& y_label) {
  LinePlot plot{title, x_label, y_label, {}, nullptr};
  for (const Group& group : groups) {
    std::vector<RunCurve> runs;
    for (const RunData& run : group.runs) runs.push_back(curve_of(run));
    plot.series.push_back(MeanCurve(group.label, runs));
  }
  return plot;
}

// each term's per-episode return over the last part of training, per run
std::vector<double> TermReturns(const Group& group, const std::string& column) {
  std::vector<double> per_run;
  for (const RunData& run : group.runs) {
    if (!run.metrics.Has(column)) continue;
    const std::vector<double> steps = run.metrics.Values("step");
    const std::vector<double> values = run.metrics.Values(column);
    const double from = steps.empty() ? 0.0 : steps.back() * (1.0 - kLastFraction);
    std::vector<double> last;
    for (size_t i = 0; i < steps.size(); ++i) {
      if (steps[i] >= from && std::isfinite(values[i])) last.push_back(values[i]);
    }
    if (!last.empty()) per_run.push_back(Mean(last));
  }
  return per_run;
}

std::string MeanStd(const std::vector<double>& values, const char* format = "{:.1f}") {
  if (values.empty()) return "—";
  return fmt::format(fmt::runtime(std::string(format) + " ± " + format), Mean(values),
                     StdDev(values));
}

std::string WithInterval(double value, const Interval& interval, const char* format) {
  if (!std::isfinite(value)) return "—";
  return fmt::format(fmt::runtime(std::string(format) + " [" + format + ", " + format + "]"), value,
                     interval.low, interval.high);
}

std::string FinalTable(const std::vector<VariantSummary>& summaries, const std::string& reference) {
  std::string out = fmt::format(
      "| variant | runs | mean ± std | median | IQM [95% CI] | P(> {}) [95% CI] |\n"
      "|---|---|---|---|---|---|\n",
      reference);
  for (const VariantSummary& s : summaries) {
    out +=
        fmt::format("| {} | {} | {:.1f} ± {:.1f} | {:.1f} | {} | {} |\n", s.label, s.scores.size(),
                    s.mean, s.std, s.median, WithInterval(s.iqm, s.iqm_interval, "{:.1f}"),
                    WithInterval(s.improvement, s.improvement_interval, "{:.2f}"));
  }
  return out;
}

// every variant's episode metric names, in first-seen order
std::vector<std::string> MetricNames(const std::vector<VariantSummary>& summaries) {
  std::vector<std::string> names;
  for (const VariantSummary& s : summaries) {
    for (const auto& [name, finals] : s.metrics) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  return names;
}

// a variant's final values of one metric; empty if its runs lack it
const std::vector<double>& MetricFinals(const VariantSummary& s, const std::string& name) {
  static const std::vector<double> kNone;
  for (const auto& [metric, finals] : s.metrics) {
    if (metric == name) return finals;
  }
  return kNone;
}

std::string MetricTable(const std::vector<VariantSummary>& summaries) {
  const std::vector<std::string> names = MetricNames(summaries);
  std::string out = "| variant |";
  for (const std::string& name : names) out += " " + name + " |";
  out += "\n|---|";
  for (size_t i = 0; i < names.size(); ++i) out += "---|";
  out += "\n";
  for (const VariantSummary& s : summaries) {
    out += "| " + s.label + " |";
    for (const std::string& name : names) {
      out += " " + MeanStd(MetricFinals(s, name), "{:.3g}") + " |";
    }
    out += "\n";
  }
  return out;
}

std::string TermTable(const std::vector<Group>& groups) {
  std::vector<std::string> columns = {"episode_return"};
  for (const Group& group : groups) {
    for (const RunData& run : group.runs) {
      for (const std::string& column : run.metrics.columns) {
        if (column.rfind("return/", 0) == 0 &&
            std::find(columns.begin(), columns.end(), column) == columns.end()) {
          columns.push_back(column);
        }
      }
    }
  }
  std::string out = "| variant |";
  for (const std::string& column : columns) {
    out += " " + (column == "episode_return" ? std::string("total") : column.substr(7)) + " |";
  }
  out += "\n|---|";
  for (size_t i = 0; i < columns.size(); ++i) out += "---|";
  out += "\n";
  for (const Group& group : groups) {
    out += "| " + group.label + " |";
    for (const std::string& column : columns)
      out += " " + MeanStd(TermReturns(group, column)) + " |";
    out += "\n";
  }
  return out;
}

std::string ThroughputTable(const std::vector<Group>& groups) {
  std::string out =
      "| variant | steps per run | wall-clock per run (min) | env steps/s |\n"
      "|---|---|---|---|\n";
  for (const Group& group : groups) {
    std::vector<double> steps, minutes, rates;
    for (const RunData& run : group.runs) {
      const double step = LastValue(run.metrics, "step");
      const std::vector<double> clock = WallClock(run.metrics);
      const double seconds = clock.empty() ? std::nan("") : clock.back();
      steps.push_back(step);
      minutes.push_back(seconds / 60.0);
      rates.push_back(step / seconds);
    }
    out += fmt::format("| {} | {:.0f} | {} | {} |\n", group.label, Mean(steps),
                       MeanStd(minutes, "{:.1f}"), MeanStd(rates, "{:.0f}"));
  }
  return out;
}

std::string SummaryCsv(const std::vector<VariantSummary>& summaries) {
  const std::vector<std::string> names = MetricNames(summaries);
  std::string out = "variant,runs,mean,std,median,iqm,iqm_low,iqm_high,p_improvement,p_low,p_high";
  for (const std::string& name : names) out += fmt::format(",{0}_mean,{0}_std", name);
  out += "\n";
  for (const VariantSummary& s : summaries) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}", CsvField(s.label), s.scores.size(),
                       s.mean, s.std, s.median, s.iqm, s.iqm_interval.low, s.iqm_interval.high,
                       s.improvement, s.improvement_interval.low, s.improvement_interval.high);
    for (const std::string& name : names) {
      const std::vector<double>& finals = MetricFinals(s, name);
      out += finals.empty() ? ",nan,nan" : fmt::format(",{},{}", Mean(finals), StdDev(finals));
    }
    out += "\n";
  }
  return out;
}

// runs of one variant should differ only in their seed
std::vector<std::string> ConfigWarnings(const std::vector<Group>& groups) {
  std::vector<std::string> warnings;
  for (const Group& group : groups) {
    for (const RunData& run : group.runs) {
      if (run.config == group.runs.front().config) continue;
      warnings.push_back(fmt::format("{} and {} differ in more than the seed (config.toml)",
                                     group.runs.front().dir, run.dir));
    }
    for (const std::string& dir : group.unfinished) {
      warnings.push_back(fmt::format("{} has not finished (no policy.pt): left out", dir));
    }
  }
  return warnings;
}

std::string Report(const CompareOptions& options, const std::vector<Group>& groups,
                   const std::vector<VariantSummary>& summaries,
                   const std::vector<VariantSuccess>& successes,
                   const std::vector<RobustnessCurve>& robustness,
                   const std::optional<EqualBudget>& budget, const std::string& reference,
                   const std::vector<std::string>& warnings, bool has_eval_curves) {
  size_t runs = 0;
  for (const Group& group : groups) runs += group.runs.size();
  const RunData& any = groups.front().runs.front();
  const double episodes = LastValue(any.eval, "episodes");
  const double final_step = LastValue(any.eval, "step");
  bool same_budget = true;
  for (const Group& group : groups) {
    for (const RunData& run : group.runs) same_budget &= LastValue(run.eval, "step") == final_step;
  }
  const std::string final_evaluation =
      same_budget ? fmt::format("{:.0f} episodes at step {:.0f}", episodes, final_step)
                  : fmt::format(
                        "{:.0f} episodes at the run's last step; the variants' budgets "
                        "differ, see Equal budgets",
                        episodes);

  std::string out = fmt::format("# Comparison: {}\n\n", fmt::join(
                                                            [&] {
                                                              std::vector<std::string> labels;
                                                              for (const Group& group : groups)
                                                                labels.push_back(group.label);
                                                              return labels;
                                                            }(),
                                                            " vs "));
  out += fmt::format("`{}`: {} runs in {} variants; reference `{}`.\n\n", options.command, runs,
                     groups.size(), reference);
  for (const std::string& warning : warnings) out += "- warning: " + warning + "\n";

  out += "\n## Final performance\n\n";
  out += fmt::format(
      "A run's score is the mean return of its final deterministic evaluation ({}). Mean ± std (n "
      "− 1) and median are over runs. IQM is the interquartile "
      "mean over runs; P(> {}) is the probability that a run of the variant scores higher than a "
      "run of the reference (ties count half). Intervals are 95% percentile intervals of "
      "{} stratified bootstrap resamples of the runs (Agarwal et al., 2021, \"Deep RL at the "
      "Edge of the Statistical Precipice\").\n\n",
      final_evaluation, reference, options.reps);
  out += FinalTable(summaries, reference);
  out += "\n![IQM and 95% CI of the final return](final_return.svg)\n";
  if (!MetricNames(summaries).empty()) {
    out +=
        "\n## Episode metrics\n\nThe environment's episode metrics in the final "
        "evaluation: each run's mean over its episodes, then mean ± std across runs.\n\n";
    out += MetricTable(summaries);
  }
  if (!successes.empty()) out += SuccessSection(successes, options.reps);
  if (budget && groups.size() > 1) out += EqualBudgetSection(*budget, reference, options.reps);
  if (!robustness.empty()) out += RobustnessSection(robustness);

  out += "\n## Learning curves\n\n";
  out +=
      "Mean across seeds; the band is the 95% bootstrap interval of the mean. Training "
      "return is the mean return of the episodes that ended during each update.\n\n";
  out += "![Training return against environment steps](return_vs_steps.svg)\n\n";
  out += "![Training return against wall-clock time](return_vs_time.svg)\n";
  if (has_eval_curves) {
    out += "\n![Evaluation return against environment steps](eval_vs_steps.svg)\n";
  }

  out += fmt::format(
      "\n## Reward terms\n\nEach term's weighted return per episode over the last {:.0f}% of "
      "training, mean ± std across runs.\n\n",
      100 * kLastFraction);
  out += TermTable(groups);

  out +=
      "\n## Throughput\n\nWall-clock time depends on the machine and on how many runs "
      "shared it (stride run --jobs); compare it only between runs made together.\n\n";
  out += ThroughputTable(groups);

  out +=
      "\n## Every run\n\nEach run's final evaluation, its best (most successful attempts, then "
      "the highest mean return), its first that met the success criterion, and the episode "
      "metrics of its final evaluation; `runs.csv` holds the same, and each figure's data is "
      "the CSV file of its name.\n\n";
  out += RunsMarkdown(groups);

  out += "\n## Runs\n\n";
  for (const Group& group : groups) {
    std::vector<std::string> dirs;
    for (const RunData& run : group.runs) dirs.push_back("`" + run.dir + "`");
    out += fmt::format("- {}: {}\n", group.label, fmt::join(dirs, ", "));
  }
  return out;
}

}  // namespace

std::vector<std::string> MetricColumns(const Table& eval) {
  std::vector<std::string> columns;
  for (const std::string& column : eval.columns) {
    if (std::none_of(std::begin(kEvaluationColumns), std::end(kEvaluationColumns),
                     [&](const char* own) { return column == own; })) {
      columns.push_back(column);
    }
  }
  return columns;
}

std::vector<VariantSummary> Summarize(const std::vector<Group>& groups,
                                      const std::string& reference, int reps) {
  std::vector<VariantSummary> summaries;
  const VariantSummary* reference_summary = nullptr;
  for (const Group& group : groups) {
    VariantSummary s;
    s.label = group.label;
    for (const RunData& run : group.runs) {
      s.scores.push_back(LastValue(run.eval, "mean_return"));
      for (const std::string& column : MetricColumns(run.eval)) {
        auto finals = std::find_if(s.metrics.begin(), s.metrics.end(),
                                   [&](const auto& metric) { return metric.first == column; });
        if (finals == s.metrics.end()) finals = s.metrics.insert(s.metrics.end(), {column, {}});
        finals->second.push_back(LastValue(run.eval, column));
      }
    }
    s.mean = Mean(s.scores);
    s.std = StdDev(s.scores);
    s.median = Median(s.scores);
    s.iqm = InterquartileMean(s.scores);
    s.iqm_interval = StratifiedBootstrapInterval(
        {s.scores}, [](const TaskScores& x) { return InterquartileMean(Pooled(x)); }, reps,
        kBootstrapSeed);
    summaries.push_back(std::move(s));
  }
  for (const VariantSummary& s : summaries) {
    if (s.label == reference) reference_summary = &s;
  }
  for (VariantSummary& s : summaries) {
    if (&s == reference_summary) {
      s.improvement = std::nan("");
      s.improvement_interval = {std::nan(""), std::nan("")};
      continue;
    }
    s.improvement = ProbabilityOfImprovement({s.scores}, {reference_summary->scores});
    s.improvement_interval = ProbabilityOfImprovementInterval(
        {s.scores}, {reference_summary->scores}, reps, kBootstrapSeed);
  }
  return summaries;
}

Comparison WriteComparison(const CompareOptions& options) {
  std::vector<Group> groups = FindGroups(options.dirs);
  const std::vector<std::string> warnings = ConfigWarnings(groups);
  std::vector<std::string> labels;
  for (const Group& group : groups) labels.push_back(group.label);
  groups.erase(
      std::remove_if(groups.begin(), groups.end(), [](const Group& g) { return g.runs.empty(); }),
      groups.end());
  if (groups.empty()) {
    throw ConfigError(fmt::format("no finished runs under {}", fmt::join(options.dirs, ", ")));
  }
  const std::string reference =
      options.reference.empty() ? groups.front().label : options.reference;
  if (std::none_of(groups.begin(), groups.end(),
                   [&](const Group& g) { return g.label == reference; })) {
    throw ConfigError(
        fmt::format("--reference '{}' is not a variant with finished runs{}; "
                    "variants: {}",
                    reference, DidYouMean(reference, labels), fmt::join(labels, ", ")));
  }
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec || !fs::is_directory(options.out_dir)) {
    throw ConfigError(
        fmt::format("cannot create report directory '{}': {}", options.out_dir, ec.message()));
  }
  const fs::path out = options.out_dir;
  const auto write = [&out](const std::string& name, const std::string& text) {
    WriteFileAtomically((out / name).string(), text);
  };
  // a figure and, beside it, the data it draws
  const auto figure = [&write](const std::string& svg, const LinePlot& plot) {
    write(svg, RenderLinePlot(plot));
    write(svg.substr(0, svg.size() - 4) + ".csv", LinePlotCsv(plot));
  };
  const std::vector<VariantSummary> summaries = Summarize(groups, reference, options.reps);

  // figures
  std::vector<IntervalRow> rows;
  for (const VariantSummary& s : summaries) {
    rows.push_back({s.label, s.iqm, s.iqm_interval.low, s.iqm_interval.high});
  }
  write("final_return.svg",
        RenderIntervalPlot("Final evaluation return: IQM and 95% CI", "return", rows));
  write("final_return.csv", IntervalPlotCsv(rows));
  LinePlot steps = Curves(
      groups,
      [](const RunData& r) {
        return RunCurve{r.metrics.Values("step"), r.metrics.Values("episode_return")};
      },
      "Training return", "environment steps", "episode return");
  steps.x_format = FormatSteps;
  figure("return_vs_steps.svg", steps);
  LinePlot time = Curves(
      groups,
      [](const RunData& r) {
        std::vector<double> minutes = WallClock(r.metrics);
        for (double& m : minutes) m /= 60.0;
        return RunCurve{minutes, r.metrics.Values("episode_return")};
      },
      "Training return against wall-clock time", "wall-clock time (minutes)", "episode return");
  figure("return_vs_time.svg", time);
  bool has_eval_curves = true;
  for (const Group& group : groups) {
    for (const RunData& run : group.runs) has_eval_curves &= run.eval.rows.size() >= 2;
  }
  if (has_eval_curves) {
    LinePlot eval = Curves(
        groups,
        [](const RunData& r) {
          return RunCurve{r.eval.Values("step"), r.eval.Values("mean_return")};
        },
        "Evaluation return (deterministic policy)", "environment steps", "mean return");
    eval.x_format = FormatSteps;
    figure("eval_vs_steps.svg", eval);
  }

  const std::optional<EqualBudget> budget =
      SummarizeEqualBudget(groups, reference, options.reps, kBootstrapSeed);
  if (budget && groups.size() > 1) {
    figure("eval_vs_time.svg", Curves(
                                   groups,
                                   [](const RunData& r) {
                                     std::vector<double> minutes = r.eval.Values("train_time_s");
                                     for (double& m : minutes) m /= 60.0;
                                     return RunCurve{minutes, r.eval.Values("mean_return")};
                                   },
                                   "Evaluation return against training wall-clock",
                                   "training time (minutes)", "mean return"));
  }
  const std::vector<VariantSuccess> successes =
      SummarizeSuccess(groups, options.reps, kBootstrapSeed);
  const std::vector<RobustnessCurve> robustness =
      SummarizeRobustness(groups, options.reps, kBootstrapSeed);
  for (const RobustnessCurve& curve : robustness) {
    for (bool success : {true, false}) {
      figure(RobustnessFigure(curve, success), RobustnessPlot(curve, success));
    }
  }
  if (!successes.empty()) {
    write("time_to_success.csv", SuccessCsv(successes));
    figure("success_vs_steps.svg", SuccessCurves(successes, false));
    figure("success_vs_time.svg", SuccessCurves(successes, true));
  }

  write("summary.csv", SummaryCsv(summaries));
  write("runs.csv", RunsCsv(groups));
  write("report.md", Report(options, groups, summaries, successes, robustness, budget, reference,
                            warnings, has_eval_curves));
  return {summaries, successes};
}

}  // namespace stride::analysis
