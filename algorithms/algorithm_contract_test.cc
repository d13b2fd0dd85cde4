// What every algorithm plugin promises, checked for each registered algorithm,
// made through its plugin entry, on the point task:
// learning, export, bitwise resume, the end of a run on a non-finite loss,
// refusing another algorithm's checkpoint and its README parameter table. A
// case that cannot apply to an algorithm (the reference policies learn
// nothing) is skipped by name, with the reason.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
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
#include "stride/error.h"
#include "stride/plugin.h"
#include "stride/registry.h"

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
  // overrides of the defaults for quick updates on the point task
  std::vector<std::pair<std::string, ParamValue>> small_config;
  // steps of each environment in one update of small_config
  int64_t update_steps = 0;
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
  // what of a checkpoint equal runs must agree on bit for bit
  std::function<std::vector<torch::Tensor>(const std::string&)> checkpoint_tensors;
  // the cases that cannot apply, by test name, with the reason
  std::map<std::string, std::string> skipped;
  // how far the exported policy's actions may be from the evaluated ones: 0,
  // or float rounding where evaluation runs stride's own kernels and the export
  // LibTorch's products and tanh
  float export_tolerance = 0.0f;
};

// the networks, statistics, generator, environments and counters of ppo and vpg
std::vector<torch::Tensor> AgentCheckpointTensors(const std::string& path) {
  return testing::CheckpointTensors(path, AgentOptions());
}

// a batch of 8 envs x 64 steps in 4 minibatches
AlgorithmCase PpoCase() {
  AlgorithmCase algorithm;
  algorithm.name = "ppo";
  algorithm.update_steps = 64;
  algorithm.small_config = {{"num_steps", algorithm.update_steps},
                            {"num_minibatches", int64_t{4}},
                            {"update_epochs", int64_t{4}},
                            {"learning_rate", 3e-3}};
  algorithm.seed = 17;
  algorithm.export_tolerance = 1e-5f;
  algorithm.metric_names = {"policy_loss",   "value_loss",         "entropy",      "approx_kl",
                            "clip_fraction", "explained_variance", "learning_rate"};
  algorithm.learn_updates = 40;
  algorithm.resume_updates = 4;
  algorithm.nan_update = 3;
  algorithm.other_algorithm = "vpg";
  algorithm.checkpoint_tensors = AgentCheckpointTensors;
  return algorithm;
}

// small batches of 8 envs x 32 steps and a large policy step: many quick updates
AlgorithmCase VpgCase() {
  AlgorithmCase algorithm;
  algorithm.name = "vpg";
  algorithm.update_steps = 32;
  algorithm.small_config = {
      {"num_steps", algorithm.update_steps}, {"pi_lr", 1e-2}, {"train_v_iters", int64_t{20}}};
  algorithm.seed = 23;
  algorithm.export_tolerance = 1e-5f;
  algorithm.metric_names = {"policy_loss", "value_loss",         "entropy",
                            "approx_kl",   "explained_variance", "learning_rate"};
  algorithm.learn_updates = 160;
  algorithm.resume_updates = 6;
  algorithm.nan_update = 4;
  algorithm.other_algorithm = "ppo";
  algorithm.checkpoint_tensors = AgentCheckpointTensors;
  return algorithm;
}

// 8 directions: the 16 rollouts of an update are two 50-step episodes on each of
// the 8 environments while no perturbed policy pushes the point past |x| = 2,
// which these small perturbations of the first update's zero policy never do
// (the non-finite case counts on the first update's steps)
AlgorithmCase ArsCase() {
  AlgorithmCase algorithm;
  algorithm.name = "ars";
  algorithm.small_config = {{"num_directions", int64_t{8}},
                            {"top_directions", int64_t{4}},
                            {"step_size", 0.05},
                            {"noise", 0.05}};
  algorithm.update_steps = 100;
  algorithm.seed = 29;
  algorithm.metric_names = {"rollout_return", "return_std", "step_norm", "weight_norm",
                            "rollout_steps"};
  algorithm.learn_updates = 100;
  algorithm.resume_updates = 6;
  algorithm.nan_update = 2;
  algorithm.other_algorithm = "ppo";
  algorithm.checkpoint_tensors = [](const std::string& path) {
    return testing::CheckpointTensors(
        path, {"policy/weights", "policy/observation_statistics/mean",
               "policy/observation_statistics/squares", "generator", "environments"});
  };
  return algorithm;
}

