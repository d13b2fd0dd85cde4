#include "algorithms/ppo/ppo.h"

#include <string>

#include <gtest/gtest.h>

#include "algorithms/common/testing/point_task.h"
#include "algorithms/common/testing/test_util.h"
#include "stride/error.h"

namespace stride::algorithms::ppo {
namespace {

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

TEST(PpoTest, NumMinibatchesMustDivideTheBatch) {
  testing::FakeTrainContext::Options options;
  options.num_envs = 8;
  options.run_dir = testing::FreshDirectory("ppo_test_divide");
  testing::FakeTrainContext context(options);
  // 8 envs x 64 steps do not split into 7 minibatches
  PpoConfig config;
  config.num_steps = 64;
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

}  // namespace
}  // namespace stride::algorithms::ppo
