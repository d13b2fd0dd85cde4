// ctrl_cost: minus the sum of squared controls
#include <memory>

#include "stride/plugin.h"
#include "stride/reward.h"

namespace stride::rewards {
namespace {

class CtrlCost : public RewardTerm {
 public:
  void Bind(const SignalIndex& signals) override {
    control_squared_ = signals.Require("control_squared");
  }
  double Value(const double* signals) const override { return -signals[control_squared_]; }

 private:
  int control_squared_ = -1;
};

PluginEntry CtrlCostEntry() {
  return RewardEntry(
      "ctrl_cost", "minus the sum of squared actions (a penalty)", {},
      [](const Params&) -> std::unique_ptr<RewardTerm> { return std::make_unique<CtrlCost>(); });
}

STRIDE_REGISTER(CtrlCostEntry)

}  // namespace
}  // namespace stride::rewards
