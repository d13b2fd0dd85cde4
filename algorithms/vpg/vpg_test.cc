#include "algorithms/vpg/vpg.h"

#include <gtest/gtest.h>

namespace stride::algorithms::vpg {
namespace {

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

}  // namespace
}  // namespace stride::algorithms::vpg
