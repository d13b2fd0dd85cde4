// Tests of foot_slip, loaded from its library the way stride loads it.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stride/error.h"
#include "stride/experiment.h"
#include "stride/registry.h"
#include "stride/reward.h"

namespace {

const stride::PluginRegistry& Registry() {
  static const stride::PluginRegistry* registry = [] {
    auto* loaded = new stride::PluginRegistry();
    loaded->LoadLibrary(PLUGIN_LIBRARY);
    return loaded;
  }();
  return *registry;
}

std::unique_ptr<stride::RewardTerm> MakeTerm(const std::vector<std::string>& signals,
                                             const std::vector<std::string>& overrides = {}) {
  const stride::Params params =
      stride::ParsePluginParams(stride::PluginKind::kReward, "foot_slip", overrides, Registry());
  std::unique_ptr<stride::RewardTerm> term = Registry().MakeReward("foot_slip", params);
  term->Bind(stride::SignalIndex(signals));
  return term;
}

// what the ConfigError that make throws says; empty if it throws none
std::string ConfigErrorOf(const std::function<void()>& make) {
  try {
    make();
  } catch (const stride::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(FootSlipTest, OnlyFeetOnTheFloorArePenalized) {
  // the velocity group lists the feet in another order than the contacts
  auto term = MakeTerm(
      {"foot_contact.right", "foot_contact.left", "foot_velocity.left", "foot_velocity.right"},
      {"tolerance=0.0"});
  // right foot down sliding at -0.5 m/s, left foot in the air at 2 m/s
  EXPECT_DOUBLE_EQ(term->Value(std::vector<double>{1.0, 0.0, 2.0, -0.5}.data()), -0.5);
  // both down: right still, left sliding at 0.25 m/s
  EXPECT_DOUBLE_EQ(term->Value(std::vector<double>{1.0, 1.0, 0.25, 0.0}.data()), -0.25);
}

TEST(FootSlipTest, SpeedsWithinTheToleranceCountAsStill) {
  auto term = MakeTerm({"foot_contact.right", "foot_velocity.right"}, {"tolerance=0.1"});
  EXPECT_EQ(term->Value(std::vector<double>{1.0, 0.05}.data()), 0.0);
  EXPECT_DOUBLE_EQ(term->Value(std::vector<double>{1.0, -0.3}.data()), -0.2);
}

TEST(FootSlipTest, AFootWithoutVelocityIsAConfigurationError) {
  std::string error = ConfigErrorOf([] {
    MakeTerm({"foot_contact.right", "foot_contact.left", "foot_velocity.right"});
  });
  EXPECT_NE(error.find("foot_contact.left but no foot_velocity.left"), std::string::npos) << error;
  error = ConfigErrorOf([] { MakeTerm({"forward_velocity"}); });
  EXPECT_NE(error.find("no signals 'foot_contact.*'"), std::string::npos) << error;
}

}  // namespace
