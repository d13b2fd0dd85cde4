#include "algorithms/zero/zero.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <torch/script.h>

#include "algorithms/common/checkpoint.h"
#include "algorithms/common/testing/point_task.h"
#include "algorithms/common/testing/test_util.h"

namespace stride::algorithms::zero_policy {
namespace {

using testing::FakeTrainContext;

// standing still on the point task: the zero policy's evaluation is the point task's floor
TEST(ZeroPolicyTest, EvaluatesStandingStill) {
  FakeTrainContext::Options options;
  options.seed = 3;
  options.total_steps = 8 * 64 * 2;
  options.evaluate_every = options.total_steps;
  options.run_dir = testing::FreshDirectory("zero_test_still");
  FakeTrainContext context(options);
  ZeroPolicy(ZeroConfig{64}).Train(context);

  ASSERT_EQ(context.evaluations().size(), 1u);
  const double still = testing::EvaluateOnPointTask(
      [](const float*, int n, float* actions) { std::fill(actions, actions + n, 0.0f); }, 16);
  EXPECT_EQ(context.evaluations()[0].mean_return, still);
  for (float action : context.evaluations()[0].probe_actions) EXPECT_EQ(action, 0.0f);
  EXPECT_EQ(context.logged().back().first, options.total_steps);
}

// where 0 is outside the box the action is the nearest bound
TEST(ZeroPolicyTest, ExportClampsZeroIntoTheBox) {
  const std::string dir = testing::FreshDirectory("zero_test_box");
  torch::serialize::OutputArchive archive;
  WriteString(archive, "algorithm", "zero");
  archive.write("action_low", torch::tensor({0.5f, -2.0f}), /*is_buffer=*/true);
  archive.write("action_high", torch::tensor({1.0f, -1.0f}), /*is_buffer=*/true);
  SaveArchiveAtomically(archive, dir + "/checkpoint.pt");
  ZeroPolicy(ZeroConfig{}).ExportPolicy(dir + "/checkpoint.pt", dir + "/policy.pt", "[x]\n");

  torch::jit::Module module = torch::jit::load(dir + "/policy.pt");
  const torch::Tensor actions = module.forward({torch::ones({3, 4})}).toTensor();
  EXPECT_TRUE(torch::equal(actions, torch::tensor({0.5f, -1.0f}).repeat({3, 1})));
}

}  // namespace
}  // namespace stride::algorithms::zero_policy
