// Experience collection: steps the vectorized environment with sampled actions
// into preallocated [num_steps, num_envs] buffers.
#ifndef STRIDE_ALGORITHMS_COMMON_ROLLOUT_H_
#define STRIDE_ALGORITHMS_COMMON_ROLLOUT_H_

#include <cstdint>
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "algorithms/common/agent.h"
#include "algorithms/common/running_mean_std.h"
#include "stride/vec_env.h"

namespace stride::algorithms {

struct RolloutOptions {
  // steps per environment in one rollout
  int num_steps = 256;
  // discount of the return whose running std scales rewards
  double gamma = 0.99;
  // divide rewards by the running std of the discounted return
  bool normalize_rewards = true;
  // scaled rewards are clipped to [-reward_clip, reward_clip]
  double reward_clip = 10.0;
};

// one rollout, every tensor [num_steps, num_envs, ...] float32
struct RolloutBatch {
  // normalized observations the actions were chosen on
  torch::Tensor observations;
  // sampled actions before clipping to the bounds
  torch::Tensor actions;
  // log-density of the sampled actions under the acting policy
  torch::Tensor log_probs;
  // V(observations)
  torch::Tensor values;
  // rewards as learned from (scaled when normalize_rewards)
  torch::Tensor rewards;
  // V of the observation after each step; of the final observation where truncated
  torch::Tensor next_values;
  // 1 where the step reached a terminal state
  torch::Tensor terminated;
  // 1 where the step ended an episode, terminated or truncated
  torch::Tensor dones;
};

class Rollout {
 public:
  Rollout(const RolloutOptions& options, VecEnv& env, Agent& agent);

  // starts every environment's first episode
  void Start();
  // steps every environment num_steps times, sampling actions with generator
  const RolloutBatch& Collect(at::Generator& generator);

  const std::optional<RewardScaler>& reward_scaler() const { return reward_scaler_; }

  // the environments and the reward statistics; Load() after the agent's
  // Load(), whose statistics normalize the restored observations
  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive);

 private:
  // normalizes the environments' current observations into next_observations_
  void ObserveNext(bool update_statistics);

  // V of n normalized observations [n, obs] into values[n]
  void Value(const float* observations, int n, float* values);

  RolloutOptions options_;
  VecEnv& env_;
  Agent& agent_;
  std::optional<RewardScaler> reward_scaler_;
  RolloutBatch batch_;
  // [N, obs] the observations to act on next
  std::vector<float> next_observations_;
  // [N, act] the actions' means and the clipped actions to step with
  std::vector<float> mean_, env_actions_;
  // scratch: normalized final observations [N, obs], values [N], episode ends [N]
  std::vector<float> final_observations_, final_values_;
  std::vector<uint8_t> dones_;
  // [T, N] where episodes were truncated, and V of their final observations
  std::vector<uint8_t> truncated_;
  std::vector<float> truncation_values_;
  MlpActivations cache_;
};

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_ROLLOUT_H_
