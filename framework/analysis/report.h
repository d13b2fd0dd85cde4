// stride compare: final performance with confidence intervals, learning
// curves and reward-term breakdowns of several variants, as Markdown + SVG.
#ifndef STRIDE_ANALYSIS_REPORT_H_
#define STRIDE_ANALYSIS_REPORT_H_

#include <string>
#include <vector>

#include "run_data.h"
#include "statistics.h"

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
  double distance_mean = 0, distance_std = 0;
  int falls = 0, episodes = 0;
};

std::vector<VariantSummary> Summarize(const std::vector<Group>& groups,
                                      const std::string& reference, int reps);

// writes report.md, summary.csv and the figures into options.out_dir
std::vector<VariantSummary> WriteComparison(const CompareOptions& options);

}  // namespace stride::analysis

#endif  // STRIDE_ANALYSIS_REPORT_H_
