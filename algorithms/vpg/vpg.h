// Vanilla policy gradient with a learned value baseline, after Spinning Up's VPG:
// one policy gradient step per batch, the value function fitted by regression.
#ifndef STRIDE_ALGORITHMS_VPG_VPG_H_
#define STRIDE_ALGORITHMS_VPG_VPG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/common/sharded_gradient.h"
#include "stride/algorithm.h"
#include "stride/params.h"

namespace stride::algorithms::vpg {

struct VpgConfig {
  // Adam step size of the policy
  double pi_lr = 3e-4;
  // Adam step size of the value function
  double vf_lr = 1e-3;
  // value function regression steps on the whole batch per update
  int train_v_iters = 80;
  // decay both step sizes linearly to zero over the run
  bool anneal_lr = false;
  // steps per environment in one rollout; a batch is num_envs * num_steps
  int num_steps = 256;
  // discount factor
  double gamma = 0.99;
  // GAE lambda: bias-variance trade-off of the advantage estimates
  double gae_lambda = 0.97;
  // standardize advantages over the batch
  bool norm_adv = true;
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
  // initial log standard deviation of the Gaussian policy (Spinning Up's -0.5)
  double init_log_std = -0.5;
  // how the networks' layers start: "torch_default" (Spinning Up's, torch.nn.Linear's
  // own) or "orthogonal" (PPO's)
  std::string init = "torch_default";

  static VpgConfig FromParams(const Params& params);
};

// the declared parameters, defaults as in VpgConfig
std::vector<ParamSpec> VpgParams();

// the policy gradient surrogate of one sample, -log pi(a|s) A, and its
// derivative in log pi(a|s): descending it is ascending the policy gradient
LossAndGradient PolicyGradient(double log_prob, double advantage);

class Vpg : public Algorithm {
 public:
  explicit Vpg(VpgConfig config);

  void Train(TrainContext& context) override;
  void ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                    const std::string& config_toml) override;

 private:
  VpgConfig config_;
};

}  // namespace stride::algorithms::vpg

#endif  // STRIDE_ALGORITHMS_VPG_VPG_H_
