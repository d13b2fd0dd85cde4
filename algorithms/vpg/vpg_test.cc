#include "algorithms/vpg/vpg.h"

#include <gtest/gtest.h>

namespace stride::algorithms::vpg {
namespace {

TEST(PolicyGradientTest, MatchesHandComputedValueAndGradient) {
  const double log_probs[] = {-1.0, -2.0, -0.5};
  const double advantages[] = {2.0, -1.0, 0.5};
  // -mean(-2, 2, -0.25)
  double loss = 0.0;
  for (int i = 0; i < 3; ++i) loss += PolicyGradient(log_probs[i], advantages[i]).loss / 3.0;
  EXPECT_NEAR(loss, 0.25 / 3.0, 1e-12);
  // descending it raises the log-probability of actions with positive advantage
  for (int i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(PolicyGradient(log_probs[i], advantages[i]).gradient, -advantages[i]);
  }
}

}  // namespace
}  // namespace stride::algorithms::vpg
