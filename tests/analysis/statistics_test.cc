// The comparison statistics against values computed by hand.
#include "statistics.h"

#include <cmath>

#include <gtest/gtest.h>

namespace stride::analysis {
namespace {

TEST(StatisticsTest, MomentsAndQuantiles) {
  EXPECT_DOUBLE_EQ(Mean({1, 2, 3, 4}), 2.5);
  EXPECT_NEAR(StdDev({1, 2, 3, 4}), std::sqrt(5.0 / 3.0), 1e-12);
  EXPECT_DOUBLE_EQ(StdDev({7}), 0.0);
  EXPECT_DOUBLE_EQ(Median({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(Median({4, 1, 3, 2}), 2.5);
  // NumPy: np.quantile([1, 2, 3, 4], 0.25) == 1.75
  EXPECT_DOUBLE_EQ(Quantile({4, 3, 2, 1}, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3, 4}, 1.0), 4.0);
  EXPECT_TRUE(std::isnan(Mean({})));
}

TEST(StatisticsTest, InterquartileMeanCutsAQuarterFromEachEnd) {
  // scipy.stats.trim_mean(x, 0.25): floor(n / 4) from each end
  EXPECT_DOUBLE_EQ(InterquartileMean({1, 2, 3, 4, 100}), 3.0);
  EXPECT_DOUBLE_EQ(InterquartileMean({8, 7, 6, 5, 4, 3, 2, 1}), 4.5);
  EXPECT_DOUBLE_EQ(InterquartileMean({1, 2, 9}), 4.0);
  EXPECT_DOUBLE_EQ(InterquartileMean({-50, 1, 2, 3, 4, 5, 6, 7, 8, 1000}), 4.5);
}

TEST(StatisticsTest, ProbabilityOfImprovementCountsPairsAndHalfTies) {
  // pairs x > y: 1 (1>0), 2 (2>0, and two ties 2=2 at a half), 3 (3>all) = 6 of 9
  EXPECT_NEAR(ProbabilityOfImprovement({{1, 2, 3}}, {{2, 2, 0}}), 6.0 / 9.0, 1e-12);
  EXPECT_DOUBLE_EQ(ProbabilityOfImprovement({{5, 6}}, {{1, 2, 3}}), 1.0);
  EXPECT_DOUBLE_EQ(ProbabilityOfImprovement({{1}}, {{1}}), 0.5);
  // averaged over tasks: 1 on the first, 0 on the second
  EXPECT_DOUBLE_EQ(ProbabilityOfImprovement({{5}, {0}}, {{1}, {9}}), 0.5);
}

double PooledMean(const TaskScores& scores) { return Mean(Pooled(scores)); }

TEST(StatisticsTest, BootstrapIntervalsCoverTheResampledRange) {
  // a constant sample has no spread
  Interval constant = StratifiedBootstrapInterval({{3, 3, 3}}, PooledMean, 1000, 1);
  EXPECT_DOUBLE_EQ(constant.low, 3.0);
  EXPECT_DOUBLE_EQ(constant.high, 3.0);
  // means of two draws from {0, 1}: 0, 0.5, 1 with chances 1/4, 1/2, 1/4
  Interval coin = StratifiedBootstrapInterval({{0, 1}}, PooledMean, 20000, 1);
  EXPECT_DOUBLE_EQ(coin.low, 0.0);
  EXPECT_DOUBLE_EQ(coin.high, 1.0);
  Interval narrow = StratifiedBootstrapInterval({{0, 1}}, PooledMean, 20000, 1, 0.4);
  EXPECT_DOUBLE_EQ(narrow.low, 0.5);
  EXPECT_DOUBLE_EQ(narrow.high, 0.5);
}

TEST(StatisticsTest, StratifiedBootstrapResamplesWithinEachTask) {
  // the second task's two runs are always drawn from the second task: the pooled
  // mean is (a + b + 20) / 4 with a, b from {0, 1}, so within [5, 5.5]
  Interval stratified = StratifiedBootstrapInterval({{0, 1}, {10, 10}}, PooledMean, 20000, 7);
  EXPECT_DOUBLE_EQ(stratified.low, 5.0);
  EXPECT_DOUBLE_EQ(stratified.high, 5.5);
}

TEST(StatisticsTest, ImprovementIntervalAndDeterminism) {
  Interval certain = ProbabilityOfImprovementInterval({{5, 6, 7}}, {{1, 2, 3}}, 2000, 3);
  EXPECT_DOUBLE_EQ(certain.low, 1.0);
  EXPECT_DOUBLE_EQ(certain.high, 1.0);
  Interval a = ProbabilityOfImprovementInterval({{1, 4, 6}}, {{2, 3, 5}}, 5000, 11);
  Interval b = ProbabilityOfImprovementInterval({{1, 4, 6}}, {{2, 3, 5}}, 5000, 11);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_LT(a.low, 5.0 / 9.0);
  EXPECT_GT(a.high, 5.0 / 9.0);
}

}  // namespace
}  // namespace stride::analysis
