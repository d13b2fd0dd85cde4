// The reward terms, loaded from the stride_rewards library as stride loads them.
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "stride/error.h"
#include "stride/registry.h"
#include "stride/reward.h"

namespace stride::rewards {
namespace {

// every entry the library registered
const std::vector<PluginEntry>& Entries() {
  static const auto* entries = [] {
    auto* registry = new PluginRegistry();
    registry->LoadLibrary(PLUGIN_LIBRARY);
    auto* loaded = new std::vector<PluginEntry>;
    for (const RegisteredPlugin& plugin : registry->plugins()) loaded->push_back(*plugin.entry);
    return loaded;
  }();
  return *entries;
}

const PluginEntry& Entry(const std::string& name) {
  for (const PluginEntry& entry : Entries()) {
    if (entry.name == name) return entry;
  }
  throw std::logic_error("no reward " + name);
}

// a term built through the plugin's factory from its defaults, with some
// parameters changed, and bound to the given signal names
std::unique_ptr<RewardTerm> MakeTerm(const std::string& name,
                                     const std::vector<std::string>& signals,
                                     const std::map<std::string, ParamValue>& changes = {}) {
  const PluginEntry& entry = Entry(name);
  Params params;
  for (const ParamSpec& spec : entry.params) params.Set(spec.name, *spec.default_value);
  for (const auto& [key, value] : changes) {
    if (!params.Has(key)) throw std::logic_error("undeclared parameter " + key);
    params.Set(key, value);
  }
  std::unique_ptr<RewardTerm> term = std::get<RewardFactory>(entry.factory)(params);
  term->Bind(SignalIndex(signals));
  return term;
}

std::string BindError(const std::string& name, const std::vector<std::string>& signals) {
  try {
    MakeTerm(name, signals);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(RewardsTest, EveryTermIsARewardEntry) {
  std::vector<std::string> names;
  for (const PluginEntry& entry : Entries()) {
    EXPECT_EQ(entry.kind(), PluginKind::kReward);
    EXPECT_FALSE(entry.summary.empty());
    names.push_back(entry.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"alive_bonus", "ctrl_cost", "energy",
                                             "forward_velocity", "trunk_upright"}));
}

TEST(RewardsTest, ReadmeListsEveryParameterAsDeclared) {
  std::ifstream file(STRIDE_REWARDS_README);
  const std::string readme((std::istreambuf_iterator<char>(file)), {});
  ASSERT_FALSE(readme.empty());
  for (const PluginEntry& entry : Entries()) {
    EXPECT_NE(readme.find(fmt::format("## `{}`", entry.name)), std::string::npos) << entry.name;
    for (const ParamSpec& spec : entry.params) {
      const std::string row = ParamTableRow(spec);
      EXPECT_NE(readme.find(row), std::string::npos) << "README.md lacks the row\n" << row;
    }
  }
}

TEST(RewardsTest, AliveBonusIsItsValueEveryStep) {
  const std::vector<double> signals = {3.0};
  EXPECT_EQ(MakeTerm("alive_bonus", {"height"})->Value(signals.data()), 1.0);
  EXPECT_EQ(MakeTerm("alive_bonus", {"height"}, {{"value", 5.0}})->Value(signals.data()), 5.0);
  EXPECT_EQ(MakeTerm("alive_bonus", {})->Value(nullptr), 1.0);
}

TEST(RewardsTest, ForwardVelocityReadsItsSignal) {
  const std::vector<std::string> names = {"height", "forward_velocity"};
  auto term = MakeTerm("forward_velocity", names);
  EXPECT_EQ(term->Value(std::vector<double>{9.0, 2.5}.data()), 2.5);
  EXPECT_EQ(term->Value(std::vector<double>{9.0, -1.5}.data()), -1.5);
}

TEST(RewardsTest, ForwardVelocityCapsAtMaxSpeed) {
  auto term = MakeTerm("forward_velocity", {"forward_velocity"}, {{"max_speed", 2.0}});
  EXPECT_EQ(term->Value(std::vector<double>{3.0}.data()), 2.0);
  EXPECT_EQ(term->Value(std::vector<double>{1.0}.data()), 1.0);
  EXPECT_EQ(term->Value(std::vector<double>{-4.0}.data()), -4.0);
}

TEST(RewardsTest, CtrlCostIsMinusControlSquared) {
  auto term = MakeTerm("ctrl_cost", {"forward_velocity", "control_squared"});
  EXPECT_EQ(term->Value(std::vector<double>{1.0, 2.5}.data()), -2.5);
  EXPECT_EQ(term->Value(std::vector<double>{1.0, 0.0}.data()), 0.0);
}

TEST(RewardsTest, TrunkUprightIsMinusPitchSquared) {
  auto term = MakeTerm("trunk_upright", {"trunk_pitch"});
  EXPECT_DOUBLE_EQ(term->Value(std::vector<double>{0.5}.data()), -0.25);
  EXPECT_DOUBLE_EQ(term->Value(std::vector<double>{-0.5}.data()), -0.25);
}

TEST(RewardsTest, EnergyIsMinusAbsolutePowerPairedByJoint) {
  // the groups list the joints in different orders
  const std::vector<std::string> names = {"actuator_force.hip", "actuator_force.knee",
                                          "joint_velocity.knee", "joint_velocity.hip"};
  auto term = MakeTerm("energy", names);
  // hip: force 2 against velocity -3 (braking), knee: force -1 with velocity -4
  const std::vector<double> signals = {2.0, -1.0, -4.0, -3.0};
  EXPECT_DOUBLE_EQ(term->Value(signals.data()), -(6.0 + 4.0));
  EXPECT_EQ(term->Value(std::vector<double>{0.0, 0.0, 5.0, 5.0}.data()), 0.0);
}

TEST(RewardsTest, EnergyRejectsGroupsNamingDifferentJoints) {
  const std::string error =
      BindError("energy", {"actuator_force.hip", "joint_velocity.hip", "joint_velocity.knee"});
  EXPECT_NE(error.find("actuator_force has hip; joint_velocity has hip, knee"), std::string::npos)
      << error;
}

TEST(RewardsTest, MissingSignalsAreNamed) {
  const std::vector<std::string> names = {"height"};
  EXPECT_NE(BindError("forward_velocity", names).find("'forward_velocity'"), std::string::npos);
  EXPECT_NE(BindError("ctrl_cost", names).find("'control_squared'"), std::string::npos);
  EXPECT_NE(BindError("trunk_upright", names).find("'trunk_pitch'"), std::string::npos);
  EXPECT_NE(BindError("energy", names).find("'actuator_force.*'"), std::string::npos);
  EXPECT_NE(BindError("energy", {"actuator_force.hip"}).find("'joint_velocity.*'"),
            std::string::npos);
}

}  // namespace
}  // namespace stride::rewards
