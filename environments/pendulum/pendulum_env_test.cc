// The pendulum, loaded from its library as stride loads it.
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <mujoco/mujoco.h>

#include "stride/environment.h"
#include "stride/error.h"
#include "stride/registry.h"

namespace stride {
namespace {

const PluginEntry& Entry() {
  static const PluginRegistry* registry = [] {
    auto* loaded = new PluginRegistry();
    loaded->LoadLibrary(PLUGIN_LIBRARY);
    return loaded;
  }();
  return *registry->Find(PluginKind::kEnvironment, "pendulum").entry;
}

// a pendulum built through the plugin's factory from the declared defaults,
// with some parameters changed
std::unique_ptr<Environment> MakePendulum(const std::map<std::string, ParamValue>& changes = {}) {
  const PluginEntry& entry = Entry();
  Params params;
  for (const ParamSpec& spec : entry.params) params.Set(spec.name, *spec.default_value);
  for (const auto& [name, value] : changes) {
    if (!params.Has(name)) throw std::logic_error("undeclared parameter " + name);
    params.Set(name, value);
  }
  return std::get<EnvironmentFactory>(entry.factory)(params);
}

// observations, signals and flags of every step, as bytes
std::vector<uint8_t> Record(Environment& env, const std::vector<float>& actions) {
  std::vector<float> obs(4);
  std::vector<double> signals(env.signal_names().size());
  std::vector<uint8_t> bytes;
  auto append = [&bytes](const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes.insert(bytes.end(), p, p + size);
  };
  for (float action : actions) {
    const StepResult r = env.Step(&action, obs.data(), signals.data());
    append(obs.data(), obs.size() * sizeof(float));
    append(signals.data(), signals.size() * sizeof(double));
    const uint8_t flags[3] = {r.terminated, r.truncated, r.numerical_failure};
    append(flags, sizeof flags);
    if (r.terminated || r.truncated) break;
  }
  return bytes;
}

std::vector<float> RandomActions(int steps, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-3.0f, 3.0f);
  std::vector<float> actions(steps);
  for (float& a : actions) a = uniform(rng);
  return actions;
}

// a hand-tuned linear state feedback that keeps the pole up
float Balance(const std::vector<float>& obs) {
  return 1.0f * obs[0] + 6.0f * obs[1] + 0.5f * obs[2] + 1.0f * obs[3];
}

TEST(PendulumEnvTest, ReadmeListsEveryParameterAsDeclared) {
  std::ifstream file(STRIDE_PENDULUM_README);
  const std::string readme((std::istreambuf_iterator<char>(file)), {});
  ASSERT_FALSE(readme.empty());
  for (const ParamSpec& spec : Entry().params) {
    const std::string row = ParamTableRow(spec);
    EXPECT_NE(readme.find(row), std::string::npos) << "README.md lacks the row\n" << row;
  }
}

TEST(PendulumEnvTest, SpacesAndSignals) {
  auto env = MakePendulum();
  EXPECT_EQ(env->observation_space().names,
            (std::vector<std::string>{"cart_position", "pole_angle", "cart_velocity",
                                      "pole_angular_velocity"}));
  EXPECT_EQ(env->action_space().names, std::vector<std::string>{"slide"});
  EXPECT_EQ(env->action_space().low[0], -3.0);
  EXPECT_EQ(env->action_space().high[0], 3.0);
  EXPECT_EQ(env->signal_names(),
            (std::vector<std::string>{"cart_position", "pole_angle", "control_squared"}));
  EXPECT_DOUBLE_EQ(env->dt(), 0.04);
  EXPECT_EQ(env->max_episode_steps(), 1000);
}

TEST(PendulumEnvTest, SeededResetIsReproducibleAndNoisy) {
  auto a = MakePendulum();
  auto b = MakePendulum();
  std::vector<float> obs_a(4), obs_b(4);
  a->Reset(5, obs_a.data());
  b->Reset(5, obs_b.data());
  EXPECT_EQ(std::memcmp(obs_a.data(), obs_b.data(), sizeof(float) * 4), 0);
  for (float x : obs_a) {
    EXPECT_LE(std::fabs(x), 0.01);
    EXPECT_NE(x, 0.0f);
  }
  b->Reset(6, obs_b.data());
  EXPECT_NE(std::memcmp(obs_a.data(), obs_b.data(), sizeof(float) * 4), 0);
}

TEST(PendulumEnvTest, SameActionsGiveSameTrajectory) {
  auto a = MakePendulum();
  auto b = MakePendulum();
  std::vector<float> obs(4);
  a->Reset(1, obs.data());
  b->Reset(1, obs.data());
  const std::vector<float> actions = RandomActions(50, 1);
  EXPECT_EQ(Record(*a, actions), Record(*b, actions));
}

TEST(PendulumEnvTest, TerminatesWhenThePoleLeansTooFar) {
  auto env = MakePendulum();
  std::vector<float> obs(4);
  std::vector<double> signals(3);
  env->Reset(0, obs.data());
  const float push = 3.0f;
  StepResult result;
  int steps = 0;
  while (steps < 100 && !result.terminated) {
    result = env->Step(&push, obs.data(), signals.data());
    ++steps;
  }
  ASSERT_TRUE(result.terminated);
  EXPECT_GT(std::fabs(obs[1]), 0.2);
  EXPECT_EQ(signals[1], env->mujoco_data()->qpos[1]);
  EXPECT_EQ(signals[2], 9.0);
  EXPECT_FALSE(result.truncated);
}

TEST(PendulumEnvTest, ALinearControllerBalancesForAFullEpisode) {
  auto env = MakePendulum();
  std::vector<float> obs(4);
  std::vector<double> signals(3);
  env->Reset(3, obs.data());
  StepResult result;
  int steps = 0;
  while (!result.terminated && !result.truncated) {
    const float action = Balance(obs);
    result = env->Step(&action, obs.data(), signals.data());
    ++steps;
  }
  EXPECT_TRUE(result.truncated);
  EXPECT_EQ(steps, 1000);
}

TEST(PendulumEnvTest, TruncatesAtMaxEpisodeSteps) {
  auto env = MakePendulum({{"max_episode_steps", int64_t{4}}});
  std::vector<float> obs(4);
  std::vector<double> signals(3);
  env->Reset(0, obs.data());
  for (int t = 1; t <= 4; ++t) {
    const float action = Balance(obs);
    const StepResult r = env->Step(&action, obs.data(), signals.data());
    EXPECT_FALSE(r.terminated);
    EXPECT_EQ(r.truncated, t == 4);
  }
}

TEST(PendulumEnvTest, SavedStateContinuesBitwise) {
  auto original = MakePendulum();
  std::vector<float> obs(4);
  original->Reset(2, obs.data());
  Record(*original, {0.1f, -0.2f, 0.3f});
  auto restored = MakePendulum();
  restored->LoadState(original->SaveState());
  const std::vector<float> rest = {0.5f, -0.5f, 0.25f, 0.0f, -0.1f};
  EXPECT_EQ(Record(*restored, rest), Record(*original, rest));
  EXPECT_THROW(restored->LoadState({1, 2, 3}), RuntimeError);
}

TEST(PendulumEnvTest, RandomActionsStayFinite) {
  auto env = MakePendulum();
  std::vector<float> obs(4);
  std::vector<double> signals(3);
  const std::vector<float> actions = RandomActions(3000, 2);
  env->Reset(0, obs.data());
  int episodes = 0;
  for (float action : actions) {
    const StepResult r = env->Step(&action, obs.data(), signals.data());
    ASSERT_FALSE(r.numerical_failure);
    for (float x : obs) ASSERT_TRUE(std::isfinite(x));
    for (double s : signals) ASSERT_TRUE(std::isfinite(s));
    if (r.terminated || r.truncated) env->Reset(++episodes, obs.data());
  }
  EXPECT_GT(episodes, 10);
  EXPECT_TRUE(env->Warnings().empty());
}

}  // namespace
}  // namespace stride
