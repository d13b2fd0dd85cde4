// Proximal policy optimization with the clipped surrogate objective
// (Schulman et al. 2017), after CleanRL's ppo_continuous_action.py.
#ifndef STRIDE_ALGORITHMS_PPO_PPO_H_
#define STRIDE_ALGORITHMS_PPO_PPO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/common/sharded_gradient.h"
#include "stride/algorithm.h"
#include "stride/params.h"

namespace stride::algorithms::ppo {

struct PpoConfig {
  // Adam step size
  double learning_rate = 3e-4;
  // decay the step size linearly to zero over the run
  bool anneal_lr = true;
  // steps per environment in one rollout; a batch is num_envs * num_steps
  int num_steps = 256;
  // discount factor
  double gamma = 0.99;
  // GAE lambda: bias-variance trade-off of the advantage estimates
  double gae_lambda = 0.95;
  // minibatches per epoch; must divide the batch
  int num_minibatches = 32;
  // passes over the batch per update
  int update_epochs = 10;
  // standardize advantages within each minibatch
  bool norm_adv = true;
  // the probability ratio is clipped to [1 - clip_epsilon, 1 + clip_epsilon]
  double clip_epsilon = 0.2;
  // clip the value loss around the rollout's values with clip_epsilon too
  bool clip_vloss = false;
  // c1: weight of the value loss
  double vf_coef = 0.5;
  // c2: weight of the entropy bonus
  double ent_coef = 0.0;
  // clip the global gradient norm to this (0: no clipping)
  double max_grad_norm = 0.5;
  // stop the epochs early when the approximate KL exceeds this (0: never)
  double target_kl = 0.0;
  // normalize observations by running statistics (kept in the exported policy)
  bool normalize_observations = true;
  // divide rewards by the running std of the discounted return
  bool normalize_rewards = true;
  // normalized observations are clipped to [-obs_clip, obs_clip]
  double obs_clip = 10.0;
  // scaled rewards are clipped to [-reward_clip, reward_clip]
  double reward_clip = 10.0;
  // hidden layer widths of the actor and of the critic
  std::vector<int64_t> hidden_sizes = {64, 64};
  // hidden nonlinearity: "tanh" or "relu"
  std::string activation = "tanh";
  // initial log standard deviation of the Gaussian policy
  double init_log_std = 0.0;
  // shards of the environments and minibatches, each with its own action noise
  // and statistics merged once per rollout (0: one per rank)
  int data_shards = 0;

  static PpoConfig FromParams(const Params& params);
};

// the declared parameters, defaults as in PpoConfig
std::vector<ParamSpec> PpoParams();

// L_clip of one sample as a loss to minimise, max(-A r, -A clip(r, 1 - eps, 1 + eps)),
// and its derivative in the ratio r: the clipped term passes none outside the range
LossAndGradient ClippedSurrogate(double ratio, double advantage, double clip_epsilon);
// L_VF of one sample, half the squared error to the target, and its derivative in
// the value; with clip_vloss the larger of the errors of the value and of the
// value clipped around the rollout's
LossAndGradient ValueError(double value, double old_value, double target, double clip_epsilon,
                           bool clip_vloss);

class Ppo : public Algorithm {
 public:
  explicit Ppo(PpoConfig config);

  void Train(TrainContext& context) override;
  void ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                    const std::string& config_toml) override;
  bool data_parallel() const override { return true; }

 private:
  PpoConfig config_;
};

}  // namespace stride::algorithms::ppo

#endif  // STRIDE_ALGORITHMS_PPO_PPO_H_
