// The learning algorithms learn the small pendulum task to a real threshold: a
// random policy keeps the pole up for ~25 steps, a learned one for all 1000.
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace stride::testing {
namespace {

double FinalEvaluationReturn(const std::string& experiment) {
  const std::string out = TempDir("learning_" + experiment);
  CliResult run = RunStride(std::string("run ") + STRIDE_SOURCE_DIR + "/experiments/" + experiment +
                            ".toml --out " + out);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return LastValue(out + "/" + experiment + "/seed_0/eval.csv", "mean_return");
}

TEST(LearningTest, PpoBalancesThePendulum) {
  EXPECT_GE(FinalEvaluationReturn("pendulum_ppo"), 900.0);
}

TEST(LearningTest, VpgBalancesThePendulum) {
  EXPECT_GE(FinalEvaluationReturn("pendulum_vpg"), 900.0);
}

TEST(LearningTest, ArsBalancesThePendulum) {
  EXPECT_GE(FinalEvaluationReturn("pendulum_ars"), 900.0);
}

TEST(LearningTest, SacBalancesThePendulum) {
  EXPECT_GE(FinalEvaluationReturn("pendulum_sac"), 900.0);
}

TEST(LearningTest, Td3BalancesThePendulum) {
  EXPECT_GE(FinalEvaluationReturn("pendulum_td3"), 900.0);
}

}  // namespace
}  // namespace stride::testing
