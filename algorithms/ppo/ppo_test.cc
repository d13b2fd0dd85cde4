#include "algorithms/ppo/ppo.h"

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

namespace stride::algorithms::ppo {
namespace {

using testing::DefaultParams;
using testing::FakeTrainContext;

constexpr double kLearnedReturn = 40.0;

std::string RunDir(const std::string& name) { return testing::FreshDirectory("ppo_test_" + name); }

// a batch of 8 envs x 64 steps in 4 minibatches: quick updates on the point task
PpoConfig SmallConfig() {
  PpoConfig config =
      PpoConfig::FromParams(DefaultParams(PpoParams(), {{"num_steps", int64_t{64}},
                                                        {"num_minibatches", int64_t{4}},
                                                        {"update_epochs", int64_t{4}},
                                                        {"learning_rate", 3e-3}}));
  return config;
}

FakeTrainContext::Options SmallRun(const std::string& run_dir, int64_t total_steps) {
  FakeTrainContext::Options options;
  options.seed = 17;
  options.total_steps = total_steps;
  options.num_envs = 8;
  options.run_dir = run_dir;
  return options;
}

TEST(ClippedSurrogateLossTest, MatchesHandComputedValuesAndGradients) {
  // ratio and advantage per sample: inside the clip range, above it, below it,
  // for a positive and a negative advantage, with clip_epsilon = 0.2
  torch::Tensor ratio = torch::tensor({1.1f, 1.5f, 0.5f, 0.5f, 1.5f, 0.9f}).requires_grad_();
  const torch::Tensor advantages = torch::tensor({2.0f, 2.0f, 2.0f, -1.0f, -1.0f, -1.0f});
  // max(-A r, -A clip(r)):  -2.2 | max(-3, -2.4) = -2.4 | max(-1, -1.6) = -1
  //                          max(0.5, 0.8) = 0.8 | max(1.5, 1.2) = 1.5 | 0.9
  const float expected[] = {-2.2f, -2.4f, -1.0f, 0.8f, 1.5f, 0.9f};
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR(ClippedSurrogateLoss(ratio.detach()[i].view({1}), advantages[i].view({1}), 0.2)
                    .item<float>(),
                expected[i], 1e-6)
        << "sample " << i;
  }
  const torch::Tensor loss = ClippedSurrogateLoss(ratio, advantages, 0.2);
  EXPECT_NEAR(loss.item<float>(), -2.4 / 6.0, 1e-6);
  // where the clipped term wins, the ratio gets no gradient
  loss.backward();
  const torch::Tensor expected_gradient =
      torch::tensor({-2.0f, 0.0f, -2.0f, 0.0f, 1.0f, 1.0f}) / 6.0;
  EXPECT_TRUE(torch::allclose(ratio.grad(), expected_gradient, 1e-6, 1e-6)) << ratio.grad();
}

TEST(ValueLossTest, MatchesHandComputedValues) {
  const torch::Tensor values = torch::tensor({3.0f, 1.1f, 2.0f});
  const torch::Tensor old_values = torch::tensor({1.0f, 1.0f, 1.0f});
  const torch::Tensor returns = torch::tensor({0.0f, 2.0f, 2.0f});
  // unclipped: 0.5 * mean(9, 0.81, 0)
  EXPECT_NEAR(ValueLoss(values, old_values, returns, 0.2, false).item<float>(),
              0.5 * (9.0 + 0.81) / 3.0, 1e-6);
  // clipped values 1.2, 1.1, 1.2: errors max(9, 1.44), max(0.81, 0.81), max(0, 0.64)
  EXPECT_NEAR(ValueLoss(values, old_values, returns, 0.2, true).item<float>(),
              0.5 * (9.0 + 0.81 + 0.64) / 3.0, 1e-6);
}

// README.md lists every parameter exactly as declared
TEST(PpoParamsTest, ReadmeTableMatchesTheDeclaredParameters) {
  const std::string readme = testing::ReadFile(STRIDE_ALGORITHMS_DIR "/ppo/README.md");
  std::set<std::string> names;
  for (const ParamSpec& spec : PpoParams()) EXPECT_TRUE(names.insert(spec.name).second);
  for (const std::string& row : testing::ParameterTableRows(PpoParams())) {
    EXPECT_NE(readme.find(row), std::string::npos) << "README.md lacks the row\n" << row;
  }
}

TEST(PpoTest, NumMinibatchesMustDivideTheBatch) {
  const std::string dir = RunDir("divide");
  FakeTrainContext context(SmallRun(dir, 1000));
  PpoConfig config = SmallConfig();
  config.num_minibatches = 7;
  Ppo ppo(config);
  try {
    ppo.Train(context);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("num_minibatches = 7 does not divide"), std::string::npos)
        << e.what();
  }
}

