// foot_slip: penalizes feet that slide while they touch the floor.
//
// For each foot the environment writes foot_contact.<foot> (1 on the floor,
// else 0) and foot_velocity.<foot> (its forward velocity in m/s); the biped's
// feet are "right" and "left". The term pairs the two groups by foot and returns
// -sum over feet of contact * max(|velocity| - tolerance, 0).
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stride/error.h"
#include "stride/plugin.h"
#include "stride/reward.h"

namespace {

// "foot_contact.right" -> "right"
std::string Member(const std::string& signal) { return signal.substr(signal.find('.') + 1); }

class FootSlip : public stride::RewardTerm {
 public:
  explicit FootSlip(double tolerance) : tolerance_(tolerance) {}

  void Bind(const stride::SignalIndex& signals) override {
    const std::vector<int> contacts = signals.RequireGroup("foot_contact");
    const std::vector<int> velocities = signals.RequireGroup("foot_velocity");
    for (int contact : contacts) {
      const std::string foot = Member(signals.names()[contact]);
      const auto velocity = std::find_if(velocities.begin(), velocities.end(),
                                         [&](int v) { return Member(signals.names()[v]) == foot; });
      if (velocity == velocities.end()) {
        throw stride::ConfigError("foot_slip: the environment writes foot_contact." + foot +
                                  " but no foot_velocity." + foot);
      }
      feet_.push_back({contact, *velocity});
    }
  }

  double Value(const double* signals) const override {
    double slip = 0.0;
    for (const auto& [contact, velocity] : feet_) {
      slip += signals[contact] * std::max(std::fabs(signals[velocity]) - tolerance_, 0.0);
    }
    return -slip;
  }

 private:
  double tolerance_;
  // per foot: the positions of its contact and velocity signals
  std::vector<std::pair<int, int>> feet_;
};

std::vector<stride::PluginEntry> Entries() {
  return {stride::RewardEntry(
      "foot_slip", "minus the speed of the feet that touch the floor (a penalty)",
      {stride::InRange(
          stride::DoubleParam("tolerance", 0.05, "foot speed in m/s that counts as standing still"),
          0.0, std::nullopt)},
      [](const stride::Params& params) -> std::unique_ptr<stride::RewardTerm> {
        return std::make_unique<FootSlip>(params.GetDouble("tolerance"));
      })};
}

}  // namespace

STRIDE_PLUGIN(Entries)
