// What every algorithm plugin promises, checked for each on the point task:
// learning, export, bitwise resume, the end of a run on a non-finite loss,
// refusing another algorithm's checkpoint and its README parameter table.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <torch/script.h>

#include "algorithms/common/agent.h"
#include "algorithms/common/checkpoint.h"
#include "algorithms/common/testing/point_task.h"
#include "algorithms/common/testing/test_util.h"
#include "algorithms/ppo/ppo.h"
#include "algorithms/vpg/vpg.h"
#include "stride/error.h"
#include "stride/plugin.h"

namespace stride::algorithms {
namespace {

using testing::DefaultParams;
using testing::FakeTrainContext;

constexpr int kNumEnvs = 8;
constexpr double kLearnedReturn = 40.0;

// an algorithm and the runs its tests make
struct AlgorithmCase {
  // the plugin name, also its directory
  std::string name;
  std::vector<ParamSpec> params;
  AlgorithmFactory make;
  // overrides of the defaults for quick updates on the point task
  std::vector<std::pair<std::string, ParamValue>> small_config;
  uint64_t seed = 0;
  // the metric names in their documented order
  std::vector<std::string> metric_names;
  // updates of the run that learns the point task, evaluated five times
  int64_t learn_updates = 0;
  // updates of the run that is stopped half way and resumed
  int64_t resume_updates = 0;
  // the update whose rollout turns the reward signal NaN
  int64_t nan_update = 0;
  // a plugin whose checkpoints this one refuses
  std::string other_algorithm;
};

void PrintTo(const AlgorithmCase& algorithm, std::ostream* os) { *os << algorithm.name; }

// a batch of 8 envs x 64 steps in 4 minibatches
AlgorithmCase PpoCase() {
  AlgorithmCase algorithm;
  algorithm.name = "ppo";
  algorithm.params = ppo::PpoParams();
  algorithm.make = [](const Params& params) {
    return std::make_unique<ppo::Ppo>(ppo::PpoConfig::FromParams(params));
  };
  algorithm.small_config = {{"num_steps", int64_t{64}},
                            {"num_minibatches", int64_t{4}},
                            {"update_epochs", int64_t{4}},
                            {"learning_rate", 3e-3}};
  algorithm.seed = 17;
  algorithm.metric_names = {"policy_loss",   "value_loss",         "entropy",      "approx_kl",
                            "clip_fraction", "explained_variance", "learning_rate"};
  algorithm.learn_updates = 40;
  algorithm.resume_updates = 4;
  algorithm.nan_update = 3;
  algorithm.other_algorithm = "vpg";
  return algorithm;
}

// small batches of 8 envs x 32 steps and a large policy step: many quick updates
AlgorithmCase VpgCase() {
  AlgorithmCase algorithm;
  algorithm.name = "vpg";
  algorithm.params = vpg::VpgParams();
  algorithm.make = [](const Params& params) {
    return std::make_unique<vpg::Vpg>(vpg::VpgConfig::FromParams(params));
  };
  algorithm.small_config = {
      {"num_steps", int64_t{32}}, {"pi_lr", 1e-2}, {"train_v_iters", int64_t{20}}};
  algorithm.seed = 23;
  algorithm.metric_names = {"policy_loss", "value_loss",         "entropy",
                            "approx_kl",   "explained_variance", "learning_rate"};
  algorithm.learn_updates = 160;
  algorithm.resume_updates = 6;
  algorithm.nan_update = 4;
  algorithm.other_algorithm = "ppo";
  return algorithm;
}

int64_t LoggedUpdates(const FakeTrainContext& context) {
  return static_cast<int64_t>(context.logged().size());
}

class AlgorithmContractTest : public ::testing::TestWithParam<AlgorithmCase> {
 protected:
  std::string RunDir(const std::string& name) const {
    return testing::FreshDirectory(GetParam().name + "_test_" + name);
  }

  Params SmallParams() const { return DefaultParams(GetParam().params, GetParam().small_config); }
  std::unique_ptr<Algorithm> MakeAlgorithm() const { return GetParam().make(SmallParams()); }

  // steps per environment in one rollout, and of all environments in one update
  int64_t NumSteps() const { return SmallParams().GetInt("num_steps"); }
  int64_t BatchSize() const { return kNumEnvs * NumSteps(); }

