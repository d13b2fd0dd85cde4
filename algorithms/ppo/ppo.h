// Proximal policy optimization with the clipped surrogate objective
// (Schulman et al. 2017), after CleanRL's ppo_continuous_action.py.
#ifndef STRIDE_ALGORITHMS_PPO_PPO_H_
#define STRIDE_ALGORITHMS_PPO_PPO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/common/agent_config.h"
#include "algorithms/common/sharded_gradient.h"
#include "stride/algorithm.h"
#include "stride/params.h"

namespace stride::algorithms::ppo {

// the walking recipe: CleanRL's agent settings but an initial log-std of -0.5,
// which walked on 5 of 5 seeds against 4 of 5 for 0 (docs/results/walk_study)
inline AgentConfig WalkingRecipeAgent() {
  AgentConfig agent;
  agent.init_log_std = -0.5;
  return agent;
}

// the defaults; each field's parameter in ppo.cc's table documents it
struct PpoConfig {
  double learning_rate = 3e-4;
  bool anneal_lr = true;
  int num_steps = 256;
  double gamma = 0.99;
  double gae_lambda = 0.95;
  int num_minibatches = 32;
  int update_epochs = 10;
  bool norm_adv = true;
  double clip_epsilon = 0.2;
  bool clip_vloss = false;
  double vf_coef = 0.5;
  double ent_coef = 0.0;
  double max_grad_norm = 0.5;
  double target_kl = 0.0;
  int data_shards = 0;
  // the network, normalization and reward settings VPG shares
  AgentConfig agent = WalkingRecipeAgent();

  static PpoConfig FromParams(const Params& params);
};

// the declared parameters, from the same table
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
