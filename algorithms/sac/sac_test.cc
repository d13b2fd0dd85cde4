#include "algorithms/sac/sac.h"

#include <cmath>

#include <gtest/gtest.h>

#include "algorithms/common/testing/point_task.h"
#include "algorithms/common/testing/test_util.h"

namespace stride::algorithms::sac {
namespace {

// a short run on the point task: 8 environments, 16 steps each per row
std::vector<std::pair<int64_t, Metrics>> ShortRun(
    const std::vector<std::pair<std::string, ParamValue>>& overrides) {
  std::vector<std::pair<std::string, ParamValue>> config = {
      {"num_steps", int64_t{16}},
      {"learning_starts", int64_t{128}},
      {"batch_size", int64_t{32}},
      {"hidden_sizes", std::vector<int64_t>{16}}};
  config.insert(config.end(), overrides.begin(), overrides.end());
  testing::FakeTrainContext::Options options;
  options.total_steps = 4 * 8 * 16;
  options.run_dir = testing::FreshDirectory("sac_test_short_run");
  testing::FakeTrainContext context(options);
  Sac(SacConfig::FromParams(testing::DefaultParams(SacParams(), config))).Train(context);
  return context.logged();
}

double Value(const Metrics& metrics, const std::string& name) {
  for (const auto& [key, value] : metrics) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no metric " << name;
  return 0.0;
}

// the first row is all random actions: nothing learned, nothing to report
TEST(SacTest, RowsBeforeLearningStartsHaveNoLosses) {
  const auto logged = ShortRun({});
  ASSERT_EQ(logged.size(), 4u);
  EXPECT_TRUE(std::isnan(Value(logged[0].second, "qf_loss")));
  EXPECT_TRUE(std::isnan(Value(logged[0].second, "alpha")));
  EXPECT_TRUE(std::isfinite(Value(logged[2].second, "qf_loss")));
  EXPECT_TRUE(std::isfinite(Value(logged[2].second, "actor_loss")));
}

TEST(SacTest, AlphaIsTunedFromOneOrFixed) {
  const auto tuned = ShortRun({});
  const double alpha = Value(tuned.back().second, "alpha");
  EXPECT_NE(alpha, 1.0);
  EXPECT_NEAR(alpha, 1.0, 0.1);
  EXPECT_TRUE(std::isfinite(Value(tuned.back().second, "alpha_loss")));

  const auto fixed = ShortRun({{"autotune", false}, {"alpha", 0.3}});
  EXPECT_DOUBLE_EQ(Value(fixed.back().second, "alpha"), 0.3);
  EXPECT_TRUE(std::isnan(Value(fixed.back().second, "alpha_loss")));
}

}  // namespace
}  // namespace stride::algorithms::sac
