// The hopper, loaded from its library as stride loads it: the Environment
// contract, Hopper-v4's spaces, and a hopper without torque falls.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "stride/env_checker.h"
#include "stride/environment.h"
#include "stride/experiment.h"
#include "stride/registry.h"

namespace {

std::unique_ptr<stride::Environment> MakeHopper() {
  static const stride::PluginRegistry* registry = [] {
    auto* loaded = new stride::PluginRegistry();
    loaded->LoadLibrary(PLUGIN_LIBRARY);
    return loaded;
  }();
  const stride::Params params =
      stride::ParsePluginParams(stride::PluginKind::kEnvironment, "hopper", {}, *registry);
  return registry->MakeEnvironment("hopper", params);
}

TEST(HopperTest, KeepsTheEnvironmentContract) {
  const stride::EnvCheckReport report = stride::CheckEnvironment(MakeHopper, 5000, 0);
  for (const std::string& failure : report.failures) ADD_FAILURE() << failure;
  for (const std::string& warning : report.warnings) ADD_FAILURE() << "warning: " << warning;
  EXPECT_GT(report.episodes, 0);
}

TEST(HopperTest, HasHopperV4Spaces) {
  const auto hopper = MakeHopper();
  EXPECT_EQ(hopper->observation_space().size(), 11);
  EXPECT_EQ(hopper->action_space().names, (std::vector<std::string>{"thigh", "leg", "foot"}));
  EXPECT_DOUBLE_EQ(hopper->dt(), 0.008);
}

TEST(HopperTest, WithoutTorqueItFallsWithinTwoSeconds) {
  const auto hopper = MakeHopper();
  std::vector<float> observation(11);
  std::vector<double> signals(hopper->signal_names().size());
  hopper->Reset(0, observation.data());
  EXPECT_NEAR(observation[0], 1.25, 0.01);
  const float zero[3] = {0.0f, 0.0f, 0.0f};
  int steps = 0;
  stride::StepResult result;
  while (!result.terminated && !result.truncated) {
    result = hopper->Step(zero, observation.data(), signals.data());
    ++steps;
  }
  EXPECT_TRUE(result.terminated);
  EXPECT_LT(steps * hopper->dt(), 2.0);
}

}  // namespace
