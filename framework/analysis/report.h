// stride compare: final performance with confidence intervals, episode
// metrics, time to success, learning curves and reward-term breakdowns of
// several variants, as Markdown + SVG.
#ifndef STRIDE_ANALYSIS_REPORT_H_
#define STRIDE_ANALYSIS_REPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "run_data.h"
#include "statistics.h"
#include "time_to_success.h"

namespace stride::analysis {

struct CompareOptions {
  // result directories: an experiment's, a variant's, or a single run's
  std::vector<std::string> dirs;
  std::string out_dir;
  // the variant the others are compared with; "" for the first
  std::string reference;
  // bootstrap resamples for the final-performance intervals
  int reps = 50'000;
  // the command that made the report, quoted in it
  std::string command;
};

// one variant's final performance; a score is a run's final evaluation return
struct VariantSummary {
  std::string label;
  std::vector<double> scores;
  double mean = 0, std = 0, median = 0, iqm = 0;
  Interval iqm_interval;
  // P(this variant > reference); NaN for the reference itself
  double improvement = 0;
  Interval improvement_interval;
  // each episode metric of the environment: its mean in each run's final
  // evaluation, in eval.csv's column order
  std::vector<std::pair<std::string, std::vector<double>>> metrics;
};

// the columns of eval.csv that hold the environment's episode metrics
std::vector<std::string> MetricColumns(const Table& eval);

std::vector<VariantSummary> Summarize(const std::vector<Group>& groups,
                                      const std::string& reference, int reps);

struct Comparison {
  std::vector<VariantSummary> variants;
  // the variants with a success criterion
  std::vector<VariantSuccess> successes;
};

// writes report.md, summary.csv, time_to_success.csv (with a success
// criterion) and the figures into options.out_dir
Comparison WriteComparison(const CompareOptions& options);

}  // namespace stride::analysis

#endif  // STRIDE_ANALYSIS_REPORT_H_
