#include "algorithms/common/off_policy_networks.h"

#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

namespace stride::algorithms {
namespace {

Space Box() { return Space{{"a", "b"}, {-1.0, 0.0}, {3.0, 0.5}}; }

TEST(SquashedActorTest, ActsInsideTheBoxAndExportsTheSameBits) {
  at::set_num_threads(1);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(3);
  SquashedActor actor(3, Box(), std::vector<int64_t>{16, 16}, generator);
  const torch::Tensor observations = 10.0 * torch::randn({64, 3}, generator);
  torch::NoGradGuard no_grad;
  const torch::Tensor actions = actor(observations);
  EXPECT_TRUE((actions.select(1, 0) >= -1.0f).all().item<bool>());
  EXPECT_TRUE((actions.select(1, 0) <= 3.0f).all().item<bool>());
  EXPECT_TRUE((actions.select(1, 1) >= 0.0f).all().item<bool>());
  EXPECT_TRUE((actions.select(1, 1) <= 0.5f).all().item<bool>());

  torch::jit::Module module = actor->ToTorchScript();
  EXPECT_TRUE(torch::equal(module.forward({observations}).toTensor(), actions));
  std::vector<float> evaluated(64 * 2);
  actor->MakePolicy()(observations.contiguous().data_ptr<float>(), 64, evaluated.data());
  EXPECT_TRUE(torch::equal(torch::from_blob(evaluated.data(), {64, 2}), actions));
}

TEST(TwinCriticTest, TargetsStartAsTheCriticsAndFollowThemByTau) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(5);
  TwinCritic critic(3, 2, std::vector<int64_t>{8}, 1e-2, generator);
  const torch::Tensor observations = torch::randn({32, 3}, generator);
  const torch::Tensor actions = torch::randn({32, 2}, generator);
  EXPECT_TRUE(torch::equal(critic.TargetValue(observations, actions),
                           critic.MinQ(observations, actions).detach()));

  // a step moves the critics; a half step of the targets lands half way
  const ReplayBatch batch{observations, actions, torch::ones({32}), observations,
                          torch::zeros({32})};
  const std::vector<torch::Tensor> before = critic.parameters();
  std::vector<torch::Tensor> old;
  for (const torch::Tensor& p : before) old.push_back(p.detach().clone());
  critic.Step(batch, torch::full({32}, 5.0f));
  critic.UpdateTargets(0.5);
  const std::vector<torch::Tensor> after = critic.parameters();
  const size_t per_network = after.size() / 4;
  for (size_t i = 0; i < 2 * per_network; ++i) {
    EXPECT_FALSE(torch::equal(after[i], old[i])) << "critic parameter " << i;
    const torch::Tensor halfway = 0.5 * old[i] + 0.5 * after[i];
    EXPECT_TRUE(torch::allclose(after[2 * per_network + i], halfway, 1e-6, 1e-6))
        << "target parameter " << i;
  }
}

TEST(TwinCriticTest, ActorObjectivesPassGradientsToTheActionsOnly) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(7);
  TwinCritic critic(3, 2, std::vector<int64_t>{8}, 1e-2, generator);
  const torch::Tensor observations = torch::randn({4, 3}, generator);
  const torch::Tensor actions = torch::randn({4, 2}, generator).requires_grad_(true);
  (critic.MinQ(observations, actions).sum() + critic.Q1(observations, actions).sum()).backward();
  EXPECT_TRUE(actions.grad().defined());
  EXPECT_GT(actions.grad().abs().sum().item<double>(), 0.0);
  for (const torch::Tensor& p : critic.parameters()) {
    EXPECT_FALSE(p.grad().defined() && p.grad().abs().sum().item<double>() > 0.0);
  }
  // the critics still learn afterwards
  EXPECT_TRUE(critic.parameters().front().requires_grad());
}

}  // namespace
}  // namespace stride::algorithms