  FakeTrainContext::Options SmallRun(const std::string& run_dir, int64_t updates) const {
    FakeTrainContext::Options options;
    options.seed = GetParam().seed;
    options.total_steps = updates * BatchSize();
    options.num_envs = kNumEnvs;
    options.run_dir = run_dir;
    return options;
  }
};

// README.md lists every parameter exactly as declared
TEST_P(AlgorithmContractTest, ReadmeTableMatchesTheDeclaredParameters) {
  const std::string readme =
      testing::ReadFile(std::string(STRIDE_ALGORITHMS_DIR "/") + GetParam().name + "/README.md");
  std::set<std::string> names;
  for (const ParamSpec& spec : GetParam().params) EXPECT_TRUE(names.insert(spec.name).second);
  for (const std::string& row : testing::ParameterTableRows(GetParam().params)) {
    EXPECT_NE(readme.find(row), std::string::npos) << "README.md lacks the row\n" << row;
  }
}

TEST_P(AlgorithmContractTest, LearnsThePointTask) {
  at::set_num_threads(1);
  // standing still, as the untrained policy (mean ~0) does, stays well below the threshold
  const double still = testing::EvaluateOnPointTask(
      [](const float*, int n, float* actions) { std::fill(actions, actions + n, 0.0f); }, 16);
  EXPECT_LT(still, kLearnedReturn - 10.0);

  const int64_t updates = GetParam().learn_updates;
  FakeTrainContext::Options options = SmallRun(RunDir("learn"), updates);
  options.evaluate_every = updates / 5 * BatchSize();
  FakeTrainContext context(options);
  const auto start = std::chrono::steady_clock::now();
  MakeAlgorithm()->Train(context);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  ASSERT_EQ(context.evaluations().size(), 5u);
  EXPECT_GT(context.evaluations().back().mean_return, kLearnedReturn);
  EXPECT_LT(seconds, 30.0);
  std::cout << "returns:";
  for (const auto& evaluation : context.evaluations()) std::cout << " " << evaluation.mean_return;
  std::cout << "\ntrained in " << seconds << " s\n";

  // metrics in their documented order, one row per update
  ASSERT_EQ(LoggedUpdates(context), updates);
  std::vector<std::string> names;
  for (const auto& [name, value] : context.logged().back().second) names.push_back(name);
  EXPECT_EQ(names, GetParam().metric_names);
  EXPECT_EQ(context.logged().back().first, options.total_steps);
}

// the exported policy, from Train and from the checkpoint, acts like the
// in-process policy the last evaluation saw
TEST_P(AlgorithmContractTest, ExportedPolicyActsLikeTheEvaluatedPolicy) {
  at::set_num_threads(1);
  const std::string dir = RunDir("export");
  FakeTrainContext::Options options = SmallRun(dir, 4);
  options.evaluate_every = options.total_steps;
  FakeTrainContext context(options);
  const std::unique_ptr<Algorithm> algorithm = MakeAlgorithm();
  algorithm->Train(context);
  ASSERT_EQ(context.evaluations().size(), 1u);
  const std::vector<float>& expected = context.evaluations().back().probe_actions;

  algorithm->ExportPolicy(context.checkpoint_path(), dir + "/exported.pt", "[x]\n");
  for (const std::string& path : {context.policy_path(), dir + "/exported.pt"}) {
    torch::jit::ExtraFilesMap extra_files{{"stride/config.toml", ""}};
    torch::jit::Module module = torch::jit::load(path, torch::kCPU, extra_files);
    EXPECT_FALSE(extra_files["stride/config.toml"].empty());
    std::vector<float> probes = testing::ProbeObservations();
    const torch::Tensor observations =
        torch::from_blob(probes.data(), {static_cast<int64_t>(probes.size()), 1});
    const torch::Tensor actions = module.forward({observations}).toTensor().contiguous();
    const std::vector<float> got(actions.data_ptr<float>(),
                                 actions.data_ptr<float>() + actions.numel());
    EXPECT_EQ(got, expected) << path;
  }
}

// stopping, checkpointing and resuming gives the uninterrupted run bitwise
TEST_P(AlgorithmContractTest, ResumedRunEqualsUninterruptedRun) {
  at::set_num_threads(1);
  const int64_t updates = GetParam().resume_updates;
  const int64_t stopped = updates / 2;
  FakeTrainContext full(SmallRun(RunDir("full"), updates));
  MakeAlgorithm()->Train(full);

  FakeTrainContext::Options first_options = SmallRun(RunDir("first"), updates);
  first_options.stop_at_step = stopped * BatchSize();
  FakeTrainContext first(first_options);
  MakeAlgorithm()->Train(first);
  ASSERT_EQ(LoggedUpdates(first), stopped);
  EXPECT_FALSE(std::filesystem::exists(first.policy_path()));

  FakeTrainContext::Options second_options = SmallRun(RunDir("second"), updates);
  second_options.resume_path = first.checkpoint_path();
  FakeTrainContext second(second_options);
  MakeAlgorithm()->Train(second);

  ASSERT_EQ(LoggedUpdates(full), updates);
  ASSERT_EQ(LoggedUpdates(second), updates - stopped);
  for (int64_t i = 0; i < stopped; ++i) {
    EXPECT_EQ(first.logged()[i], full.logged()[i]) << "update " << i + 1;
    EXPECT_EQ(second.logged()[i], full.logged()[i + stopped]) << "update " << i + stopped + 1;
  }
  const std::vector<torch::Tensor> resumed =
      testing::CheckpointTensors(second.checkpoint_path(), AgentOptions());
  const std::vector<torch::Tensor> uninterrupted =
      testing::CheckpointTensors(full.checkpoint_path(), AgentOptions());
  ASSERT_EQ(resumed.size(), uninterrupted.size());
  for (size_t i = 0; i < resumed.size(); ++i) {
    EXPECT_TRUE(torch::equal(resumed[i], uninterrupted[i])) << "tensor " << i;
  }
  EXPECT_TRUE(testing::ReadFile(second.policy_path()) == testing::ReadFile(full.policy_path()));
}

// the update's shards run on one thread or two; the bits are the same, run to run
TEST_P(AlgorithmContractTest, SameBitsOnOneThreadOrTwo) {
  // as stride runs: one intra-op thread, so the BLAS calls of the update's
  // calling thread are single-threaded like the shard helper's
  at::set_num_threads(1);
  const int64_t updates = GetParam().resume_updates;
  std::vector<std::unique_ptr<FakeTrainContext>> runs;
  for (int workers : {1, 2, 2}) {
    FakeTrainContext::Options options =
        SmallRun(RunDir("threads_" + std::to_string(runs.size())), updates);
    options.num_workers = workers;
    runs.push_back(std::make_unique<FakeTrainContext>(options));
    MakeAlgorithm()->Train(*runs.back());
  }
  const std::vector<torch::Tensor> one =
      testing::CheckpointTensors(runs[0]->checkpoint_path(), AgentOptions());
  for (size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r]->logged(), runs[0]->logged()) << "run " << r;
    const std::vector<torch::Tensor> other =
        testing::CheckpointTensors(runs[r]->checkpoint_path(), AgentOptions());
    ASSERT_EQ(other.size(), one.size());
    for (size_t i = 0; i < one.size(); ++i) {
      EXPECT_TRUE(torch::equal(other[i], one[i])) << "run " << r << ", tensor " << i;
    }
    EXPECT_TRUE(testing::ReadFile(runs[r]->policy_path()) == testing::ReadFile(runs[0]->policy_path()));
  }
}

