// The loop plumbing of the off-policy algorithms (sac, td3): what a checkpoint
// holds besides the networks, the means an update logs and the end of an update.
#ifndef STRIDE_ALGORITHMS_COMMON_OFF_POLICY_RUN_H_
#define STRIDE_ALGORITHMS_COMMON_OFF_POLICY_RUN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "algorithms/common/replay_buffer.h"
#include "stride/algorithm.h"

namespace stride::algorithms {

// a run at an update boundary, besides its networks and optimizers
struct OffPolicyRun {
  // the algorithm's plugin name; a checkpoint loads only into the same algorithm
  std::string algorithm;
  VecEnv* env = nullptr;
  ReplayBuffer* buffer = nullptr;
  at::Generator* generator = nullptr;
  // environment steps, rows of metrics and critic updates done
  int64_t global_step = 0;
  int64_t update = 0;
  int64_t gradient_steps = 0;

  // name, counters, sizes, environments, replay buffer and generator
  void Save(torch::serialize::OutputArchive& archive) const;
  // throws RuntimeError naming path for another algorithm's checkpoint
  void Load(torch::serialize::InputArchive& archive, const std::string& path);
};

// the mean of each named value over the gradient steps of one update; NaN for
// a value never added (an update before learning starts)
class UpdateMeans {
 public:
  explicit UpdateMeans(std::vector<std::string> names);

  void Add(size_t index, double value);
  Metrics Means() const;
  // throws RuntimeError "update N: non-finite NAME (value)" for the first
  // non-finite mean of a value that was added
  void CheckFinite(int64_t update) const;

 private:
  std::vector<std::string> names_;
  std::vector<double> sums_;
  std::vector<int64_t> counts_;
};

// throws RuntimeError "update N: non-finite parameter of NAME" when one is
void CheckFiniteParameters(int64_t update, const std::string& name,
                           const std::vector<torch::Tensor>& parameters);

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_OFF_POLICY_RUN_H_
