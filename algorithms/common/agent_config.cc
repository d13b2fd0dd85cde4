#include "algorithms/common/agent_config.h"

#include <optional>

namespace stride::algorithms {

const ParamBindings<AgentConfig>& AgentParamTable() {
  using C = AgentConfig;
  constexpr std::nullopt_t kNone = std::nullopt;
  static const auto* table = new ParamBindings<C>{
      Bind(&C::normalize_observations, "normalize_observations",
           "normalize observations by running statistics (kept in the exported policy)"),
      Bind(&C::normalize_rewards, "normalize_rewards",
           "divide rewards by the running std of the discounted return"),
      InRange(Bind(&C::obs_clip, "obs_clip", "normalized observations are clipped to +-obs_clip"),
              0.0, kNone),
      InRange(Bind(&C::reward_clip, "reward_clip", "scaled rewards are clipped to +-reward_clip"),
              0.0, kNone),
      InRange(Bind(&C::hidden_sizes, "hidden_sizes",
                   "hidden layer widths of the actor and of the critic"),
              1, 4096),
      OneOf(Bind(&C::activation, "activation", "hidden nonlinearity"), {"tanh", "relu"}),
      InRange(Bind(&C::init_log_std, "init_log_std",
                   "initial log standard deviation of the Gaussian policy"),
              -5.0, 2.0),
  };
  return *table;
}

}  // namespace stride::algorithms
