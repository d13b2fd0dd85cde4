// energy: minus the sum over joints of |actuator_force * joint_velocity|
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "stride/error.h"
#include "stride/plugin.h"
#include "stride/reward.h"

namespace stride::rewards {
namespace {

// "group.member" signal positions by member name
std::map<std::string, int> Members(const SignalIndex& signals, const std::string& group) {
  std::map<std::string, int> members;
  for (int position : signals.RequireGroup(group)) {
    members[signals.names()[position].substr(group.size() + 1)] = position;
  }
  return members;
}

std::string JoinNames(const std::map<std::string, int>& members) {
  std::vector<std::string> names;
  for (const auto& [name, position] : members) names.push_back(name);
  return fmt::format("{}", fmt::join(names, ", "));
}

class Energy : public RewardTerm {
 public:
  void Bind(const SignalIndex& signals) override {
    const std::map<std::string, int> forces = Members(signals, "actuator_force");
    const std::map<std::string, int> velocities = Members(signals, "joint_velocity");
    std::vector<std::pair<int, int>> pairs;
    for (const auto& [joint, force] : forces) {
      const auto velocity = velocities.find(joint);
      if (velocity != velocities.end()) pairs.emplace_back(force, velocity->second);
    }
    if (pairs.size() != forces.size() || pairs.size() != velocities.size()) {
      throw ConfigError(
          fmt::format("energy pairs actuator_force.* with joint_velocity.* by joint, but they name "
                      "different joints: actuator_force has {}; joint_velocity has {}",
                      JoinNames(forces), JoinNames(velocities)));
    }
    pairs_ = std::move(pairs);
  }

  double Value(const double* signals) const override {
    double power = 0.0;
    for (const auto& [force, velocity] : pairs_) {
      power += std::fabs(signals[force] * signals[velocity]);
    }
    return -power;
  }

 private:
  // (actuator_force, joint_velocity) positions of each joint
  std::vector<std::pair<int, int>> pairs_;
};

PluginEntry EnergyEntry() {
  return RewardEntry(
      "energy", "minus the summed absolute actuator_force * joint_velocity (a penalty)", {},
      [](const Params&) -> std::unique_ptr<RewardTerm> { return std::make_unique<Energy>(); });
}

STRIDE_REGISTER(EnergyEntry)

}  // namespace
}  // namespace stride::rewards
