// RunOptions::between_updates: the runner calls it after every update with the
// update's steps, and leaves its time out of the run's training time.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"
#include "stride/experiment.h"
#include "stride/registry.h"
#include "stride/runner.h"

namespace stride {
namespace {

using ::testing::ElementsAre;

// two updates of 2 environments x 64 steps
constexpr char kExperiment[] =
    "[experiment]\n"
    "name = \"hook\"\n"
    "total_steps = 256\n"
    "checkpoint_every_steps = 0\n"
    "plugin_dirs = [\"" STRIDE_BUILTIN_PLUGIN_DIR
    "\"]\n"
    "[environment]\n"
    "plugin = \"pendulum\"\n"
    "num_envs = 2\n"
    "[[reward]]\n"
    "plugin = \"alive_bonus\"\n"
    "[algorithm]\n"
    "plugin = \"ppo\"\n"
    "num_steps = 64\n"
    "num_minibatches = 2\n"
    "update_epochs = 1\n"
    "[evaluation]\n"
    "episodes = 1\n";

TEST(RunnerTest, BetweenUpdatesRunsAfterEveryUpdateOutsideTheRunsTime) {
  PluginRegistry registry;
  const Experiment experiment = ParseExperiments(kExperiment, "hook.toml", {}, registry).front();
  RunOptions options;
  options.output_dir = testing::TempDir("runner_between_updates");
  options.force = true;
  std::vector<int64_t> calls;
  options.between_updates = [&](int64_t steps) {
    calls.push_back(steps);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  };
  const auto start = std::chrono::steady_clock::now();
  RunExperiment(experiment, registry, options);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_THAT(calls, ElementsAre(128, 128));
  // the two seconds of the calls are not counted, however long the run took
  const std::string metrics = RunDirectory(experiment, options.output_dir, 0) + "/metrics.csv";
  const double outside = wall - 1.9;
  EXPECT_LT(testing::LastValue(metrics, "train_time_s"), outside);
  EXPECT_LT(testing::LastValue(metrics, "time_s"), outside);
  EXPECT_GT(testing::LastValue(metrics, "steps_per_second"), 256.0 / outside);
}

}  // namespace
}  // namespace stride
