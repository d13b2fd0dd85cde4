#include "algorithms/common/gae.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include "algorithms/common/agent.h"
#include "algorithms/common/rollout.h"
#include "algorithms/common/testing/point_task.h"

namespace stride::algorithms {
namespace {

// columns: env 0 is truncated after step 1 and terminated after step 3; env 1 runs on
TEST(GaeTest, MatchesHandComputedExample) {
  const torch::Tensor rewards =
      torch::tensor({{1.0f, 1.0f}, {2.0f, 1.0f}, {3.0f, 1.0f}, {4.0f, 1.0f}});
  const torch::Tensor values =
      torch::tensor({{0.5f, 0.0f}, {1.0f, 0.0f}, {1.5f, 0.0f}, {2.0f, 0.0f}});
  // step 1's successor is the final observation, V = 10; step 3's (7) must be ignored
  const torch::Tensor next_values =
      torch::tensor({{1.0f, 0.0f}, {10.0f, 0.0f}, {2.0f, 0.0f}, {7.0f, 0.0f}});
  const torch::Tensor terminated =
      torch::tensor({{0.0f, 0.0f}, {0.0f, 0.0f}, {0.0f, 0.0f}, {1.0f, 0.0f}});
  const torch::Tensor dones =
      torch::tensor({{0.0f, 0.0f}, {1.0f, 0.0f}, {0.0f, 0.0f}, {1.0f, 0.0f}});

  const torch::Tensor advantages =
      ComputeGae(rewards, values, next_values, terminated, dones, /*gamma=*/0.9, /*lambda=*/0.5);

  // env 0, backwards with gamma * lambda = 0.45:
  //   t=3 terminal:  4 - 2                     = 2
  //   t=2:           3 + 0.9 * 2 - 1.5          = 3.3,  + 0.45 * 2   = 4.2
  //   t=1 truncated: 2 + 0.9 * 10 - 1            = 10,   trace cut
  //   t=0:           1 + 0.9 * 1 - 0.5          = 1.4,  + 0.45 * 10  = 5.9
  // env 1: A_t = 1 + 0.45 * A_{t+1} from A_3 = 1
  const torch::Tensor expected =
      torch::tensor({{5.9f, 1.743625f}, {10.0f, 1.6525f}, {4.2f, 1.45f}, {2.0f, 1.0f}});
  EXPECT_TRUE(torch::allclose(advantages, expected, /*rtol=*/1e-6, /*atol=*/1e-6)) << advantages;
}

// the rollout's successor values: the next step's value, the final
// observation's value where an episode was truncated
TEST(GaeTest, RolloutBootstrapsTruncatedEpisodesFromFinalObservations) {
  at::set_num_threads(1);
  auto env = testing::MakePointVecEnv(/*num_envs=*/2, /*seed=*/3);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(3);
  AgentOptions agent_options;
  agent_options.normalize_observations = false;
  Agent agent(agent_options, env->observation_space(), env->action_space(), generator);
  RolloutOptions options;
  options.num_steps = 60;
  options.normalize_rewards = false;
  Rollout rollout(options, *env, agent);
  rollout.Start();
  const RolloutBatch& batch = rollout.Collect(generator);

  torch::NoGradGuard no_grad;
  for (int n = 0; n < 2; ++n) {
    for (int t = 0; t + 1 < options.num_steps; ++t) {
      const float next_value = batch.next_values[t][n].item<float>();
      if (t == 49) {
        // the 50-step time limit: truncated, not terminated
        ASSERT_EQ(batch.dones[t][n].item<float>(), 1.0f);
        ASSERT_EQ(batch.terminated[t][n].item<float>(), 0.0f);
        const torch::Tensor final_position =
            batch.observations[t][n] + 0.1 * batch.actions[t][n].clamp(-1.0, 1.0);
        const float final_value = agent.model()->Value(final_position.view({1, 1})).item<float>();
        EXPECT_NEAR(next_value, final_value, 1e-5);
        EXPECT_NE(next_value, batch.values[t + 1][n].item<float>());
      } else {
        ASSERT_EQ(batch.dones[t][n].item<float>(), 0.0f) << "t=" << t;
        EXPECT_EQ(next_value, batch.values[t + 1][n].item<float>()) << "t=" << t;
      }
    }
  }
}

}  // namespace
}  // namespace stride::algorithms