// 16 steps of 8 environments per update, learning from the 9th step of the first
AlgorithmCase SacCase() {
  AlgorithmCase algorithm;
  algorithm.name = "sac";
  algorithm.update_steps = 16;
  algorithm.small_config = {{"num_steps", algorithm.update_steps},
                            {"learning_starts", int64_t{64}},
                            {"batch_size", int64_t{64}},
                            {"hidden_sizes", std::vector<int64_t>{32, 32}},
                            {"policy_lr", 3e-3},
                            {"q_lr", 3e-3}};
  algorithm.seed = 41;
  algorithm.metric_names = {"qf1_values", "qf2_values", "qf_loss",
                            "actor_loss", "alpha",      "alpha_loss"};
  algorithm.learn_updates = 60;
  algorithm.resume_updates = 6;
  algorithm.nan_update = 3;
  algorithm.other_algorithm = "td3";
  algorithm.checkpoint_tensors = [](const std::string& path) {
    return testing::CheckpointTensors(
        path, {"actor/mean/trunk/fc1/weight", "actor/mean/head/weight", "actor/log_std/weight",
               "critic/qf1/head/weight", "critic/qf2_target/trunk/fc2/weight", "log_alpha",
               "replay_buffer/observations", "replay_buffer/rewards", "generator", "environments"});
  };
  return algorithm;
}

// as sac's runs
AlgorithmCase Td3Case() {
  AlgorithmCase algorithm;
  algorithm.name = "td3";
  algorithm.update_steps = 16;
  algorithm.small_config = {{"num_steps", algorithm.update_steps},
                            {"learning_starts", int64_t{64}},
                            {"batch_size", int64_t{64}},
                            {"hidden_sizes", std::vector<int64_t>{32, 32}},
                            {"learning_rate", 3e-3}};
  algorithm.seed = 43;
  algorithm.metric_names = {"qf1_values", "qf2_values", "qf_loss", "actor_loss"};
  algorithm.learn_updates = 60;
  algorithm.resume_updates = 6;
  algorithm.nan_update = 3;
  algorithm.other_algorithm = "sac";
  algorithm.checkpoint_tensors = [](const std::string& path) {
    return testing::CheckpointTensors(
        path, {"actor/trunk/fc1/weight", "actor/head/weight", "actor_target/head/weight",
               "critic/qf1/head/weight", "critic/qf2_target/trunk/fc2/weight",
               "replay_buffer/observations", "replay_buffer/rewards", "generator", "environments"});
  };
  return algorithm;
}

// what the reference policies skip: they learn nothing and compute nothing from rewards
std::map<std::string, std::string> ReferencePolicySkips() {
  return {{"LearnsThePointTask", "a reference policy learns nothing"},
          {"NonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint",
           "a reference policy has no loss or parameters for a non-finite reward to reach"}};
}

// only the environments and the counters are state
std::vector<torch::Tensor> FixedPolicyCheckpointTensors(const std::string& path) {
  return testing::CheckpointTensors(path, {"environments"});
}

AlgorithmCase RandomCase() {
  AlgorithmCase algorithm;
  algorithm.name = "random";
  algorithm.update_steps = 32;
  algorithm.small_config = {{"num_steps", algorithm.update_steps}};
  algorithm.seed = 31;
  algorithm.resume_updates = 6;
  algorithm.other_algorithm = "zero";
  algorithm.checkpoint_tensors = FixedPolicyCheckpointTensors;
  algorithm.skipped = ReferencePolicySkips();
  algorithm.skipped["ExportedPolicyActsLikeTheEvaluatedPolicy"] =
      "the exported random policy draws from LibTorch's generator, not the evaluation's stream";
  return algorithm;
}

AlgorithmCase ZeroCase() {
  AlgorithmCase algorithm;
  algorithm.name = "zero";
  algorithm.update_steps = 32;
  algorithm.small_config = {{"num_steps", algorithm.update_steps}};
  algorithm.seed = 37;
  algorithm.resume_updates = 6;
  algorithm.other_algorithm = "random";
  algorithm.checkpoint_tensors = FixedPolicyCheckpointTensors;
  algorithm.skipped = ReferencePolicySkips();
  return algorithm;
}

// the point-task settings of each algorithm, by name
const std::map<std::string, AlgorithmCase>& Cases() {
  static const auto* cases = [] {
    auto* by_name = new std::map<std::string, AlgorithmCase>;
    for (const AlgorithmCase& algorithm :
         {PpoCase(), VpgCase(), ArsCase(), SacCase(), Td3Case(), RandomCase(), ZeroCase()}) {
      (*by_name)[algorithm.name] = algorithm;
    }
    return by_name;
  }();
  return *cases;
}

// the built-in plugins, loaded as stride loads them
const PluginRegistry& Registry() {
  static const auto* registry = [] {
    auto* r = new PluginRegistry();
    r->LoadSearchPath({STRIDE_BUILTIN_PLUGIN_DIR});
    return r;
  }();
  return *registry;
}

