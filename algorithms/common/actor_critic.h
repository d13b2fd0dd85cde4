// Separate actor and critic MLPs with a state-independent Gaussian log-std.
#ifndef STRIDE_ALGORITHMS_COMMON_ACTOR_CRITIC_H_
#define STRIDE_ALGORITHMS_COMMON_ACTOR_CRITIC_H_

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "algorithms/common/flat_actor_critic.h"
#include "algorithms/common/mlp.h"

namespace stride::algorithms {

// how the networks' layers start
enum class Initialization {
  // orthogonal weights, gain sqrt(2) for hidden layers, 0.01 for the policy
  // output and 1 for the value output; zero biases (the PPO implementations')
  kOrthogonal,
  // torch.nn.Linear's own: weights and biases uniform in +-1/sqrt(fan_in)
  // (kaiming_uniform with a = sqrt(5)), as Spinning Up's networks start
  kTorchDefault,
};

// "orthogonal" or "torch_default"; throws ConfigError otherwise
Initialization ParseInitialization(const std::string& name);

struct ActorCriticOptions {
  // observation and action sizes
  int observation_size = 0;
  int action_size = 0;
  // widths of the hidden layers, the same for the actor and the critic
  std::vector<int64_t> hidden_sizes = {64, 64};
  // nonlinearity after every hidden layer
  Activation activation = Activation::kTanh;
  // initial log standard deviation of every action dimension
  double init_log_std = 0.0;
  Initialization init = Initialization::kOrthogonal;
};

class ActorCriticImpl : public torch::nn::Module {
 public:
  // layers initialized as options.init says, drawn from generator
  ActorCriticImpl(const ActorCriticOptions& options, at::Generator& generator);

  // mean action [B, act] of observations [B, obs]
  torch::Tensor ActionMean(const torch::Tensor& observations);
  // state value [B] of observations [B, obs]
  torch::Tensor Value(const torch::Tensor& observations);

  const torch::Tensor& log_std() const { return log_std_; }
  // the actor's linear layers, input first
  const std::vector<torch::nn::Linear>& actor_layers() const { return actor_; }
  // the actor's layers and the log-std; the critic's layers
  std::vector<torch::Tensor> policy_parameters() const;
  std::vector<torch::Tensor> value_parameters() const;

  // every parameter is a view of one float32 array laid out as flat(); the
  // rollout and the update compute on it directly
  const FlatActorCritic& flat() const { return flat_; }
  float* flat_parameters() { return flat_parameters_.data_ptr<float>(); }
  const float* flat_parameters() const { return flat_parameters_.data_ptr<float>(); }
  // binds the parameters to the flat array again, after something (loading a
  // checkpoint) replaced their storage
  void Flatten();

 private:
  torch::Tensor Forward(std::vector<torch::nn::Linear>& layers, torch::Tensor x);

  ActorCriticOptions options_;
  std::vector<torch::nn::Linear> actor_, critic_;
  torch::Tensor log_std_;
  FlatActorCritic flat_;
  torch::Tensor flat_parameters_;
};
TORCH_MODULE(ActorCritic);

// fills a 2-D tensor with a scaled random orthogonal matrix (Saxe et al. 2014)
void OrthogonalInit(torch::Tensor weight, double gain, at::Generator& generator);
// fills a linear layer's weight [out, in] and bias [out] uniformly in
// +-1/sqrt(in), as torch.nn.Linear.reset_parameters does
void TorchDefaultInit(torch::Tensor weight, torch::Tensor bias, at::Generator& generator);

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_ACTOR_CRITIC_H_
