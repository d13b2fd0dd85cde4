// forward_velocity: the forward velocity, optionally capped
#include <algorithm>
#include <memory>
#include <optional>

#include "stride/plugin.h"
#include "stride/reward.h"

namespace stride::rewards {
namespace {

class ForwardVelocity : public RewardTerm {
 public:
  explicit ForwardVelocity(double max_speed) : max_speed_(max_speed) {}
  void Bind(const SignalIndex& signals) override {
    velocity_ = signals.Require("forward_velocity");
  }
  double Value(const double* signals) const override {
    const double velocity = signals[velocity_];
    return max_speed_ > 0.0 ? std::min(velocity, max_speed_) : velocity;
  }

 private:
  double max_speed_;
  int velocity_ = -1;
};

PluginEntry ForwardVelocityEntry() {
  return RewardEntry(
      "forward_velocity", "the forward velocity in m/s (negative when walking backwards)",
      {InRange(DoubleParam("max_speed", 0.0, "credit no more than this speed in m/s; 0: no cap"),
               0.0, std::nullopt)},
      [](const Params& params) -> std::unique_ptr<RewardTerm> {
        return std::make_unique<ForwardVelocity>(params.GetDouble("max_speed"));
      });
}

STRIDE_REGISTER(ForwardVelocityEntry)

}  // namespace
}  // namespace stride::rewards