// every registered algorithm: each is held to the contract, through its entry
std::vector<std::string> RegisteredAlgorithms() { return Registry().Names(PluginKind::kAlgorithm); }

int64_t LoggedUpdates(const FakeTrainContext& context) {
  return static_cast<int64_t>(context.logged().size());
}

class AlgorithmContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const auto found = Cases().find(GetParam());
    ASSERT_NE(found, Cases().end())
        << "algorithm '" << GetParam()
        << "' is registered but has no point-task settings: add its case to Cases()";
    case_ = &found->second;
  }

  const AlgorithmCase& Case() const { return *case_; }
  const std::vector<ParamSpec>& DeclaredParams() const {
    return Registry().Find(PluginKind::kAlgorithm, GetParam()).entry->params;
  }

  std::string RunDir(const std::string& name) const {
    return testing::FreshDirectory(GetParam() + "_test_" + name);
  }

  Params SmallParams() const { return DefaultParams(DeclaredParams(), Case().small_config); }
  std::unique_ptr<Algorithm> MakeAlgorithm() const {
    return Registry().MakeAlgorithm(GetParam(), SmallParams());
  }

  // steps per environment in one update, and of all environments
  int64_t NumSteps() const { return Case().update_steps; }
  int64_t BatchSize() const { return kNumEnvs * NumSteps(); }

  // why this algorithm skips the case, if it does
  std::optional<std::string> SkipReason(const std::string& test) const {
    const auto found = Case().skipped.find(test);
    if (found == Case().skipped.end()) return std::nullopt;
    return found->second;
  }

  std::vector<torch::Tensor> CheckpointTensors(const FakeTrainContext& context) const {
    return Case().checkpoint_tensors(context.checkpoint_path());
  }

  FakeTrainContext::Options SmallRun(const std::string& run_dir, int64_t updates) const {
    FakeTrainContext::Options options;
    options.seed = Case().seed;
    options.total_steps = updates * BatchSize();
    options.num_envs = kNumEnvs;
    options.run_dir = run_dir;
    return options;
  }

 private:
  const AlgorithmCase* case_ = nullptr;
};

// README.md lists every parameter exactly as declared
TEST_P(AlgorithmContractTest, ReadmeTableMatchesTheDeclaredParameters) {
  const std::string readme =
      testing::ReadFile(std::string(STRIDE_ALGORITHMS_DIR "/") + GetParam() + "/README.md");
  std::set<std::string> names;
  for (const ParamSpec& spec : DeclaredParams()) EXPECT_TRUE(names.insert(spec.name).second);
  for (const std::string& row : testing::ParameterTableRows(DeclaredParams())) {
    EXPECT_NE(readme.find(row), std::string::npos) << "README.md lacks the row\n" << row;
  }
}

TEST_P(AlgorithmContractTest, LearnsThePointTask) {
  if (const auto reason = SkipReason("LearnsThePointTask")) GTEST_SKIP() << *reason;
  at::set_num_threads(1);
  // standing still, as the untrained policy (mean ~0) does, stays well below the threshold
  const double still = testing::EvaluateOnPointTask(
      [](const float*, int n, float* actions) { std::fill(actions, actions + n, 0.0f); }, 16);
  EXPECT_LT(still, kLearnedReturn - 10.0);

  const int64_t updates = Case().learn_updates;
  FakeTrainContext::Options options = SmallRun(RunDir("learn"), updates);
  options.evaluate_every = updates / 5 * BatchSize();
  FakeTrainContext context(options);
  const auto start = std::chrono::steady_clock::now();
  MakeAlgorithm()->Train(context);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  ASSERT_EQ(context.evaluations().size(), 5u);
  EXPECT_GT(context.evaluations().back().mean_return, kLearnedReturn);
  std::cout << "returns:";
  for (const auto& evaluation : context.evaluations()) std::cout << " " << evaluation.mean_return;
  std::cout << "\ntrained in " << seconds << " s\n";

  // metrics in their documented order, one row per update, the last the first to reach the budget
  const auto& logged = context.logged();
  ASSERT_GE(logged.size(), 2u);
  std::vector<std::string> names;
  for (const auto& [name, value] : logged.back().second) names.push_back(name);
  EXPECT_EQ(names, Case().metric_names);
  EXPECT_GE(logged.back().first, options.total_steps);
  EXPECT_LT(logged[logged.size() - 2].first, options.total_steps);
}

