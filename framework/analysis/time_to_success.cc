#include "time_to_success.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

namespace stride::analysis {
namespace {

// value [low, high], "≥ value [...]" when censored runs make it a lower bound
std::string Bounded(const TimeStatistic& t, bool censored,
                    const std::function<std::string(double)>& format) {
  if (!std::isfinite(t.value)) return "—";
  return fmt::format("{}{} [{}, {}]", censored ? "≥ " : "", format(t.value), format(t.interval.low),
                     format(t.interval.high));
}

// "583", "12.5k", "1.2M"
std::string Steps(double steps) {
  return std::fabs(steps) >= 1e3 ? FormatSteps(steps) : fmt::format("{:.0f}", steps);
}

std::string Seconds(double seconds) {
  return std::isfinite(seconds) ? fmt::format("{:.1f}", seconds) : "—";
}

TimeStatistic Statistic(const std::vector<double>& times,
                        const std::function<double(std::vector<double>)>& statistic, int reps,
                        uint64_t seed) {
  for (double t : times) {
    if (!std::isfinite(t)) return {std::nan(""), {std::nan(""), std::nan("")}};
  }
  TimeStatistic out;
  out.value = statistic(times);
  out.interval = StratifiedBootstrapInterval(
      {times}, [&](const TaskScores& s) { return statistic(Pooled(s)); }, reps, seed);
  return out;
}

}  // namespace

std::optional<RunSuccess> SuccessOf(const RunData& run) {
  if (!run.eval.Has("success") || run.eval.rows.empty()) return std::nullopt;
  const std::vector<double> steps = run.eval.Values("step");
  const std::vector<double> success = run.eval.Values("success");
  const std::vector<double> seconds = run.eval.Has("train_time_s")
                                          ? run.eval.Values("train_time_s")
                                          : std::vector<double>(steps.size(), std::nan(""));
  RunSuccess out;
  out.dir = run.dir;
  out.seed = run.seed;
  size_t row = 0;
  while (row + 1 < success.size() && success[row] != 1.0) ++row;
  out.succeeded = success[row] == 1.0;
  out.steps = steps[row];
  out.seconds = seconds[row];
  return out;
}

std::vector<VariantSuccess> SummarizeSuccess(const std::vector<Group>& groups, int reps,
                                             uint64_t seed) {
  std::vector<VariantSuccess> variants;
  for (const Group& group : groups) {
    VariantSuccess v;
    v.label = group.label;
    for (const RunData& run : group.runs) {
      if (std::optional<RunSuccess> success = SuccessOf(run)) v.runs.push_back(*success);
    }
    if (v.runs.empty()) continue;
    std::vector<double> steps, seconds;
    for (const RunSuccess& run : v.runs) {
      v.succeeded += run.succeeded ? 1 : 0;
      steps.push_back(run.steps);
      seconds.push_back(run.seconds);
    }
    v.censored = v.succeeded < static_cast<int>(v.runs.size());
    v.median_steps = Statistic(steps, Median, reps, seed);
    v.iqm_steps = Statistic(steps, InterquartileMean, reps, seed);
    v.median_seconds = Statistic(seconds, Median, reps, seed);
    v.iqm_seconds = Statistic(seconds, InterquartileMean, reps, seed);
    variants.push_back(std::move(v));
  }
  return variants;
}

std::string SuccessSection(const std::vector<VariantSuccess>& variants, int reps) {
  std::string out = fmt::format(
      "\n## Time to success\n\n"
      "A run's time to success is its first evaluation that met the experiment's success "
      "criterion (`[evaluation] success`), in environment steps and in training wall-clock "
      "seconds (evaluations excluded). Runs that never met it are **censored at their budget**: "
      "they count with the steps and seconds of their last evaluation, so for a variant with "
      "censored runs the median and IQM are lower bounds (marked ≥). Intervals are 95% "
      "percentile intervals of {} bootstrap resamples of the runs.\n\n"
      "| variant | succeeded | median steps [95% CI] | IQM steps [95% CI] | median seconds "
      "[95% CI] | IQM seconds [95% CI] |\n|---|---|---|---|---|---|\n",
      reps);
  for (const VariantSuccess& v : variants) {
    out += fmt::format("| {} | {}/{} ({:.2f}) | {} | {} | {} | {} |\n", v.label, v.succeeded,
                       v.runs.size(), static_cast<double>(v.succeeded) / v.runs.size(),
                       Bounded(v.median_steps, v.censored, Steps),
                       Bounded(v.iqm_steps, v.censored, Steps),
                       Bounded(v.median_seconds, v.censored, Seconds),
                       Bounded(v.iqm_seconds, v.censored, Seconds));
  }
  out += "\n| run | first success: steps | training seconds |\n|---|---|---|\n";
  for (const VariantSuccess& v : variants) {
    for (const RunSuccess& run : v.runs) {
      out += run.succeeded
                 ? fmt::format("| `{}` | {:.0f} | {} |\n", run.dir, run.steps, Seconds(run.seconds))
                 : fmt::format("| `{}` | never: censored at {:.0f} | {} |\n", run.dir, run.steps,
                               Seconds(run.seconds));
    }
  }
  out +=
      "\n![Fraction of runs succeeded against environment steps](success_vs_steps.svg)\n\n"
      "![Fraction of runs succeeded against training time](success_vs_time.svg)\n";
  return out;
}

std::string SuccessCsv(const std::vector<VariantSuccess>& variants) {
  std::string out =
      "variant,runs,succeeded,censored,median_steps,median_steps_low,median_steps_high,"
      "iqm_steps,iqm_steps_low,iqm_steps_high,median_seconds,median_seconds_low,"
      "median_seconds_high,iqm_seconds,iqm_seconds_low,iqm_seconds_high\n";
  for (const VariantSuccess& v : variants) {
    out += fmt::format("{},{},{},{}", CsvField(v.label), v.runs.size(), v.succeeded,
                       v.censored ? 1 : 0);
    for (const TimeStatistic& t : {v.median_steps, v.iqm_steps, v.median_seconds, v.iqm_seconds}) {
      out += fmt::format(",{},{},{}", t.value, t.interval.low, t.interval.high);
    }
    out += "\n";
  }
  return out;
}

LinePlot SuccessCurves(const std::vector<VariantSuccess>& variants, bool by_seconds) {
  LinePlot plot{by_seconds ? "Runs succeeded against training time"
                           : "Runs succeeded against environment steps",
                by_seconds ? "training wall-clock time (minutes)" : "environment steps",
                "fraction of runs succeeded",
                {},
                by_seconds ? nullptr : std::function<std::string(double)>(FormatSteps)};
  for (const VariantSuccess& v : variants) {
    // a step function from 0 to the longest budget, rising at each success
    const auto time = [by_seconds](const RunSuccess& run) {
      return by_seconds ? run.seconds / 60.0 : run.steps;
    };
    std::vector<double> successes;
    double end = 0.0;
    for (const RunSuccess& run : v.runs) {
      if (std::isfinite(time(run))) end = std::max(end, time(run));
      if (run.succeeded && std::isfinite(time(run))) successes.push_back(time(run));
    }
    std::sort(successes.begin(), successes.end());
    const double n = static_cast<double>(v.runs.size());
    Series series{v.label, {0.0}, {0.0}, {}, {}};
    for (size_t k = 0; k < successes.size(); ++k) {
      series.x.insert(series.x.end(), {successes[k], successes[k]});
      series.y.insert(series.y.end(), {k / n, (k + 1) / n});
    }
    series.x.push_back(end);
    series.y.push_back(successes.size() / n);
    plot.series.push_back(std::move(series));
  }
  return plot;
}

}  // namespace stride::analysis
