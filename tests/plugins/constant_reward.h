// a reward term that returns one constant, for registry tests
#ifndef STRIDE_TESTS_PLUGINS_CONSTANT_REWARD_H_
#define STRIDE_TESTS_PLUGINS_CONSTANT_REWARD_H_

#include <memory>

#include "stride/plugin.h"
#include "stride/reward.h"

namespace stride::testing {

class ConstantReward : public RewardTerm {
 public:
  void Bind(const SignalIndex&) override {}
  double Value(const double*) const override { return 1.0; }
};

inline PluginEntry ConstantRewardEntry(const std::string& name) {
  return RewardEntry(name, "returns 1 every step", {},
                     [](const Params&) { return std::make_unique<ConstantReward>(); });
}

}  // namespace stride::testing

#endif  // STRIDE_TESTS_PLUGINS_CONSTANT_REWARD_H_