// the exported policy, from Train and from the checkpoint, acts like the
// in-process policy the last evaluation saw
TEST_P(AlgorithmContractTest, ExportedPolicyActsLikeTheEvaluatedPolicy) {
  if (const auto reason = SkipReason("ExportedPolicyActsLikeTheEvaluatedPolicy")) {
    GTEST_SKIP() << *reason;
  }
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
    ASSERT_EQ(got.size(), expected.size()) << path;
    const float tolerance = Case().export_tolerance;
    for (size_t i = 0; i < got.size(); ++i) {
      if (tolerance == 0.0f) {
        EXPECT_EQ(got[i], expected[i]) << path << " action " << i;
      } else {
        EXPECT_NEAR(got[i], expected[i], tolerance * (1.0f + std::abs(expected[i])))
            << path << " action " << i;
      }
    }
  }
}

// stopping, checkpointing and resuming gives the uninterrupted run bitwise
TEST_P(AlgorithmContractTest, ResumedRunEqualsUninterruptedRun) {
  at::set_num_threads(1);
  const int64_t updates = Case().resume_updates;
  const int64_t stopped = updates / 2;
  FakeTrainContext full(SmallRun(RunDir("full"), updates));
  MakeAlgorithm()->Train(full);

  FakeTrainContext::Options first_options = SmallRun(RunDir("first"), updates);
  first_options.stop_at_step = stopped * BatchSize();
  FakeTrainContext first(first_options);
  MakeAlgorithm()->Train(first);
  EXPECT_FALSE(std::filesystem::exists(first.policy_path()));

  FakeTrainContext::Options second_options = SmallRun(RunDir("second"), updates);
  second_options.resume_path = first.checkpoint_path();
  FakeTrainContext second(second_options);
  MakeAlgorithm()->Train(second);

  // the two parts' rows are the uninterrupted run's, split after the first
  // update that reached the stop
  const int64_t first_updates = LoggedUpdates(first);
  ASSERT_GE(first_updates, 1);
  ASSERT_LT(first_updates, LoggedUpdates(full));
  EXPECT_GE(first.logged().back().first, first_options.stop_at_step);
  if (first_updates > 1) {
    EXPECT_LT(first.logged()[first_updates - 2].first, first_options.stop_at_step);
  }
  ASSERT_EQ(first_updates + LoggedUpdates(second), LoggedUpdates(full));
  for (int64_t i = 0; i < LoggedUpdates(full); ++i) {
    const auto& row = i < first_updates ? first.logged()[i] : second.logged()[i - first_updates];
    EXPECT_EQ(row, full.logged()[i]) << "update " << i + 1;
  }
  const std::vector<torch::Tensor> resumed = CheckpointTensors(second);
  const std::vector<torch::Tensor> uninterrupted = CheckpointTensors(full);
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
  const int64_t updates = Case().resume_updates;
  std::vector<std::unique_ptr<FakeTrainContext>> runs;
  for (int workers : {1, 2, 2}) {
    FakeTrainContext::Options options =
        SmallRun(RunDir("threads_" + std::to_string(runs.size())), updates);
    options.num_workers = workers;
    runs.push_back(std::make_unique<FakeTrainContext>(options));
    MakeAlgorithm()->Train(*runs.back());
  }
  const std::vector<torch::Tensor> one = CheckpointTensors(*runs[0]);
  for (size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r]->logged(), runs[0]->logged()) << "run " << r;
    const std::vector<torch::Tensor> other = CheckpointTensors(*runs[r]);
    ASSERT_EQ(other.size(), one.size());
    for (size_t i = 0; i < one.size(); ++i) {
      EXPECT_TRUE(torch::equal(other[i], one[i])) << "run " << r << ", tensor " << i;
    }
    EXPECT_TRUE(testing::ReadFile(runs[r]->policy_path()) ==
                testing::ReadFile(runs[0]->policy_path()));
  }
}

TEST_P(AlgorithmContractTest, NonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint) {
  if (const auto reason = SkipReason("NonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint")) {
    GTEST_SKIP() << *reason;
  }
  at::set_num_threads(1);
  const int64_t good_updates = Case().nan_update - 1;
  FakeTrainContext::Options options = SmallRun(RunDir("nan"), 10);
  options.checkpoint_every = BatchSize();
  // each of the 8 environments turns NaN a few steps into rollout nan_update
  options.nan_signal_after = good_updates * NumSteps() + 5;
  FakeTrainContext context(options);
  try {
    MakeAlgorithm()->Train(context);
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError& e) {
    const std::string expected = "update " + std::to_string(Case().nan_update) + ": non-finite";
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
  WriteString(archive, "algorithm", Case().other_algorithm);
  SaveArchiveAtomically(archive, dir + "/other.pt");
  try {
    MakeAlgorithm()->ExportPolicy(dir + "/other.pt", dir + "/p.pt", "");
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("is a checkpoint of algorithm '" + Case().other_algorithm +
                                         "', not '" + GetParam() + "'"),
              std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AlgorithmContractTest,
                         ::testing::ValuesIn(RegisteredAlgorithms()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace stride::algorithms
