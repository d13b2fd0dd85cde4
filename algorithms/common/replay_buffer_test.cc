#include "algorithms/common/replay_buffer.h"

#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include "algorithms/common/checkpoint.h"
#include "algorithms/common/testing/point_task.h"
#include "stride/error.h"

namespace stride::algorithms {
namespace {

// the whole buffer as Save() writes it
torch::serialize::InputArchive Saved(const ReplayBuffer& buffer) {
  torch::serialize::OutputArchive out;
  buffer.Save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  std::istringstream in(bytes.str());
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  return archive;
}

// the point moves right at full speed from every start: instance 0 of 2 leaves
// |x| <= 2 (terminated) or reaches the 50-step limit (truncated)
TEST(ReplayBufferTest, EndedEpisodesStoreTheObservationThatEndedThem) {
  auto env = testing::MakePointVecEnv(2, 5);
  env->Reset();
  ReplayBuffer buffer(1000, 1, 1);
  const std::vector<float> actions = {1.0f, -0.05f};
  int ended = 0;
  for (int t = 0; t < 60; ++t) {
    const std::vector<float> observations(env->observations(), env->observations() + 2);
    env->Step(actions.data());
    buffer.Add(observations.data(), actions.data(), *env);
    torch::serialize::InputArchive archive = Saved(buffer);
    const torch::Tensor next = ReadTensor(archive, "next_observations");
    const torch::Tensor terminated = ReadTensor(archive, "terminated");
    for (int i = 0; i < 2; ++i) {
      const int64_t row = 2 * t + i;
      const bool done = env->terminated()[i] || env->truncated()[i];
      const float expected = done ? env->final_observations()[i] : env->observations()[i];
      EXPECT_EQ(next[row][0].item<float>(), expected) << "step " << t << ", instance " << i;
      EXPECT_EQ(terminated[row].item<float>(), env->terminated()[i] ? 1.0f : 0.0f);
      ended += done;
    }
  }
  EXPECT_GE(ended, 2);
  EXPECT_EQ(buffer.size(), 120);
}

TEST(ReplayBufferTest, FullBufferOverwritesTheOldestTransition) {
  auto env = testing::MakePointVecEnv(1, 3);
  env->Reset();
  ReplayBuffer buffer(3, 1, 1);
  for (int t = 0; t < 5; ++t) {
    const float observation = static_cast<float>(t), action = 0.0f;
    env->Step(&action);
    buffer.Add(&observation, &action, *env);
  }
  EXPECT_EQ(buffer.size(), 3);
  torch::serialize::InputArchive archive = Saved(buffer);
  EXPECT_TRUE(torch::equal(ReadTensor(archive, "observations").view({-1}),
                           torch::tensor({3.0f, 4.0f, 2.0f})));
  EXPECT_EQ(ReadInt(archive, "position"), 2);
}

TEST(ReplayBufferTest, LoadedBufferSamplesTheSameBatches) {
  auto env = testing::MakePointVecEnv(4, 7);
  env->Reset();
  ReplayBuffer buffer(100, 1, 1);
  for (int t = 0; t < 10; ++t) {
    const std::vector<float> observations(env->observations(), env->observations() + 4);
    const std::vector<float> actions = {0.5f, -0.5f, 1.0f, 0.0f};
    env->Step(actions.data());
    buffer.Add(observations.data(), actions.data(), *env);
  }
  ReplayBuffer loaded(100, 1, 1);
  torch::serialize::InputArchive archive = Saved(buffer);
  loaded.Load(archive);
  EXPECT_EQ(loaded.size(), 40);
  at::Generator a = at::make_generator<at::CPUGeneratorImpl>(1);
  at::Generator b = at::make_generator<at::CPUGeneratorImpl>(1);
  const ReplayBatch x = buffer.Sample(16, a), y = loaded.Sample(16, b);
  EXPECT_TRUE(torch::equal(x.observations, y.observations));
  EXPECT_TRUE(torch::equal(x.actions, y.actions));
  EXPECT_TRUE(torch::equal(x.rewards, y.rewards));
  EXPECT_TRUE(torch::equal(x.next_observations, y.next_observations));
  EXPECT_TRUE(torch::equal(x.terminated, y.terminated));

  ReplayBuffer smaller(50, 1, 1);
  try {
    smaller.Load(archive);
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_STREQ(e.what(),
                 "the checkpoint's replay buffer holds 100 transitions, this run's buffer_size "
                 "is 50");
  }
}

}  // namespace
}  // namespace stride::algorithms
