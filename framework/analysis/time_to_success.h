// Time to success for stride compare: when each run first met its
// experiment's success criterion (eval.csv's success and train_time_s
// columns), per variant the fraction of runs that did, and the median and IQM
// time with bootstrap intervals. A run that never succeeded is censored at its
// budget: it counts with the step and training time of its last evaluation.
#ifndef STRIDE_ANALYSIS_TIME_TO_SUCCESS_H_
#define STRIDE_ANALYSIS_TIME_TO_SUCCESS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run_data.h"
#include "statistics.h"
#include "svg_plot.h"

namespace stride::analysis {

struct RunSuccess {
  std::string dir;
  int64_t seed = 0;
  bool succeeded = false;
  // the first successful evaluation, or the budget (the last evaluation) of a
  // run that never succeeded; seconds are training wall-clock, evaluations
  // excluded, NaN when eval.csv lacks train_time_s
  double steps = 0.0;
  double seconds = 0.0;
};

// the run's time to success; nullopt for a run without a success criterion
std::optional<RunSuccess> SuccessOf(const RunData& run);

// one statistic of times with its 95% bootstrap interval
struct TimeStatistic {
  double value = 0.0;
  Interval interval;
};

struct VariantSuccess {
  std::string label;
  std::vector<RunSuccess> runs;
  int succeeded = 0;
  // censored runs enter at their budget, so with any of them these are lower bounds
  bool censored = false;
  TimeStatistic median_steps, iqm_steps, median_seconds, iqm_seconds;
};

// the variants whose runs have a success criterion, in order
std::vector<VariantSuccess> SummarizeSuccess(const std::vector<Group>& groups, int reps,
                                             uint64_t seed);

// the report's time-to-success section: method, table, runs, figures
std::string SuccessSection(const std::vector<VariantSuccess>& variants, int reps);
// time_to_success.csv: one row per variant
std::string SuccessCsv(const std::vector<VariantSuccess>& variants);
// the fraction of each variant's runs that had succeeded, against environment
// steps (by_seconds false) or training minutes
LinePlot SuccessCurves(const std::vector<VariantSuccess>& variants, bool by_seconds);

}  // namespace stride::analysis

#endif  // STRIDE_ANALYSIS_TIME_TO_SUCCESS_H_