TEST_P(AlgorithmContractTest, NonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint) {
  at::set_num_threads(1);
  const int64_t good_updates = GetParam().nan_update - 1;
  FakeTrainContext::Options options = SmallRun(RunDir("nan"), 10);
  options.checkpoint_every = BatchSize();
  // each of the 8 environments turns NaN a few steps into rollout nan_update
  options.nan_signal_after = good_updates * NumSteps() + 5;
  FakeTrainContext context(options);
  try {
    MakeAlgorithm()->Train(context);
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError& e) {
    const std::string expected = "update " + std::to_string(GetParam().nan_update) + ": non-finite";
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
  EXPECT_EQ(LoggedUpdates(context), good_updates);
  torch::serialize::InputArchive checkpoint = LoadArchive(context.checkpoint_path());
  EXPECT_EQ(ReadInt(checkpoint, "global_step"), good_updates * BatchSize());
}

TEST_P(AlgorithmContractTest, CheckpointOfAnotherAlgorithmIsRefused) {
  const std::string dir = RunDir("refuse");
  FakeTrainContext context(SmallRun(dir, 1));
  MakeAlgorithm()->Train(context);
  torch::serialize::OutputArchive archive;
  WriteString(archive, "algorithm", GetParam().other_algorithm);
  SaveArchiveAtomically(archive, dir + "/other.pt");
  try {
    MakeAlgorithm()->ExportPolicy(dir + "/other.pt", dir + "/p.pt", "");
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("is a checkpoint of algorithm '" +
                                         GetParam().other_algorithm + "', not '" + GetParam().name +
                                         "'"),
              std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AlgorithmContractTest, ::testing::Values(PpoCase(), VpgCase()),
                         [](const ::testing::TestParamInfo<AlgorithmCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace stride::algorithms
