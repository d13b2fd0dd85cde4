#include "algorithms/vpg/vpg.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <torch/script.h>

#include "algorithms/common/agent.h"
#include "algorithms/common/checkpoint.h"
#include "algorithms/common/testing/point_task.h"
#include "algorithms/common/testing/test_util.h"
#include "stride/error.h"

namespace stride::algorithms::vpg {
namespace {

using testing::DefaultParams;
using testing::FakeTrainContext;

constexpr double kLearnedReturn = 40.0;

std::string RunDir(const std::string& name) { return testing::FreshDirectory("vpg_test_" + name); }

// small batches of 8 envs x 32 steps and a large policy step: many quick updates
VpgConfig SmallConfig() {
  return VpgConfig::FromParams(DefaultParams(
      VpgParams(), {{"num_steps", int64_t{32}}, {"pi_lr", 1e-2}, {"train_v_iters", int64_t{20}}}));
}

FakeTrainContext::Options SmallRun(const std::string& run_dir, int64_t total_steps) {
  FakeTrainContext::Options options;
  options.seed = 23;
  options.total_steps = total_steps;
  options.num_envs = 8;
  options.run_dir = run_dir;
  return options;
}

TEST(PolicyGradientLossTest, MatchesHandComputedValueAndGradient) {
  torch::Tensor log_probs = torch::tensor({-1.0f, -2.0f, -0.5f}).requires_grad_();
  const torch::Tensor advantages = torch::tensor({2.0f, -1.0f, 0.5f});
  // -mean(-2, 2, -0.25)
  const torch::Tensor loss = PolicyGradientLoss(log_probs, advantages);
  EXPECT_NEAR(loss.item<float>(), 0.25 / 3.0, 1e-6);
  // descending it raises the log-probability of actions with positive advantage
  loss.backward();
  EXPECT_TRUE(torch::allclose(log_probs.grad(), -advantages / 3.0));
}

TEST(VpgParamsTest, ReadmeTableMatchesTheDeclaredParameters) {
  const std::string readme = testing::ReadFile(STRIDE_ALGORITHMS_DIR "/vpg/README.md");
  std::set<std::string> names;
  for (const ParamSpec& spec : VpgParams()) EXPECT_TRUE(names.insert(spec.name).second);
  for (const std::string& row : testing::ParameterTableRows(VpgParams())) {
    EXPECT_NE(readme.find(row), std::string::npos) << "README.md lacks the row\n" << row;
  }
}

TEST(VpgTest, LearnsThePointTask) {
  at::set_num_threads(1);
  // standing still, as the untrained policy (mean ~0) does, stays well below the threshold
  const double still = testing::EvaluateOnPointTask(
      [](const float*, int n, float* actions) { std::fill(actions, actions + n, 0.0f); }, 16);
  EXPECT_LT(still, kLearnedReturn - 10.0);

  const std::string dir = RunDir("learn");
  FakeTrainContext::Options options = SmallRun(dir, 40'960);
  options.evaluate_every = 8192;
  FakeTrainContext context(options);
  const auto start = std::chrono::steady_clock::now();
  Vpg(SmallConfig()).Train(context);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  ASSERT_EQ(context.evaluations().size(), 5u);
  EXPECT_GT(context.evaluations().back().mean_return, kLearnedReturn);
  EXPECT_LT(seconds, 30.0);
  std::cout << "returns:";
  for (const auto& evaluation : context.evaluations()) std::cout << " " << evaluation.mean_return;
  std::cout << "\ntrained in " << seconds << " s\n";

  // metrics in their documented order, one row per update
  ASSERT_EQ(context.logged().size(), 160u);
  std::vector<std::string> names;
  for (const auto& [name, value] : context.logged().back().second) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"policy_loss", "value_loss", "entropy", "approx_kl",
                                             "explained_variance", "learning_rate"}));
}

TEST(VpgTest, ExportedPolicyActsLikeTheEvaluatedPolicy) {
  at::set_num_threads(1);
  const std::string dir = RunDir("export");
  FakeTrainContext::Options options = SmallRun(dir, 1024);
  options.evaluate_every = 1024;
  FakeTrainContext context(options);
  Vpg vpg(SmallConfig());
  vpg.Train(context);
  ASSERT_EQ(context.evaluations().size(), 1u);
  const std::vector<float>& expected = context.evaluations().back().probe_actions;

  vpg.ExportPolicy(context.checkpoint_path(), dir + "/exported.pt", "[x]\n");
  for (const std::string& path : {context.policy_path(), dir + "/exported.pt"}) {
    torch::jit::Module module = torch::jit::load(path);
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
TEST(VpgTest, ResumedRunEqualsUninterruptedRun) {
  at::set_num_threads(1);
  const std::string full_dir = RunDir("full"), first_dir = RunDir("first");
  const std::string second_dir = RunDir("second");
  FakeTrainContext full(SmallRun(full_dir, 6 * 256));
  Vpg(SmallConfig()).Train(full);

  FakeTrainContext::Options first_options = SmallRun(first_dir, 6 * 256);
  first_options.stop_at_step = 3 * 256;
  FakeTrainContext first(first_options);
  Vpg(SmallConfig()).Train(first);
  ASSERT_EQ(first.logged().size(), 3u);
  EXPECT_FALSE(std::filesystem::exists(first.policy_path()));

  FakeTrainContext::Options second_options = SmallRun(second_dir, 6 * 256);
  second_options.resume_path = first.checkpoint_path();
  FakeTrainContext second(second_options);
  Vpg(SmallConfig()).Train(second);

  ASSERT_EQ(full.logged().size(), 6u);
  ASSERT_EQ(second.logged().size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(first.logged()[i], full.logged()[i]) << "update " << i + 1;
    EXPECT_EQ(second.logged()[i], full.logged()[i + 3]) << "update " << i + 4;
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

TEST(VpgTest, NonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint) {
  at::set_num_threads(1);
  const std::string dir = RunDir("nan");
  FakeTrainContext::Options options = SmallRun(dir, 10 * 256);
  options.checkpoint_every = 256;
  // each of the 8 environments turns NaN in its fourth rollout of 32 steps
  options.nan_signal_after = 3 * 32 + 5;
  FakeTrainContext context(options);
  try {
    Vpg(SmallConfig()).Train(context);
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("update 4: non-finite"), std::string::npos) << e.what();
  }
  EXPECT_EQ(context.logged().size(), 3u);
  torch::serialize::InputArchive checkpoint = LoadArchive(context.checkpoint_path());
  EXPECT_EQ(ReadInt(checkpoint, "global_step"), 3 * 256);
}

}  // namespace
}  // namespace stride::algorithms::vpg
