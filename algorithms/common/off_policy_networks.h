// The networks of the off-policy actor-critics (sac, td3), as CleanRL writes
// them: ReLU layers, an actor squashed by tanh into the action box, and twin Q
// functions with target copies.
#ifndef STRIDE_ALGORITHMS_COMMON_OFF_POLICY_NETWORKS_H_
#define STRIDE_ALGORITHMS_COMMON_OFF_POLICY_NETWORKS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/script.h>
#include <torch/torch.h>

#include "algorithms/common/replay_buffer.h"
#include "stride/algorithm.h"
#include "stride/environment.h"

namespace stride::algorithms {

// linear layers input -> hidden..., each followed by a ReLU, initialized as
// torch.nn.Linear's default from generator
class ReluLayersImpl : public torch::nn::Module {
 public:
  ReluLayersImpl(int64_t input, const std::vector<int64_t>& hidden, at::Generator& generator);
  torch::Tensor forward(torch::Tensor x);

  const std::vector<torch::nn::Linear>& layers() const { return layers_; }

 private:
  std::vector<torch::nn::Linear> layers_;
};
TORCH_MODULE(ReluLayers);

// a linear layer initialized as torch.nn.Linear's default from generator
torch::nn::Linear MakeLinear(int64_t input, int64_t output, at::Generator& generator);

// the deterministic actor a(s) = tanh(head(trunk(s))) * scale + bias, which maps
// [-1, 1] onto the action box; sac's mean action, td3's policy
class SquashedActorImpl : public torch::nn::Module {
 public:
  SquashedActorImpl(int observation_size, const Space& action_space,
                    const std::vector<int64_t>& hidden, at::Generator& generator);

  torch::Tensor forward(const torch::Tensor& observations);
  // scale * tanh(pre_activation) + bias
  torch::Tensor Squash(const torch::Tensor& pre_activation) const;

  ReluLayers trunk() const { return trunk_; }
  torch::nn::Linear head() const { return head_; }
  // half the width of the box and its centre, [act] each
  const torch::Tensor& action_scale() const { return action_scale_; }
  const torch::Tensor& action_bias() const { return action_bias_; }

  // forward() on raw float buffers without gradients, for evaluation
  Policy MakePolicy();
  // forward(observations[B, obs]) -> the same actions as forward()
  torch::jit::Module ToTorchScript() const;

 private:
  ReluLayers trunk_{nullptr};
  torch::nn::Linear head_{nullptr};
  torch::Tensor action_scale_, action_bias_;
};
TORCH_MODULE(SquashedActor);

// Q(s, a): ReLU layers on [s, a], then one output, [B]
class QNetworkImpl : public torch::nn::Module {
 public:
  QNetworkImpl(int observation_size, int action_size, const std::vector<int64_t>& hidden,
               at::Generator& generator);
  torch::Tensor forward(const torch::Tensor& observations, const torch::Tensor& actions);

 private:
  ReluLayers trunk_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(QNetwork);

// target <- tau * source + (1 - tau) * target, parameter by parameter
void SoftUpdate(torch::nn::Module& target, const torch::nn::Module& source, double tau);

// the mean Q values and the loss of one critic step
struct CriticStats {
  double qf1_value = 0.0;
  double qf2_value = 0.0;
  double loss = 0.0;
};

// twin Q functions (clipped double Q-learning, Fujimoto et al. 2018), their
// target copies and one Adam optimizer over both
class TwinCritic {
 public:
  TwinCritic(int observation_size, int action_size, const std::vector<int64_t>& hidden,
             double learning_rate, at::Generator& generator);

  // min(Q1', Q2')(s, a) of the target networks, [B], without gradients
  torch::Tensor TargetValue(const torch::Tensor& observations, const torch::Tensor& actions);
  // Q1(s, a) and min(Q1, Q2)(s, a), [B], with gradients to the actions only:
  // the actor's objectives
  torch::Tensor Q1(const torch::Tensor& observations, const torch::Tensor& actions);
  torch::Tensor MinQ(const torch::Tensor& observations, const torch::Tensor& actions);
  // one Adam step on MSE(Q1(s, a), y) + MSE(Q2(s, a), y) over the batch
  CriticStats Step(const ReplayBatch& batch, const torch::Tensor& targets);
  // the target networks follow the critics: target <- tau * critic + (1 - tau) * target
  void UpdateTargets(double tau);

  // critics, targets and optimizer
  std::vector<torch::Tensor> parameters() const;
  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive);

 private:
  // the critics' parameters are constants of the forward passes in this scope
  class Frozen;

  QNetwork q1_, q2_, q1_target_, q2_target_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
};

// [-1, 1]^size: the action space to build a network that a checkpoint's
// parameters and action bounds are then loaded into
Space UnitBox(int size);

// uniform random actions in the action box, [n, act]
torch::Tensor UniformActions(const Space& action_space, int64_t n, at::Generator& generator);

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_OFF_POLICY_NETWORKS_H_
