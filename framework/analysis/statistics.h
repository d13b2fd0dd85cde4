// Statistics for comparing algorithms over a few seeds, after Agarwal et al.
// (2021), "Deep RL at the Edge of the Statistical Precipice": interquartile
// mean, stratified bootstrap confidence intervals, probability of improvement.
#ifndef STRIDE_ANALYSIS_STATISTICS_H_
#define STRIDE_ANALYSIS_STATISTICS_H_

#include <cstdint>
#include <functional>
#include <vector>

namespace stride::analysis {

double Mean(const std::vector<double>& x);
// the sample standard deviation (n - 1); 0 for fewer than two values
double StdDev(const std::vector<double>& x);
double Median(std::vector<double> x);
// the q-quantile with linear interpolation between order statistics
// (NumPy's default), q in [0, 1]
double Quantile(std::vector<double> x, double q);
// the mean of the middle half: floor(n / 4) values cut from each end
double InterquartileMean(std::vector<double> x);

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

// scores of runs, one list per task; runs are resampled within their task
using TaskScores = std::vector<std::vector<double>>;

// the 95% (or coverage) percentile interval of statistic over reps
// resamples, each run drawn with replacement from its own task's runs
Interval StratifiedBootstrapInterval(const TaskScores& scores,
                                     const std::function<double(const TaskScores&)>& statistic,
                                     int reps, uint64_t seed, double coverage = 0.95);

// the chance that a run of x scores higher than a run of y (ties count
// half), averaged over tasks: the Mann-Whitney U statistic over n * m
double ProbabilityOfImprovement(const TaskScores& x, const TaskScores& y);
// its interval, x and y resampled independently, each within its tasks
Interval ProbabilityOfImprovementInterval(const TaskScores& x, const TaskScores& y, int reps,
                                          uint64_t seed, double coverage = 0.95);

// every task's runs as one list
std::vector<double> Pooled(const TaskScores& scores);

}  // namespace stride::analysis

#endif  // STRIDE_ANALYSIS_STATISTICS_H_
