// The acting side of a run: actor-critic, observation normalization and action
// bounds, with the deterministic policy and its TorchScript export.
#ifndef STRIDE_ALGORITHMS_COMMON_AGENT_H_
#define STRIDE_ALGORITHMS_COMMON_AGENT_H_

#include <optional>
#include <string>

#include <torch/script.h>
#include <torch/torch.h>

#include "algorithms/common/actor_critic.h"
#include "algorithms/common/running_mean_std.h"
#include "stride/algorithm.h"

namespace stride::algorithms {

struct AgentOptions {
  // the networks; observation_size and action_size are set by the agent
  ActorCriticOptions network;
  // normalize observations by running statistics before the networks see them
  bool normalize_observations = true;
  // normalized observations are clipped to [-obs_clip, obs_clip]
  double obs_clip = 10.0;
};

class Agent {
 public:
  // networks initialized from generator; actions are clipped to action_space's bounds
  Agent(AgentOptions options, const Space& observation_space, const Space& action_space,
        at::Generator& generator);

  ActorCritic& model() { return model_; }
  int observation_size() const { return options_.network.observation_size; }
  int action_size() const { return options_.network.action_size; }

  // folds raw observations [B, obs] into the normalization statistics
  void UpdateNormalizer(const torch::Tensor& observations);
  // the same on n rows of a raw float buffer
  void UpdateNormalizer(const float* observations, int n);
  // clips actions [n, act] to the bounds in place
  void ClipActions(float* actions, int n) const;
  // raw -> network observations with the current statistics
  torch::Tensor Normalize(const torch::Tensor& observations) const;
  torch::Tensor ClipActions(const torch::Tensor& actions) const;
  // deterministic actions: the clipped mean of the normalized observations
  torch::Tensor Act(const torch::Tensor& observations);
  // Act() on raw float buffers through the flat actor, for evaluation: the
  // same actions on every CPU
  Policy MakePolicy();

  // forward(obs[B, obs]) -> actions[B, act], the same function as Act() in
  // LibTorch's arithmetic (within float rounding of MakePolicy())
  torch::jit::Module ToTorchScript() const;
  // writes ToTorchScript() with config_toml as "stride/config.toml", atomically
  void Export(const std::string& path, const std::string& config_toml) const;

  // sizes, bounds, network parameters and normalization statistics
  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive);
  // an agent as saved, without an environment
  static Agent FromArchive(AgentOptions options, torch::serialize::InputArchive& archive);

  const std::optional<ObservationNormalizer>& normalizer() const { return normalizer_; }
  std::optional<ObservationNormalizer>& normalizer() { return normalizer_; }

 private:
  Agent(AgentOptions options, torch::Tensor action_low, torch::Tensor action_high,
        at::Generator& generator);

  AgentOptions options_;
  ActorCritic model_;
  std::optional<ObservationNormalizer> normalizer_;
  torch::Tensor action_low_, action_high_;
};

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_AGENT_H_
