// The network, normalization and reward settings PPO and VPG share: one member
// struct of both configs, with one parameter table.
#ifndef STRIDE_ALGORITHMS_COMMON_AGENT_CONFIG_H_
#define STRIDE_ALGORITHMS_COMMON_AGENT_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "stride/param_binding.h"

namespace stride::algorithms {

// the defaults; AgentParamTable() documents each field
struct AgentConfig {
  bool normalize_observations = true;
  bool normalize_rewards = true;
  double obs_clip = 10.0;
  double reward_clip = 10.0;
  std::vector<int64_t> hidden_sizes = {64, 64};
  std::string activation = "tanh";
  double init_log_std = 0.0;
};

// every parameter of AgentConfig, bound to its field
const ParamBindings<AgentConfig>& AgentParamTable();

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_AGENT_CONFIG_H_
