#include "algorithms/common/actor_critic.h"

#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include "algorithms/common/flat_actor_critic.h"

namespace stride::algorithms {
namespace {

ActorCriticOptions SmallOptions() {
  ActorCriticOptions options;
  options.observation_size = 5;
  options.action_size = 3;
  options.hidden_sizes = {16, 8};
  options.init_log_std = -0.5;
  return options;
}

TEST(ActorCriticTest, InitializesOrthogonallyWithTheCleanRlGains) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(0);
  ActorCritic model(SmallOptions(), generator);
  torch::NoGradGuard no_grad;
  const auto& layers = model->actor_layers();
  ASSERT_EQ(layers.size(), 3u);
  // rows orthonormal up to the gain: W W^T = gain^2 I where rows <= columns
  const torch::Tensor hidden = layers[1]->weight;  // 8 x 16
  EXPECT_TRUE(torch::allclose(hidden.mm(hidden.t()), 2.0 * torch::eye(8), 1e-4, 1e-4));
  const torch::Tensor output = layers[2]->weight;  // 3 x 8
  EXPECT_TRUE(torch::allclose(output.mm(output.t()), 1e-4 * torch::eye(3), 1e-6, 1e-7));
  // columns orthonormal where rows > columns: 16 x 5
  const torch::Tensor input = layers[0]->weight;
  EXPECT_TRUE(torch::allclose(input.t().mm(input), 2.0 * torch::eye(5), 1e-4, 1e-4));
  for (const auto& layer : layers) EXPECT_EQ(layer->bias.abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(torch::equal(model->log_std(), torch::full({3}, -0.5f)));
  EXPECT_EQ(model->Value(torch::zeros({4, 5})).sizes(), torch::IntArrayRef({4}));
}

// torch.nn.Linear's reset_parameters: weights and biases uniform in +-1/sqrt(fan_in)
TEST(ActorCriticTest, TorchDefaultInitIsUniformWithinOneOverSqrtFanIn) {
  ActorCriticOptions options = SmallOptions();
  options.hidden_sizes = {256};
  options.init = Initialization::kTorchDefault;
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(3);
  ActorCritic model(options, generator);
  torch::NoGradGuard no_grad;
  const auto& layers = model->actor_layers();
  ASSERT_EQ(layers.size(), 2u);
  for (const auto& layer : layers) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(layer->weight.size(1)));
    for (const torch::Tensor& values : {layer->weight, layer->bias}) {
      EXPECT_LE(values.abs().max().item<double>(), bound);
      EXPECT_NE(values.abs().sum().item<double>(), 0.0);
    }
  }
  // 1,280 draws in +-1/sqrt(5): the variance of the uniform, bound^2 / 3, within a few percent
  const double variance = layers[0]->weight.var().item<double>();
  EXPECT_NEAR(variance, 1.0 / (5.0 * 3.0), 0.1 / (5.0 * 3.0));
  EXPECT_TRUE(torch::equal(model->log_std(), torch::full({3}, -0.5f)));
  EXPECT_EQ(ParseInitialization("torch_default"), Initialization::kTorchDefault);
  EXPECT_EQ(ParseInitialization("orthogonal"), Initialization::kOrthogonal);
}

TEST(ActorCriticTest, SameGeneratorSeedGivesSameParameters) {
  at::Generator first = at::make_generator<at::CPUGeneratorImpl>(7);
  at::Generator second = at::make_generator<at::CPUGeneratorImpl>(7);
  ActorCritic a(SmallOptions(), first), b(SmallOptions(), second);
  const auto pa = a->parameters(), pb = b->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i]));
  EXPECT_EQ(a->policy_parameters().size() + a->value_parameters().size(), pa.size());
}

TEST(GaussianTest, LogProbAndEntropyMatchTheClosedForm) {
  const float mean[] = {0.5f, -1.0f};
  const float log_std[] = {std::log(2.0f), 0.0f};
  const float action[] = {1.5f, 0.0f};
  // N(1.5; 0.5, 2) * N(0; -1, 1)
  const double expected = -0.5 * 0.25 - std::log(2.0) - 0.5 * std::log(2.0 * M_PI) + -0.5 * 1.0 -
                          0.5 * std::log(2.0 * M_PI);
  EXPECT_NEAR(GaussianLogDensity(action, mean, log_std, 2), expected, 1e-6);
  const double entropy = 2.0 * (0.5 + 0.5 * std::log(2.0 * M_PI)) + std::log(2.0);
  EXPECT_NEAR(GaussianEntropy(log_std, 2), entropy, 1e-6);
}

}  // namespace
}  // namespace stride::algorithms
