// ARS's policy: a linear map of observations normalized by running statistics,
// its actions clipped to the action box. Training acts in float64 with
// perturbed weights; evaluations and the export run one float32 linear layer
// with the normalization folded into its weights and bias.
#ifndef STRIDE_ALGORITHMS_ARS_LINEAR_POLICY_H_
#define STRIDE_ALGORITHMS_ARS_LINEAR_POLICY_H_

#include <cstdint>
#include <string>
#include <vector>

#include <torch/script.h>
#include <torch/torch.h>

#include "algorithms/ars/observation_statistics.h"
#include "algorithms/common/fixed_policy.h"
#include "stride/algorithm.h"

namespace stride::algorithms::ars {

class LinearPolicy {
 public:
  // zero weights; normalize: keep running statistics of the observations and
  // normalize by them (ARS V2), otherwise act on raw observations (V1)
  LinearPolicy(int observation_size, ActionBox box, bool normalize);

  int action_size() const { return box_.size(); }
  // M [act, obs], row-major
  std::vector<double>& weights() { return weights_; }
  const std::vector<double>& weights() const { return weights_; }
  const ObservationStatistics& statistics() const { return statistics_; }

  // (x - mean) / (std + 1e-8), and 0 where std < 1e-7, as ARS's filter does,
  // with the mean and std of the last RefreshNormalization() that had
  // statistics: the identity until then, and always without normalize
  void Normalize(const float* observation, double* normalized) const;
  // actions [act] of (M + scale * direction) on a normalized observation, clipped to the box
  void Act(const double* direction, double scale, const double* normalized, float* action) const;

  // folds observations [n, obs] into the running statistics
  void UpdateStatistics(const float* observations, int64_t n);
  // Normalize() takes up the statistics' current mean and std
  void RefreshNormalization();

  // deterministic actions: clip(W x + c) in float32, W = M / (std + 1e-8), c = -W mean
  Policy MakePolicy() const;
  // forward(obs[B, obs]) -> actions[B, act], the same function as MakePolicy()
  torch::jit::Module ToTorchScript() const;
  // writes ToTorchScript() with config_toml as "stride/config.toml", atomically
  void Export(const std::string& path, const std::string& config_toml) const;

  // bounds, weights and statistics
  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive);
  // a policy as saved, without an environment
  static LinearPolicy FromArchive(torch::serialize::InputArchive& archive, bool normalize);

 private:
  // W [act, obs] and c [act] of the folded float32 layer
  std::pair<torch::Tensor, torch::Tensor> FoldedLayer() const;

  int observation_size_;
  ActionBox box_;
  bool normalize_;
  std::vector<double> weights_;
  ObservationStatistics statistics_;
  // the normalization in use: x_hat = (x - mean) * scale
  std::vector<double> mean_, scale_;
};

}  // namespace stride::algorithms::ars

#endif  // STRIDE_ALGORITHMS_ARS_LINEAR_POLICY_H_