TEST(PpoTest, LearnsThePointTask) {
  at::set_num_threads(1);
  // standing still, as the untrained policy (mean ~0) does, stays well below the threshold
  const double still = testing::EvaluateOnPointTask(
      [](const float*, int n, float* actions) { std::fill(actions, actions + n, 0.0f); }, 16);
  EXPECT_LT(still, kLearnedReturn - 10.0);

  const std::string dir = RunDir("learn");
  FakeTrainContext::Options options = SmallRun(dir, 20'480);
  options.evaluate_every = 4096;
  FakeTrainContext context(options);
  const auto start = std::chrono::steady_clock::now();
  Ppo(SmallConfig()).Train(context);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  ASSERT_EQ(context.evaluations().size(), 5u);
  EXPECT_GT(context.evaluations().back().mean_return, kLearnedReturn);
  EXPECT_LT(seconds, 30.0);
  std::cout << "returns:";
  for (const auto& evaluation : context.evaluations()) std::cout << " " << evaluation.mean_return;
  std::cout << "\ntrained in " << seconds << " s\n";

  // metrics in their documented order, one row per update
  ASSERT_EQ(context.logged().size(), 40u);
  std::vector<std::string> names;
  for (const auto& [name, value] : context.logged().back().second) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"policy_loss", "value_loss", "entropy", "approx_kl",
                                      "clip_fraction", "explained_variance", "learning_rate"}));
  EXPECT_EQ(context.logged().back().first, 20'480);
}

// the exported policy, from Train and from the checkpoint, acts like the
// in-process policy the last evaluation saw
TEST(PpoTest, ExportedPolicyActsLikeTheEvaluatedPolicy) {
  at::set_num_threads(1);
  const std::string dir = RunDir("export");
  FakeTrainContext::Options options = SmallRun(dir, 2048);
  options.evaluate_every = 2048;
  FakeTrainContext context(options);
  Ppo ppo(SmallConfig());
  ppo.Train(context);
  ASSERT_EQ(context.evaluations().size(), 1u);
  const std::vector<float>& expected = context.evaluations().back().probe_actions;

  ppo.ExportPolicy(context.checkpoint_path(), dir + "/exported.pt", "[x]\n");
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
TEST(PpoTest, ResumedRunEqualsUninterruptedRun) {
  at::set_num_threads(1);
  const std::string full_dir = RunDir("full"), first_dir = RunDir("first");
  const std::string second_dir = RunDir("second");
  FakeTrainContext full(SmallRun(full_dir, 4 * 512));
  Ppo(SmallConfig()).Train(full);

  FakeTrainContext::Options first_options = SmallRun(first_dir, 4 * 512);
  first_options.stop_at_step = 2 * 512;
  FakeTrainContext first(first_options);
  Ppo(SmallConfig()).Train(first);
  ASSERT_EQ(first.logged().size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(first.policy_path()));

  FakeTrainContext::Options second_options = SmallRun(second_dir, 4 * 512);
  second_options.resume_path = first.checkpoint_path();
  FakeTrainContext second(second_options);
  Ppo(SmallConfig()).Train(second);

  ASSERT_EQ(full.logged().size(), 4u);
  ASSERT_EQ(second.logged().size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(first.logged()[i], full.logged()[i]) << "update " << i + 1;
    EXPECT_EQ(second.logged()[i], full.logged()[i + 2]) << "update " << i + 3;
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

TEST(PpoTest, NonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint) {
  at::set_num_threads(1);
  const std::string dir = RunDir("nan");
  FakeTrainContext::Options options = SmallRun(dir, 10 * 512);
  options.checkpoint_every = 512;
  // each of the 8 environments turns NaN in its third rollout of 64 steps
  options.nan_signal_after = 2 * 64 + 10;
  FakeTrainContext context(options);
  try {
    Ppo(SmallConfig()).Train(context);
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("update 3: non-finite"), std::string::npos) << e.what();
  }
  EXPECT_EQ(context.logged().size(), 2u);
  torch::serialize::InputArchive checkpoint = LoadArchive(context.checkpoint_path());
  EXPECT_EQ(ReadInt(checkpoint, "global_step"), 2 * 512);
}

TEST(PpoTest, CheckpointOfAnotherAlgorithmIsRefused) {
  const std::string dir = RunDir("refuse");
  FakeTrainContext context(SmallRun(dir, 512));
  Ppo(SmallConfig()).Train(context);
  torch::serialize::OutputArchive archive;
  WriteString(archive, "algorithm", "vpg");
  SaveArchiveAtomically(archive, dir + "/other.pt");
  EXPECT_THROW(Ppo(SmallConfig()).ExportPolicy(dir + "/other.pt", dir + "/p.pt", ""), RuntimeError);
}

}  // namespace
}  // namespace stride::algorithms::ppo
