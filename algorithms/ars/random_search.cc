#include "algorithms/ars/random_search.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace stride::algorithms::ars {

std::vector<int> TopDirections(const std::vector<DirectionReturns>& returns, int b) {
  std::vector<int> order(returns.size());
  std::iota(order.begin(), order.end(), 0);
  auto best = [&returns](int k) { return std::max(returns[k].plus, returns[k].minus); };
  std::stable_sort(order.begin(), order.end(), [&](int a, int c) { return best(a) > best(c); });
  order.resize(std::min<size_t>(order.size(), static_cast<size_t>(b)));
  return order;
}

double SelectedReturnStd(const std::vector<DirectionReturns>& returns,
                         const std::vector<int>& selected) {
  const double count = 2.0 * static_cast<double>(selected.size());
  double sum = 0.0;
  for (int k : selected) sum += returns[k].plus + returns[k].minus;
  const double mean = sum / count;
  double sum_sq = 0.0;
  for (int k : selected) {
    sum_sq += (returns[k].plus - mean) * (returns[k].plus - mean) +
              (returns[k].minus - mean) * (returns[k].minus - mean);
  }
  return std::sqrt(sum_sq / count);
}

double ApplySearchStep(const std::vector<DirectionReturns>& returns,
                       const std::vector<int>& selected, double return_std,
                       const double* directions, double step_size, double* weights, int64_t size) {
  if (return_std == 0.0) return 0.0;
  std::vector<double> step(size, 0.0);
  for (int k : selected) {
    const double difference = returns[k].plus - returns[k].minus;
    const double* direction = directions + static_cast<int64_t>(k) * size;
    for (int64_t i = 0; i < size; ++i) step[i] += difference * direction[i];
  }
  const double scale = step_size / (static_cast<double>(selected.size()) * return_std);
  double norm_sq = 0.0;
  for (int64_t i = 0; i < size; ++i) {
    step[i] *= scale;
    weights[i] += step[i];
    norm_sq += step[i] * step[i];
  }
  return std::sqrt(norm_sq);
}

}  // namespace stride::algorithms::ars
