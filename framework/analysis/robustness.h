// Robustness for stride compare: each run's robustness.csv (its final policy
// under each perturbation magnitude), per variant the success rate and return
// against magnitude with 95% bootstrap intervals over runs, and the
// magnitudes each variant withstands.
#ifndef STRIDE_ANALYSIS_ROBUSTNESS_H_
#define STRIDE_ANALYSIS_ROBUSTNESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "run_data.h"
#include "statistics.h"
#include "svg_plot.h"

namespace stride::analysis {

// a mean over runs and its 95% bootstrap interval
struct MeanOverRuns {
  double mean = 0.0;
  Interval interval;
};

struct VariantRobustness {
  std::string label;
  int runs = 0;
  // per magnitude; NaN success where the experiment has no criterion
  std::vector<MeanOverRuns> success, mean_return;
};

struct RobustnessCurve {
  std::string perturbation;
  // ascending, every magnitude any run was evaluated at
  std::vector<double> magnitudes;
  std::vector<VariantRobustness> variants;
};

// a success rate at which a variant withstands a magnitude
inline constexpr double kWithstood = 0.9;

// the perturbations the variants' runs were evaluated under, in file order
std::vector<RobustnessCurve> SummarizeRobustness(const std::vector<Group>& groups, int reps,
                                                 uint64_t seed);

// the report's robustness section: one table per perturbation, figures
std::string RobustnessSection(const std::vector<RobustnessCurve>& curves);
// success rate (success true) or mean return against magnitude, one line per variant
LinePlot RobustnessPlot(const RobustnessCurve& curve, bool success);
// "robustness_<perturbation>_success.svg" or "..._return.svg"
std::string RobustnessFigure(const RobustnessCurve& curve, bool success);

}  // namespace stride::analysis

#endif  // STRIDE_ANALYSIS_ROBUSTNESS_H_
