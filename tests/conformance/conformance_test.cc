// Every registered plugin against its contract (open_spiel's RandomSimTest idea):
// a new plugin in the build gets these checks without writing a test.
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include "stride/algorithm.h"
#include "stride/env_checker.h"
#include "stride/error.h"
#include "stride/experiment.h"
#include "stride/registry.h"
#include "stride/vec_env.h"

namespace stride {
namespace {

const PluginRegistry& Registry() {
  static PluginRegistry* registry = [] {
    auto* r = new PluginRegistry();
    r->LoadSearchPath({STRIDE_BUILTIN_PLUGIN_DIR});
    return r;
  }();
  return *registry;
}

Params Defaults(PluginKind kind, const std::string& name) {
  return ParsePluginParams(kind, name, {}, Registry());
}

std::vector<const RegisteredPlugin*> PluginsOf(PluginKind kind) {
  std::vector<const RegisteredPlugin*> plugins;
  for (const RegisteredPlugin& plugin : Registry().plugins()) {
    if (plugin.entry->kind() == kind) plugins.push_back(&plugin);
  }
  return plugins;
}

TEST(ConformanceTest, EveryKindHasPlugins) {
  EXPECT_GE(PluginsOf(PluginKind::kEnvironment).size(), 2u);
  EXPECT_GE(PluginsOf(PluginKind::kReward).size(), 5u);
  EXPECT_GE(PluginsOf(PluginKind::kAlgorithm).size(), 2u);
}

// written out explicitly, every default passes the validation a user's value gets
TEST(ConformanceTest, EveryParameterIsDocumentedAndItsDefaultIsAllowed) {
  for (const RegisteredPlugin& plugin : Registry().plugins()) {
    SCOPED_TRACE(plugin.entry->name);
    EXPECT_FALSE(plugin.entry->summary.empty());
    for (const ParamSpec& spec : plugin.entry->params) {
      SCOPED_TRACE(spec.name);
      EXPECT_FALSE(spec.doc.empty());
      if (!spec.default_value) continue;
      const std::string set = spec.name + "=" + FormatParamValue(*spec.default_value);
      EXPECT_NO_THROW(
          ParsePluginParams(plugin.entry->kind(), plugin.entry->name, {set}, Registry()));
    }
  }
}

TEST(ConformanceTest, EveryEnvironmentKeepsTheContract) {
  for (const RegisteredPlugin* plugin : PluginsOf(PluginKind::kEnvironment)) {
    const std::string& name = plugin->entry->name;
    SCOPED_TRACE(name);
    const Params params = Defaults(PluginKind::kEnvironment, name);
    const EnvCheckReport report =
        CheckEnvironment([&] { return Registry().MakeEnvironment(name, params); }, 3000, 1);
    for (const std::string& failure : report.failures) ADD_FAILURE() << failure;
    EXPECT_GT(report.episodes, 0);
  }
}

// the same seed gives byte-identical observations with one worker or two
TEST(ConformanceTest, EveryEnvironmentVectorizesIndependentlyOfWorkers) {
  for (const RegisteredPlugin* plugin : PluginsOf(PluginKind::kEnvironment)) {
    const std::string& name = plugin->entry->name;
    SCOPED_TRACE(name);
    const Params params = Defaults(PluginKind::kEnvironment, name);
    auto make = [&](int workers) {
      std::vector<std::unique_ptr<Environment>> envs;
      for (int i = 0; i < 5; ++i) envs.push_back(Registry().MakeEnvironment(name, params));
      auto reward = std::make_shared<const RewardFunction>(std::vector<RewardFunction::Term>{},
                                                           envs[0]->signal_names());
      return std::make_unique<VecEnv>(std::move(envs), reward, 42, workers);
    };
    auto one = make(1), two = make(2);
    one->Reset();
    two->Reset();
    std::vector<float> actions(static_cast<size_t>(5) * one->action_size());
    const size_t obs_bytes = sizeof(float) * 5 * one->observation_size();
    for (int t = 0; t < 400; ++t) {
      for (size_t k = 0; k < actions.size(); ++k) actions[k] = std::sin(0.37f * (t + 3 * k));
      one->Step(actions.data());
      two->Step(actions.data());
      ASSERT_EQ(std::memcmp(one->observations(), two->observations(), obs_bytes), 0)
          << "step " << t;
      ASSERT_EQ(std::memcmp(one->terminated(), two->terminated(), 5), 0) << "step " << t;
    }
  }
}

// each term binds to at least one environment and stays finite on its signals
TEST(ConformanceTest, EveryRewardTermBindsAndStaysFinite) {
  for (const RegisteredPlugin* plugin : PluginsOf(PluginKind::kReward)) {
    const std::string& name = plugin->entry->name;
    SCOPED_TRACE(name);
    int bound = 0;
    for (const RegisteredPlugin* env_plugin : PluginsOf(PluginKind::kEnvironment)) {
      const std::string& env_name = env_plugin->entry->name;
      std::unique_ptr<Environment> env =
          Registry().MakeEnvironment(env_name, Defaults(PluginKind::kEnvironment, env_name));
      std::shared_ptr<RewardTerm> term =
          Registry().MakeReward(name, Defaults(PluginKind::kReward, name));
      try {
        term->Bind(SignalIndex(env->signal_names()));
      } catch (const ConfigError&) {
        continue;
      }
      ++bound;
      std::vector<float> obs(env->observation_space().size());
      std::vector<float> action(env->action_space().size());
      std::vector<double> signals(env->signal_names().size());
      env->Reset(3, obs.data());
      for (int t = 0; t < 500; ++t) {
        for (size_t k = 0; k < action.size(); ++k) action[k] = std::cos(0.11f * (t + k));
        const StepResult result = env->Step(action.data(), obs.data(), signals.data());
        ASSERT_TRUE(std::isfinite(term->Value(signals.data()))) << env_name << " step " << t;
        if (result.terminated || result.truncated) env->Reset(t, obs.data());
      }
    }
    EXPECT_GT(bound, 0) << "binds to no registered environment";
  }
}

TEST(ConformanceTest, EveryAlgorithmStartsWithItsDefaults) {
  for (const RegisteredPlugin* plugin : PluginsOf(PluginKind::kAlgorithm)) {
    const std::string& name = plugin->entry->name;
    SCOPED_TRACE(name);
    EXPECT_NE(Registry().MakeAlgorithm(name, Defaults(PluginKind::kAlgorithm, name)), nullptr);
  }
}

}  // namespace
}  // namespace stride
