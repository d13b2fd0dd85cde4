#include "algorithms/random/random.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>
#include <torch/script.h>

#include "algorithms/common/testing/point_task.h"
#include "algorithms/common/testing/test_util.h"

namespace stride::algorithms::random_policy {
namespace {

using testing::FakeTrainContext;

TEST(UniformDrawTest, IsUniformInTheUnitIntervalAndDependsOnEveryIndex) {
  double sum = 0.0;
  std::set<float> seen;
  for (int64_t call = 0; call < 100; ++call) {
    for (int64_t index = 0; index < 100; ++index) {
      const float u = UniformDraw(7, call, index);
      ASSERT_GE(u, 0.0f);
      ASSERT_LT(u, 1.0f);
      sum += u;
      seen.insert(u);
    }
  }
  // 10,000 draws: the mean within 4 standard errors (0.0029 each) of 1/2, hardly a repeat
  EXPECT_NEAR(sum / 10'000.0, 0.5, 0.012);
  EXPECT_GT(seen.size(), 9'990u);
  EXPECT_EQ(UniformDraw(7, 3, 4), UniformDraw(7, 3, 4));
  EXPECT_NE(UniformDraw(8, 3, 4), UniformDraw(7, 3, 4));
}

// a short run on the point task, evaluated at its end
FakeTrainContext TrainedContext(uint64_t seed, const std::string& name) {
  FakeTrainContext::Options options;
  options.seed = seed;
  options.total_steps = 8 * 64 * 3;
  options.evaluate_every = options.total_steps;
  options.run_dir = testing::FreshDirectory(name);
  FakeTrainContext context(options);
  RandomPolicy(RandomConfig{64}).Train(context);
  return context;
}

TEST(RandomPolicyTest, ActsUniformlyInTheBoxAndTheSameSeedActsTheSame) {
  const FakeTrainContext first = TrainedContext(5, "random_test_first");
  const FakeTrainContext again = TrainedContext(5, "random_test_again");
  const FakeTrainContext other = TrainedContext(6, "random_test_other");
  ASSERT_EQ(first.evaluations().size(), 1u);
  ASSERT_EQ(first.logged().size(), 3u);

  // 21 probe actions of an evaluation: in [-1, 1], spread, none repeated
  const std::vector<float>& actions = first.evaluations()[0].probe_actions;
  ASSERT_EQ(actions.size(), 21u);
  EXPECT_GE(*std::min_element(actions.begin(), actions.end()), -1.0f);
  EXPECT_LE(*std::max_element(actions.begin(), actions.end()), 1.0f);
  EXPECT_EQ(std::set<float>(actions.begin(), actions.end()).size(), actions.size());
  EXPECT_LT(*std::min_element(actions.begin(), actions.end()), -0.3f);
  EXPECT_GT(*std::max_element(actions.begin(), actions.end()), 0.3f);

  EXPECT_EQ(again.evaluations()[0].probe_actions, actions);
  EXPECT_EQ(again.evaluations()[0].mean_return, first.evaluations()[0].mean_return);
  EXPECT_NE(other.evaluations()[0].probe_actions, actions);
}

// the export draws fresh uniform actions on every call
TEST(RandomPolicyTest, ExportedPolicyDrawsUniformActionsInTheBox) {
  const FakeTrainContext context = TrainedContext(5, "random_test_export");
  torch::jit::ExtraFilesMap extra_files{{"stride/config.toml", ""}};
  torch::jit::Module module = torch::jit::load(context.policy_path(), torch::kCPU, extra_files);
  EXPECT_FALSE(extra_files["stride/config.toml"].empty());
  const torch::Tensor observations = torch::zeros({1000, 1});
  const torch::Tensor first = module.forward({observations}).toTensor();
  const torch::Tensor second = module.forward({observations}).toTensor();
  ASSERT_EQ(first.sizes(), torch::IntArrayRef({1000, 1}));
  EXPECT_GE(first.min().item<float>(), -1.0f);
  EXPECT_LE(first.max().item<float>(), 1.0f);
  EXPECT_NEAR(first.mean().item<double>(), 0.0, 0.1);
  EXPECT_FALSE(torch::equal(first, second));
}

}  // namespace
}  // namespace stride::algorithms::random_policy
