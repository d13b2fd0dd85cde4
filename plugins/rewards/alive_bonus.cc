// alive_bonus: a constant value every step the episode lasts
#include <memory>

#include "stride/plugin.h"
#include "stride/reward.h"

namespace stride::rewards {
namespace {

class AliveBonus : public RewardTerm {
 public:
  explicit AliveBonus(double value) : value_(value) {}
  void Bind(const SignalIndex&) override {}
  double Value(const double*) const override { return value_; }

 private:
  double value_;
};

PluginEntry AliveBonusEntry() {
  return RewardEntry("alive_bonus", "a constant reward for every step the episode lasts",
                     {DoubleParam("value", 1.0, "reward per step")},
                     [](const Params& params) -> std::unique_ptr<RewardTerm> {
                       return std::make_unique<AliveBonus>(params.GetDouble("value"));
                     });
}

STRIDE_REGISTER(AliveBonusEntry)

}  // namespace
}  // namespace stride::rewards
