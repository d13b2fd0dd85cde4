// Running statistics for observation normalization and reward scaling.
#ifndef STRIDE_ALGORITHMS_COMMON_RUNNING_MEAN_STD_H_
#define STRIDE_ALGORITHMS_COMMON_RUNNING_MEAN_STD_H_

#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace stride::algorithms {

// added to variances before taking square roots
inline constexpr double kVarianceEpsilon = 1e-8;

// mean and variance of every column of a stream of batches, in float64,
// merged batch by batch (Chan et al. 1979)
class RunningMeanStd {
 public:
  // initial_count: the weight of the starting mean 0 and variance 1; 0 for
  // the statistics of new samples alone
  explicit RunningMeanStd(int64_t size, double initial_count = 1e-4);

  // batch: [B, size]
  void Update(const torch::Tensor& batch);
  // rows: [n, size] row-major
  void Update(const float* rows, int64_t n);
  void Update(const double* rows, int64_t n);

  // merges another population's statistics into these
  void Combine(const RunningMeanStd& other);
  // these statistics become a copy of other's (assignment shares the tensors)
  void CopyFrom(const RunningMeanStd& other);
  // count, means and variances as one vector, and back
  std::vector<double> Pack() const;
  void Unpack(const double* packed);

  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& var() const { return var_; }
  double count() const { return count_; }

  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive);

 private:
  template <typename T>
  void Merge(const T* rows, int64_t n);

  torch::Tensor mean_, var_;
  // starts slightly above zero, as in Gym's wrappers, so the first batch dominates
  double count_ = 1e-4;
};

// (observation - mean) / sqrt(var + eps), clipped to [-clip, clip], in float32
class ObservationNormalizer {
 public:
  ObservationNormalizer(int64_t size, double clip);

  // observations: [B, size]
  void Update(const torch::Tensor& observations);
  torch::Tensor Normalize(const torch::Tensor& observations) const;
  // the same on n rows of raw float buffers
  void Update(const float* observations, int64_t n);
  void Normalize(const float* observations, int64_t n, float* normalized) const;
  // RunningMeanStd::Combine and CopyFrom on the statistics
  void Combine(const RunningMeanStd& other);
  void CopyFrom(const RunningMeanStd& other);

  const RunningMeanStd& statistics() const { return statistics_; }
  // the float32 statistics Normalize() uses
  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& var() const { return var_; }
  double clip() const { return clip_; }

  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive);

 private:
  void Refresh();

  RunningMeanStd statistics_;
  double clip_;
  torch::Tensor mean_, var_, std_;
};

// divides rewards by the running std of each environment's discounted return
// and clips them (Engstrom et al. 2020; Gym's NormalizeReward)
class RewardScaler {
 public:
  RewardScaler(int num_envs, double gamma, double clip);

  // rewards: float [N]; dones: [N], nonzero where an episode ended at this step
  torch::Tensor Scale(const torch::Tensor& rewards, const torch::Tensor& dones);
  // the same on raw buffers of num_envs entries; the returns are folded into
  // also too when given
  void Scale(const float* rewards, const uint8_t* dones, float* scaled,
             RunningMeanStd* also = nullptr);

  const RunningMeanStd& statistics() const { return statistics_; }
  RunningMeanStd& statistics() { return statistics_; }

  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive);

 private:
  RunningMeanStd statistics_;
  double gamma_, clip_;
  // discounted return of each environment's current episode, float64 [N]
  torch::Tensor returns_;
};

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_RUNNING_MEAN_STD_H_
