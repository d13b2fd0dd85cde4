// The running mean and variance of every observation coordinate ARS's rollouts
// acted on, in float64, merged batch by batch (Chan, Golub and LeVeque 1979)
// from an empty start: no prior pseudo-count, so a coordinate that never
// changes has variance exactly 0, as in the authors' filter.
#ifndef STRIDE_ALGORITHMS_ARS_OBSERVATION_STATISTICS_H_
#define STRIDE_ALGORITHMS_ARS_OBSERVATION_STATISTICS_H_

#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace stride::algorithms::ars {

class ObservationStatistics {
 public:
  explicit ObservationStatistics(int size);

  // merges rows [n, size]
  void Update(const float* rows, int64_t n);

  int64_t count() const { return count_; }
  const std::vector<double>& mean() const { return mean_; }
  // the population variance of coordinate j; 0 before any observation
  double variance(int j) const;

  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive);

 private:
  int64_t count_ = 0;
  std::vector<double> mean_;
  // sums of squared deviations from the mean
  std::vector<double> squares_;
};

}  // namespace stride::algorithms::ars

#endif  // STRIDE_ALGORITHMS_ARS_OBSERVATION_STATISTICS_H_
