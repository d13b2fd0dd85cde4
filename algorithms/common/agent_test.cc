#include "algorithms/common/agent.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include "algorithms/common/checkpoint.h"
#include "algorithms/common/rollout.h"
#include "algorithms/common/testing/point_task.h"
#include "algorithms/common/testing/test_util.h"
#include "algorithms/common/training.h"
#include "stride/error.h"

namespace stride::algorithms {
namespace {

// a file in a directory of its own, as ctest may run the tests in parallel
std::string TempPath(const std::string& test, const std::string& file) {
  return testing::FreshDirectory("agent_test_" + test) + "/" + file;
}

Space Box(int size, double low, double high) {
  Space space;
  for (int i = 0; i < size; ++i) {
    space.names.push_back("x" + std::to_string(i));
    space.low.push_back(low);
    space.high.push_back(high);
  }
  return space;
}

// an agent whose statistics and parameters are far from their initial values
Agent TrainedLookingAgent(const AgentOptions& options, at::Generator& generator) {
  Agent agent(options, Box(4, -1e9, 1e9), Box(2, -0.3, 0.5), generator);
  agent.UpdateNormalizer(torch::randn({64, 4}, generator) * 5.0 + 3.0);
  torch::NoGradGuard no_grad;
  for (torch::Tensor& parameter : agent.model()->parameters()) {
    parameter.add_(torch::randn(parameter.sizes(), generator) * 0.5);
  }
  return agent;
}

void ExpectExportMatchesPolicy(const AgentOptions& options, const std::string& test) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(11);
  Agent agent = TrainedLookingAgent(options, generator);
  const std::string path = TempPath(test, "policy.pt");
  agent.Export(path, "[experiment]\nname = \"x\"\n");

