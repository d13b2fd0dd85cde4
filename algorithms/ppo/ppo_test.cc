#include "algorithms/ppo/ppo.h"

#include <string>

#include <gtest/gtest.h>

#include "algorithms/common/testing/point_task.h"
#include "algorithms/common/testing/test_util.h"
#include "stride/error.h"

namespace stride::algorithms::ppo {
namespace {

TEST(ClippedSurrogateTest, MatchesHandComputedValuesAndGradients) {
  // ratio and advantage per sample: inside the clip range, above it, below it,
  // for a positive and a negative advantage, with clip_epsilon = 0.2
  const double ratio[] = {1.1, 1.5, 0.5, 0.5, 1.5, 0.9};
  const double advantages[] = {2.0, 2.0, 2.0, -1.0, -1.0, -1.0};
  // max(-A r, -A clip(r)):  -2.2 | max(-3, -2.4) = -2.4 | max(-1, -1.6) = -1
  //                          max(0.5, 0.8) = 0.8 | max(1.5, 1.2) = 1.5 | 0.9
  const double expected[] = {-2.2, -2.4, -1.0, 0.8, 1.5, 0.9};
  // where the clipped term wins, the ratio gets no gradient
  const double expected_gradient[] = {-2.0, 0.0, -2.0, 0.0, 1.0, 1.0};
  double mean = 0.0;
  for (int i = 0; i < 6; ++i) {
    const LossAndGradient sample = ClippedSurrogate(ratio[i], advantages[i], 0.2);
    EXPECT_NEAR(sample.loss, expected[i], 1e-12) << "sample " << i;
    EXPECT_NEAR(sample.gradient, expected_gradient[i], 1e-12) << "sample " << i;
    mean += sample.loss / 6.0;
  }
  EXPECT_NEAR(mean, -2.4 / 6.0, 1e-12);
}

TEST(ValueErrorTest, MatchesHandComputedValues) {
  const double values[] = {3.0, 1.1, 2.0};
  const double old_values[] = {1.0, 1.0, 1.0};
  const double returns[] = {0.0, 2.0, 2.0};
  // unclipped: 0.5 * (9, 0.81, 0), gradients the errors
  const double unclipped[] = {4.5, 0.405, 0.0};
  const double unclipped_gradient[] = {3.0, -0.9, 0.0};
  // clipped values 1.2, 1.1, 1.2: errors max(9, 1.44), max(0.81, 0.81), max(0, 0.64); where
  // the clipped error wins the value is outside the clip range and gets no gradient
  const double clipped[] = {4.5, 0.405, 0.32};
  const double clipped_gradient[] = {3.0, -0.9, 0.0};
  for (int i = 0; i < 3; ++i) {
    const LossAndGradient plain = ValueError(values[i], old_values[i], returns[i], 0.2, false);
    EXPECT_NEAR(plain.loss, unclipped[i], 1e-12) << "sample " << i;
    EXPECT_NEAR(plain.gradient, unclipped_gradient[i], 1e-12) << "sample " << i;
    const LossAndGradient clip = ValueError(values[i], old_values[i], returns[i], 0.2, true);
    EXPECT_NEAR(clip.loss, clipped[i], 1e-12) << "sample " << i;
    EXPECT_NEAR(clip.gradient, clipped_gradient[i], 1e-12) << "sample " << i;
  }
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
