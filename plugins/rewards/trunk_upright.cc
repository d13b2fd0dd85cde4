// trunk_upright: minus the squared trunk pitch
#include <memory>

#include "stride/plugin.h"
#include "stride/reward.h"

namespace stride::rewards {
namespace {

class TrunkUpright : public RewardTerm {
 public:
  void Bind(const SignalIndex& signals) override { pitch_ = signals.Require("trunk_pitch"); }
  double Value(const double* signals) const override {
    const double pitch = signals[pitch_];
    return -pitch * pitch;
  }

 private:
  int pitch_ = -1;
};

PluginEntry TrunkUprightEntry() {
  return RewardEntry("trunk_upright", "minus the squared trunk pitch in rad^2 (a penalty)", {},
                     [](const Params&) -> std::unique_ptr<RewardTerm> {
                       return std::make_unique<TrunkUpright>();
                     });
}

STRIDE_REGISTER(TrunkUprightEntry)

}  // namespace
}  // namespace stride::rewards