  torch::jit::ExtraFilesMap extra_files{{"stride/config.toml", ""}};
  torch::jit::Module module = torch::jit::load(path, torch::kCPU, extra_files);
  EXPECT_EQ(extra_files["stride/config.toml"], "[experiment]\nname = \"x\"\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  const torch::Tensor observations = torch::randn({100, 4}, generator) * 8.0;
  const torch::Tensor exported = module.forward({observations}).toTensor();
  torch::Tensor in_process = torch::empty({100, 2});
  agent.MakePolicy()(observations.data_ptr<float>(), 100, in_process.data_ptr<float>());
  // LibTorch's matrix products and tanh against stride's own kernels
  EXPECT_TRUE(torch::allclose(exported, in_process, /*rtol=*/1e-5, /*atol=*/1e-5))
      << (exported - in_process).abs().max().item<float>();
  // the bounds are active and the actions are not constant
  EXPECT_EQ(exported.max().item<float>(), 0.5f);
  EXPECT_EQ(exported.min().item<float>(), -0.3f);
  EXPECT_GT(exported.std().item<float>(), 0.01f);
}

TEST(AgentTest, ExportedPolicyActsLikeTheInProcessPolicy) {
  ExpectExportMatchesPolicy(AgentOptions(), "tanh");
}

TEST(AgentTest, ExportedPolicyWithReluAndNoNormalization) {
  AgentOptions options;
  options.network.activation = Activation::kRelu;
  options.network.hidden_sizes = {32};
  options.normalize_observations = false;
  ExpectExportMatchesPolicy(options, "relu");
}

TEST(AgentTest, ExportAppliesTheObservationNormalization) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(2);
  Agent agent = TrainedLookingAgent(AgentOptions(), generator);
  const torch::Tensor observations = torch::randn({10, 4}, generator);
  torch::jit::Module module = agent.ToTorchScript();
  const torch::Tensor exported = module.forward({observations}).toTensor();
  const torch::Tensor by_hand =
      agent.ClipActions(agent.model()->ActionMean(agent.normalizer()->Normalize(observations)));
  const torch::Tensor unnormalized = agent.ClipActions(agent.model()->ActionMean(observations));
  EXPECT_TRUE(torch::equal(exported, by_hand));
  EXPECT_FALSE(torch::allclose(exported, unnormalized));
}

// everything a checkpoint restores: networks, optimizer moments, statistics,
// environments and the sampling generator
TEST(CheckpointTest, RoundTripRestoresEveryPiece) {
  at::set_num_threads(1);
  const std::string path = TempPath("round_trip", "checkpoint.pt");
  auto env = testing::MakePointVecEnv(3, 5);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(5);
  Agent agent(AgentOptions(), env->observation_space(), env->action_space(), generator);
  const int64_t size = agent.model()->flat().num_parameters();
  FlatAdam optimizer(0, size);
  RolloutOptions rollout_options;
  rollout_options.num_steps = 20;
  Rollout rollout(rollout_options, *env, agent);
  rollout.Start();
  rollout.Collect(generator);
  // a step along a gradient every parameter sees
  std::vector<float> gradient(size);
  for (int64_t k = 0; k < size; ++k) gradient[k] = 0.1f * static_cast<float>(k % 7) - 0.3f;
  optimizer.Step(agent.model()->flat_parameters(), gradient.data(), 1e-2);
  TrainingState state{"test", &agent, &rollout, &generator, {{"optimizer", &optimizer}}};
  state.global_step = 60;
  state.update = 1;
  SaveCheckpoint(state, path);

  auto fresh_env = testing::MakePointVecEnv(3, 99);
  at::Generator fresh_generator = at::make_generator<at::CPUGeneratorImpl>(99);
  Agent fresh(AgentOptions(), fresh_env->observation_space(), fresh_env->action_space(),
              fresh_generator);
  FlatAdam fresh_optimizer(0, size);
  Rollout fresh_rollout(rollout_options, *fresh_env, fresh);
  TrainingState fresh_state{
      "test", &fresh, &fresh_rollout, &fresh_generator, {{"optimizer", &fresh_optimizer}}};
  LoadCheckpoint(path, fresh_state);
  EXPECT_EQ(fresh_state.global_step, 60);
  EXPECT_EQ(fresh_state.update, 1);

  // networks, also as the flat array the updates compute on, and optimizer moments
  const auto parameters = agent.model()->parameters();
  const auto fresh_parameters = fresh.model()->parameters();
  for (size_t i = 0; i < parameters.size(); ++i) {
    EXPECT_TRUE(torch::equal(parameters[i], fresh_parameters[i])) << "parameter " << i;
  }
  EXPECT_TRUE(std::equal(agent.model()->flat_parameters(), agent.model()->flat_parameters() + size,
                         fresh.model()->flat_parameters()));
  EXPECT_EQ(optimizer.steps, fresh_optimizer.steps);
  EXPECT_EQ(optimizer.first_moment, fresh_optimizer.first_moment);
  EXPECT_EQ(optimizer.second_moment, fresh_optimizer.second_moment);

  // statistics
  const RunningMeanStd& statistics = agent.normalizer()->statistics();
  const RunningMeanStd& fresh_statistics = fresh.normalizer()->statistics();
  EXPECT_TRUE(torch::equal(statistics.mean(), fresh_statistics.mean()));
  EXPECT_TRUE(torch::equal(statistics.var(), fresh_statistics.var()));
  EXPECT_EQ(statistics.count(), fresh_statistics.count());
  EXPECT_TRUE(torch::equal(rollout.reward_scaler()->statistics().var(),
                           fresh_rollout.reward_scaler()->statistics().var()));

  // the environments and the generator continue identically
  EXPECT_EQ(env->SaveState(), fresh_env->SaveState());
  const RolloutBatch& next = rollout.Collect(generator);
  const RolloutBatch& fresh_next = fresh_rollout.Collect(fresh_generator);
  EXPECT_TRUE(torch::equal(next.observations, fresh_next.observations));
  EXPECT_TRUE(torch::equal(next.actions, fresh_next.actions));
  EXPECT_TRUE(torch::equal(next.rewards, fresh_next.rewards));
}

TEST(CheckpointTest, OptimizerOfAnotherSizeIsARuntimeErrorNamingTheFile) {
  const std::string path = TempPath("optimizer_size", "checkpoint.pt");
  auto env = testing::MakePointVecEnv(2, 5);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(5);
  Agent agent(AgentOptions(), env->observation_space(), env->action_space(), generator);
  Rollout rollout(RolloutOptions(), *env, agent);
  rollout.Start();
  const int64_t size = agent.model()->flat().num_parameters();
  FlatAdam smaller(0, size - 1);
  SaveCheckpoint({"test", &agent, &rollout, &generator, {{"optimizer", &smaller}}}, path);

  FlatAdam optimizer(0, size);
  TrainingState state{"test", &agent, &rollout, &generator, {{"optimizer", &optimizer}}};
  try {
    LoadCheckpoint(path, state);
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": 'first_moment' holds " +
                                         std::to_string(size - 1) + " values"),
              std::string::npos)
        << e.what();
  }
}

TEST(CheckpointTest, MissingFileIsARuntimeError) {
  EXPECT_THROW(LoadArchive(TempPath("missing", "does_not_exist.pt")), RuntimeError);
}

}  // namespace
}  // namespace stride::algorithms
