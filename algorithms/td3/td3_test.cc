#include "algorithms/td3/td3.h"

#include <cmath>

#include <gtest/gtest.h>

#include "algorithms/common/testing/point_task.h"
#include "algorithms/common/testing/test_util.h"

namespace stride::algorithms::td3 {
namespace {

// 4 rows of 8 environments x 16 steps with the given policy_frequency
std::vector<std::pair<int64_t, Metrics>> ShortRun(int64_t policy_frequency) {
  testing::FakeTrainContext::Options options;
  options.total_steps = 4 * 8 * 16;
  options.run_dir = testing::FreshDirectory("td3_test_short_run");
  testing::FakeTrainContext context(options);
  const Params params =
      testing::DefaultParams(Td3Params(), {{"num_steps", int64_t{16}},
                                           {"learning_starts", int64_t{128}},
                                           {"batch_size", int64_t{32}},
                                           {"policy_frequency", policy_frequency},
                                           {"hidden_sizes", std::vector<int64_t>{16}}});
  Td3(Td3Config::FromParams(params)).Train(context);
  return context.logged();
}

// rows: qf1_values, qf2_values, qf_loss, actor_loss
TEST(Td3Test, ActorWaitsForLearningStartsAndItsDelay) {
  const auto every_other = ShortRun(2);
  ASSERT_EQ(every_other.size(), 4u);
  EXPECT_TRUE(std::isnan(every_other[0].second[2].second));
  EXPECT_TRUE(std::isnan(every_other[0].second[3].second));
  EXPECT_TRUE(std::isfinite(every_other[1].second[2].second));
  EXPECT_TRUE(std::isfinite(every_other[1].second[3].second));

  // a delay longer than the run's 48 critic updates never updates the actor
  const auto never = ShortRun(49);
  EXPECT_TRUE(std::isfinite(never.back().second[2].second));
  EXPECT_TRUE(std::isnan(never.back().second[3].second));
}

}  // namespace
}  // namespace stride::algorithms::td3
