#include "statistics.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace stride::analysis {
namespace {

// an index in [0, n) from 53 random bits: the same on every platform
size_t Draw(std::mt19937_64& rng, size_t n) {
  const double unit = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return std::min(n - 1, static_cast<size_t>(unit * static_cast<double>(n)));
}

TaskScores Resample(const TaskScores& scores, std::mt19937_64& rng) {
  TaskScores out(scores.size());
  for (size_t t = 0; t < scores.size(); ++t) {
    for (size_t i = 0; i < scores[t].size(); ++i) {
      out[t].push_back(scores[t][Draw(rng, scores[t].size())]);
    }
  }
  return out;
}

Interval Percentiles(std::vector<double> values, double coverage) {
  const double tail = (1.0 - coverage) / 2.0;
  std::sort(values.begin(), values.end());
  return {Quantile(values, tail), Quantile(values, 1.0 - tail)};
}

}  // namespace

double Mean(const std::vector<double>& x) {
  if (x.empty()) return std::nan("");
  double sum = 0.0;
  for (double v : x) sum += v;
  return sum / static_cast<double>(x.size());
}

double StdDev(const std::vector<double>& x) {
  if (x.size() < 2) return 0.0;
  const double mean = Mean(x);
  double sum = 0.0;
  for (double v : x) sum += (v - mean) * (v - mean);
  return std::sqrt(sum / static_cast<double>(x.size() - 1));
}

double Median(std::vector<double> x) { return Quantile(std::move(x), 0.5); }

double Quantile(std::vector<double> x, double q) {
  if (x.empty()) return std::nan("");
  std::sort(x.begin(), x.end());
  const double h = (static_cast<double>(x.size()) - 1.0) * q;
  const size_t low = static_cast<size_t>(std::floor(h));
  const size_t high = std::min(low + 1, x.size() - 1);
  return x[low] + (h - static_cast<double>(low)) * (x[high] - x[low]);
}

double InterquartileMean(std::vector<double> x) {
  if (x.empty()) return std::nan("");
  std::sort(x.begin(), x.end());
  const size_t cut = x.size() / 4;
  return Mean(
      std::vector<double>(x.begin() + static_cast<long>(cut), x.end() - static_cast<long>(cut)));
}

std::vector<double> Pooled(const TaskScores& scores) {
  std::vector<double> all;
  for (const std::vector<double>& task : scores) all.insert(all.end(), task.begin(), task.end());
  return all;
}

Interval StratifiedBootstrapInterval(const TaskScores& scores,
                                     const std::function<double(const TaskScores&)>& statistic,
                                     int reps, uint64_t seed, double coverage) {
  std::mt19937_64 rng(seed);
  std::vector<double> values;
  values.reserve(static_cast<size_t>(reps));
  for (int r = 0; r < reps; ++r) values.push_back(statistic(Resample(scores, rng)));
  return Percentiles(std::move(values), coverage);
}

double ProbabilityOfImprovement(const TaskScores& x, const TaskScores& y) {
  if (x.size() != y.size() || x.empty()) {
    throw std::invalid_argument("probability of improvement: x and y need the same tasks");
  }
  double sum = 0.0;
  for (size_t t = 0; t < x.size(); ++t) {
    double wins = 0.0;
    for (double a : x[t]) {
      for (double b : y[t]) wins += a > b ? 1.0 : (a == b ? 0.5 : 0.0);
    }
    sum += wins / static_cast<double>(x[t].size() * y[t].size());
  }
  return sum / static_cast<double>(x.size());
}

Interval ProbabilityOfImprovementInterval(const TaskScores& x, const TaskScores& y, int reps,
                                          uint64_t seed, double coverage) {
  std::mt19937_64 rng(seed);
  std::vector<double> values;
  values.reserve(static_cast<size_t>(reps));
  for (int r = 0; r < reps; ++r) {
    const TaskScores x_sample = Resample(x, rng);
    values.push_back(ProbabilityOfImprovement(x_sample, Resample(y, rng)));
  }
  return Percentiles(std::move(values), coverage);
}

}  // namespace stride::analysis
