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
#include "stride/process_group.h"
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
  // the run's environments, over all ranks, fall into this many shards of
  // consecutive environments. One shard: one action-noise stream and one set
  // of normalization statistics, updated every step. More: each shard draws
  // its own noise (seeded from seed and the shard) and updates its own copy of
  // the statistics, and the shards' new statistics are merged, in shard order,
  // at the end of every rollout, so a shard computes the same on any rank
  int data_shards = 1;
  uint64_t seed = 0;
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
  // env holds this rank's share of the run's environments; group's ranks
  // hold the shares in rank order
  Rollout(const RolloutOptions& options, VecEnv& env, Agent& agent,
          ProcessGroup& group = SingleProcess());

  // starts every environment's first episode
  void Start();
  // steps every environment num_steps times, sampling actions with generator
  // (with one data shard; the shards' own generators otherwise)
  const RolloutBatch& Collect(at::Generator& generator);

  // this rank's data shards, each of shard_envs() consecutive environments
  int local_shards() const { return static_cast<int>(shards_.size()); }
  int shard_envs() const { return shard_envs_; }
  const std::optional<RewardScaler>& reward_scaler() const { return shards_[0].reward_scaler; }

  // this rank's environments, shards and reward statistics; Load() after the
  // agent's Load(), whose statistics normalize the restored observations
  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive);

 private:
  struct Shard {
    // with more than one data shard: the shard's action noise, its copy of
    // the statistics and the statistics of its new samples since the merge
    std::optional<at::Generator> generator;
    std::optional<ObservationNormalizer> normalizer;
    std::optional<RunningMeanStd> new_observations, new_returns;
    // the shard's environments' discounted returns (and, merged, statistics)
    std::optional<RewardScaler> reward_scaler;
  };
  bool merged() const { return options_.data_shards > 1; }

  // normalizes the environments' current observations into next_observations_
  void ObserveNext(bool update_statistics);
  // shard s's rows of raw [N, obs] normalized into normalized [N, obs]
  void Normalize(int s, const float* raw, float* normalized) const;
  // V of normalized observations [N, obs] into values[N], shard by shard
  void Value(const float* observations, float* values);
  // every shard's new statistics folded into the shared ones, in shard order
  // over all ranks, and the shards restarted from them
  void MergeStatistics();
  void RestartShardStatistics();

  RolloutOptions options_;
  VecEnv& env_;
  Agent& agent_;
  ProcessGroup& group_;
  int shard_envs_;
  std::vector<Shard> shards_;
  // with more than one data shard: the merged reward statistics
  std::optional<RunningMeanStd> reward_statistics_;
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
  // one per network, so each keeps its transposed weights for the rollout
  MlpActivations actor_cache_, critic_cache_;
};

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_ROLLOUT_H_
