#include "algorithms/ars/ars.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>
#include <torch/script.h>

#include "algorithms/ars/linear_policy.h"
#include "algorithms/ars/perturbed_rollouts.h"
#include "algorithms/ars/random_search.h"
#include "algorithms/common/testing/point_task.h"
#include "algorithms/common/testing/test_util.h"
#include "stride/error.h"

namespace stride::algorithms::ars {
namespace {

TEST(RandomSearchTest, TopDirectionsRankByTheBetterRolloutAndKeepTheOrderOfTies) {
  const std::vector<DirectionReturns> returns = {{1, 5}, {4, 2}, {5, -1}, {0, 0}, {3, 3}};
  EXPECT_EQ(TopDirections(returns, 3), (std::vector<int>{0, 2, 1}));
  EXPECT_EQ(TopDirections(returns, 5), (std::vector<int>{0, 2, 1, 4, 3}));
  EXPECT_EQ(TopDirections(returns, 9).size(), 5u);
}

TEST(RandomSearchTest, StepIsTheScaledSumOfTheSelectedDirections) {
  const std::vector<DirectionReturns> returns = {{3, 1}, {0, 0}, {2, 6}};
  const std::vector<int> selected = {2, 0};
  // numpy.std([2, 6, 3, 1]) = sqrt(3.5)
  const double sigma = SelectedReturnStd(returns, selected);
  EXPECT_DOUBLE_EQ(sigma, std::sqrt(3.5));

  // directions of two weights each; step = 0.1 / (2 sigma) ((2 - 6) d2 + (3 - 1) d0)
  const std::vector<double> directions = {1, 2, 9, 9, -1, 0.5};
  std::vector<double> weights = {10, 20};
  const double norm =
      ApplySearchStep(returns, selected, sigma, directions.data(), 0.1, weights.data(), 2);
  const double scale = 0.1 / (2.0 * sigma);
  const double step[2] = {scale * (-4.0 * -1.0 + 2.0 * 1.0), scale * (-4.0 * 0.5 + 2.0 * 2.0)};
  EXPECT_DOUBLE_EQ(weights[0], 10 + step[0]);
  EXPECT_DOUBLE_EQ(weights[1], 20 + step[1]);
  EXPECT_DOUBLE_EQ(norm, std::hypot(step[0], step[1]));

  // equal returns: no step at all
  const std::vector<DirectionReturns> flat = {{2, 2}, {2, 2}};
  EXPECT_EQ(SelectedReturnStd(flat, {0, 1}), 0.0);
  EXPECT_EQ(ApplySearchStep(flat, {0, 1}, 0.0, directions.data(), 0.1, weights.data(), 2), 0.0);
  EXPECT_DOUBLE_EQ(weights[0], 10 + step[0]);
}

LinearPolicy TwoByThreePolicy() {
  LinearPolicy policy(3, ActionBox{{-1.0f, -2.0f}, {1.0f, 2.0f}}, /*normalize=*/true);
  policy.weights() = {0.5, -0.25, 2.0, -1.0, 0.75, 0.125};
  // observations whose third coordinate never changes
  const std::vector<float> observations = {1, 10, 3, 2, 14, 3, 4, 12, 3, -1, 8, 3};
  policy.UpdateStatistics(observations.data(), 4);
  policy.RefreshNormalization();
  return policy;
}

// actions of the running statistics' normalization, clipped; a constant
// coordinate normalizes to 0
TEST(LinearPolicyTest, ActsOnNormalizedObservations) {
  const LinearPolicy policy = TwoByThreePolicy();
  // the four observations' means and population variances: (1.5, 11, 3) and (3.25, 5, 0)
  EXPECT_EQ(policy.statistics().count(), 4);
  EXPECT_EQ(policy.statistics().mean(), (std::vector<double>{1.5, 11.0, 3.0}));
  EXPECT_DOUBLE_EQ(policy.statistics().variance(0), 3.25);
  EXPECT_DOUBLE_EQ(policy.statistics().variance(1), 5.0);
  EXPECT_EQ(policy.statistics().variance(2), 0.0);
  const float observation[3] = {2.5f, 9.0f, 7.0f};
  double normalized[3];
  policy.Normalize(observation, normalized);
  EXPECT_DOUBLE_EQ(normalized[0], 1.0 / (std::sqrt(3.25) + 1e-8));
  EXPECT_DOUBLE_EQ(normalized[1], -2.0 / (std::sqrt(5.0) + 1e-8));
  EXPECT_EQ(normalized[2], 0.0);

  // (M + 0.5 d) x_hat, the second action clipped to +-2
  const std::vector<double> direction = {1, 0, 0, 0, 4, 0};
  float action[2];
  policy.Act(direction.data(), 0.5, normalized, action);
  const double first = 1.0 * normalized[0] - 0.25 * normalized[1];
  const double second = -1.0 * normalized[0] + 2.75 * normalized[1];
  EXPECT_FLOAT_EQ(action[0], static_cast<float>(std::clamp(first, -1.0, 1.0)));
  EXPECT_FLOAT_EQ(action[1], static_cast<float>(std::clamp(second, -2.0, 2.0)));
}

// the float32 policy with the normalization folded in computes M x_hat, and its
// export computes the same bits
TEST(LinearPolicyTest, FoldedAndExportedPoliciesActAsTheWeightsDo) {
  at::set_num_threads(1);
  const LinearPolicy policy = TwoByThreePolicy();
  std::vector<float> observations = {2.5f, 9.0f, 7.0f, 0.0f, 13.0f, 3.0f, 1.5f, 11.0f, -3.0f};
  std::vector<float> actions(6);
  policy.MakePolicy()(observations.data(), 3, actions.data());
  const std::vector<double> no_direction(6, 0.0);
  for (int i = 0; i < 3; ++i) {
    double normalized[3];
    float expected[2];
    policy.Normalize(observations.data() + 3 * i, normalized);
    policy.Act(no_direction.data(), 0.0, normalized, expected);
    EXPECT_NEAR(actions[2 * i], expected[0], 1e-5);
    EXPECT_NEAR(actions[2 * i + 1], expected[1], 1e-5);
  }

  torch::jit::Module module = policy.ToTorchScript();
  const torch::Tensor exported =
      module.forward({torch::from_blob(observations.data(), {3, 3})}).toTensor().contiguous();
  EXPECT_EQ(std::vector<float>(exported.data_ptr<float>(), exported.data_ptr<float>() + 6),
            actions);
}

TEST(LinearPolicyTest, WithoutNormalizationActsOnRawObservations) {
  LinearPolicy policy(2, ActionBox{{-10.0f}, {10.0f}}, /*normalize=*/false);
  policy.weights() = {2.0, -1.0};
  const std::vector<float> observations = {5, 7, 9, 11};
  policy.UpdateStatistics(observations.data(), 2);
  policy.RefreshNormalization();
  float action;
  policy.MakePolicy()(observations.data(), 1, &action);
  EXPECT_EQ(action, 3.0f);
}

// every rollout is one whole episode from its first step, whatever the number of workers
TEST(PerturbedRolloutsTest, EveryRolloutIsOneWholeEpisode) {
  std::vector<RolloutOutcome> outcomes;
  for (int workers : {1, 3}) {
    auto env = testing::MakePointVecEnv(3, 11, -1, workers);
    LinearPolicy policy(1, ActionBox::Of(env->action_space()), /*normalize=*/true);
    policy.weights() = {-0.5};
    // 5 directions: 10 rollouts on 3 instances; large ones end episodes early
    const std::vector<double> directions = {30, -30, 0.1, 20, -0.2};
    env->Reset();
    PerturbedRollouts rollouts(*env);
    outcomes.push_back(rollouts.Run(policy, directions.data(), 5, 1.0, 0.25));

    // as many episodes ended as there were rollouts, and no step outside them
    const std::vector<EpisodeRecord> episodes = env->TakeCompletedEpisodes();
    ASSERT_EQ(episodes.size(), 10u);
    int64_t steps = 0;
    double total_return = 0.0;
    for (const EpisodeRecord& episode : episodes) {
      steps += episode.length;
      total_return += episode.total_return;
    }
    const RolloutOutcome& outcome = outcomes.back();
    EXPECT_EQ(outcome.steps, steps);
    EXPECT_EQ(outcome.observations.size(), static_cast<size_t>(steps));
    double shifted = 0.0;
    for (double r : outcome.returns) shifted += r;
    EXPECT_NEAR(shifted, total_return - 0.25 * static_cast<double>(steps), 1e-4);
    EXPECT_LT(steps, 10 * 50);
  }
  EXPECT_EQ(outcomes[1].returns, outcomes[0].returns);
  EXPECT_EQ(outcomes[1].observations, outcomes[0].observations);
}

TEST(ArsTest, MoreTopDirectionsThanDirectionsIsRefused) {
  ArsConfig config;
  config.num_directions = 8;
  config.top_directions = 9;
  try {
    Ars ars(config);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "ars: top_directions (9) must not exceed num_directions (8): b of the N "
                 "directions make the step");
  }
}

}  // namespace
}  // namespace stride::algorithms::ars
