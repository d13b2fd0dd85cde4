// Vanilla policy gradient with a learned value baseline, after Spinning Up's VPG:
// one policy gradient step per batch, the value function fitted by regression.
#ifndef STRIDE_ALGORITHMS_VPG_VPG_H_
#define STRIDE_ALGORITHMS_VPG_VPG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/common/agent_config.h"
#include "algorithms/common/sharded_gradient.h"
#include "stride/algorithm.h"
#include "stride/params.h"

namespace stride::algorithms::vpg {

// Spinning Up's agent settings: PPO's, but an initial log-std of -0.5
inline AgentConfig SpinningUpAgent() {
  AgentConfig agent;
  agent.init_log_std = -0.5;
  return agent;
}

// the defaults; each field's parameter in vpg.cc's table documents it
struct VpgConfig {
  double pi_lr = 3e-4;
  double vf_lr = 1e-3;
  int train_v_iters = 80;
  bool anneal_lr = false;
  int num_steps = 256;
  double gamma = 0.99;
  double gae_lambda = 0.97;
  bool norm_adv = true;
  // the network, normalization and reward settings PPO shares
  AgentConfig agent = SpinningUpAgent();
  std::string init = "torch_default";

  static VpgConfig FromParams(const Params& params);
};

// the declared parameters, from the same table
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
