#include "algorithms/common/running_mean_std.h"

#include <cmath>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

namespace stride::algorithms {
namespace {

TEST(RunningMeanStdTest, MatchesDirectComputationAfterSeveralBatches) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(1);
  RunningMeanStd statistics(3);
  std::vector<torch::Tensor> batches;
  for (int size : {5, 1, 17, 8}) {
    batches.push_back(torch::randn({size, 3}, generator, torch::kFloat64) * 3.0 + 2.0);
    statistics.Update(batches.back());
  }
  const torch::Tensor all = torch::cat(batches);
  // the initial pseudo-count of 1e-4 at mean 0, var 1 shifts the result by ~1e-5
  EXPECT_TRUE(torch::allclose(statistics.mean(), all.mean(0), 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(statistics.var(), all.var(0, /*unbiased=*/false), 1e-4, 1e-4));
  EXPECT_NEAR(statistics.count(), 31.0, 1e-3);
}

TEST(ObservationNormalizerTest, StandardizesAndClips) {
  ObservationNormalizer normalizer(2, /*clip=*/5.0);
  normalizer.Update(torch::tensor({{1.0f, 10.0f}, {3.0f, 30.0f}}));
  // mean (2, 20), var (1, 100)
  const torch::Tensor normalized =
      normalizer.Normalize(torch::tensor({{4.0f, 20.0f}, {2.0f, 1000.0f}}));
  const torch::Tensor expected = torch::tensor({{2.0f, 0.0f}, {0.0f, 5.0f}});
  EXPECT_TRUE(torch::allclose(normalized, expected, 1e-3, 1e-3)) << normalized;
  EXPECT_EQ(normalized.dtype(), torch::kFloat32);
}

TEST(RewardScalerTest, DividesByTheStdOfTheDiscountedReturn) {
  RewardScaler scaler(/*num_envs=*/1, /*gamma=*/0.5, /*clip=*/100.0);
  const torch::Tensor not_done = torch::zeros({1}, torch::kUInt8);
  // returns 1, 1.5, 1.75: then the reward is divided by their running std
  scaler.Scale(torch::ones({1}), not_done);
  scaler.Scale(torch::ones({1}), not_done);
  const torch::Tensor scaled = scaler.Scale(torch::ones({1}), torch::ones({1}, torch::kUInt8));
  const double var = scaler.statistics().var().item<double>();
  const double direct =
      torch::tensor({1.0, 1.5, 1.75}, torch::kFloat64).var(0, false).item<double>();
  EXPECT_NEAR(var, direct, 1e-3);
  EXPECT_NEAR(scaled.item<float>(), 1.0 / std::sqrt(var + kVarianceEpsilon), 1e-5);

  // the episode ended: the next return starts from the reward alone
  scaler.Scale(torch::ones({1}), not_done);
  const double mean = scaler.statistics().mean().item<double>();
  EXPECT_NEAR(mean, (1.0 + 1.5 + 1.75 + 1.0) / 4.0, 1e-3);
}

TEST(RewardScalerTest, ClipsScaledRewards) {
  RewardScaler scaler(/*num_envs=*/2, /*gamma=*/0.99, /*clip=*/1.0);
  const torch::Tensor scaled =
      scaler.Scale(torch::tensor({1000.0f, -0.0f}), torch::zeros({2}, torch::kUInt8));
  EXPECT_FLOAT_EQ(scaled[0].item<float>(), 1.0f);
}

}  // namespace
}  // namespace stride::algorithms
