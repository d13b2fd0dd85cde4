#include "stride/vec_env.h"

#include <cstring>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "stride/error.h"

namespace stride {
namespace {

// a point on a line pushed by its action plus seeded noise; falls beyond |x| > 1
class LineEnv : public Environment {
 public:
  LineEnv() {
    obs_space_ = {{"x", "v"}, {-2, -10}, {2, 10}};
    act_space_ = {{"push"}, {-1}, {1}};
    signals_ = {"forward_velocity", "x_position"};
  }
  const Space& observation_space() const override { return obs_space_; }
  const Space& action_space() const override { return act_space_; }
  const std::vector<std::string>& signal_names() const override { return signals_; }
  double dt() const override { return 0.1; }
  int max_episode_steps() const override { return 40; }
  void Reset(uint64_t seed, float* obs) override {
    rng_.seed(seed);
    x_ = std::uniform_real_distribution<double>(-0.1, 0.1)(rng_);
    v_ = 0.0;
    steps_ = 0;
    Observe(obs);
  }
  StepResult Step(const float* action, float* obs, double* signals) override {
    const double before = x_;
    v_ = 0.5 * action[0] + std::normal_distribution<double>(0, 0.1)(rng_);
    x_ += v_ * dt();
    ++steps_;
    signals[0] = (x_ - before) / dt();
    signals[1] = x_;
    Observe(obs);
    StepResult result;
    result.terminated = std::abs(x_) > 1.0;
    result.truncated = !result.terminated && steps_ >= max_episode_steps();
    return result;
  }
  std::vector<uint8_t> SaveState() const override {
    std::vector<uint8_t> out(sizeof(double) * 2 + sizeof(int));
    std::memcpy(out.data(), &x_, sizeof(double));
    std::memcpy(out.data() + sizeof(double), &v_, sizeof(double));
    std::memcpy(out.data() + 2 * sizeof(double), &steps_, sizeof(int));
    std::ostringstream rng;
    rng << rng_;
    const std::string text = rng.str();
    out.insert(out.end(), text.begin(), text.end());
    return out;
  }
  void LoadState(const std::vector<uint8_t>& state) override {
    std::memcpy(&x_, state.data(), sizeof(double));
    std::memcpy(&v_, state.data() + sizeof(double), sizeof(double));
    std::memcpy(&steps_, state.data() + 2 * sizeof(double), sizeof(int));
    std::istringstream rng(std::string(state.begin() + 2 * sizeof(double) + sizeof(int), state.end()));
    rng >> rng_;
  }

 private:
  void Observe(float* obs) const {
    obs[0] = static_cast<float>(x_);
    obs[1] = static_cast<float>(v_);
  }
  Space obs_space_, act_space_;
  std::vector<std::string> signals_;
  std::mt19937_64 rng_;
  double x_ = 0, v_ = 0;
  int steps_ = 0;
};

class Position : public RewardTerm {
 public:
  void Bind(const SignalIndex& signals) override { x_ = signals.Require("x_position"); }
  double Value(const double* signals) const override { return signals[x_]; }

 private:
  int x_ = -1;
};

std::unique_ptr<VecEnv> MakeLineVecEnv(int n, int workers, uint64_t seed) {
  std::vector<std::unique_ptr<Environment>> envs;
  for (int i = 0; i < n; ++i) envs.push_back(std::make_unique<LineEnv>());
  auto reward = std::make_shared<const RewardFunction>(
      std::vector<RewardFunction::Term>{{"position", 2.0, std::make_shared<Position>()}},
      std::vector<std::string>{"forward_velocity", "x_position"});
  return std::make_unique<VecEnv>(std::move(envs), reward, seed, workers);
}

// every buffer of `steps` steps with fixed pseudo-random actions, as bytes
std::vector<uint8_t> Rollout(VecEnv& env, int steps) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> unit(-1, 1);
  std::vector<float> actions(env.num_envs());
  std::vector<uint8_t> bytes;
  auto append = [&bytes](const void* p, size_t n) {
    bytes.insert(bytes.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
  };
  for (int t = 0; t < steps; ++t) {
    for (float& a : actions) a = unit(rng);
    env.Step(actions.data());
    append(env.observations(), sizeof(float) * env.num_envs() * 2);
    append(env.rewards(), sizeof(float) * env.num_envs());
    append(env.terminated(), env.num_envs());
    append(env.truncated(), env.num_envs());
  }
  return bytes;
}

TEST(VecEnvTest, ResultsDoNotDependOnTheNumberOfWorkers) {
  auto one = MakeLineVecEnv(7, 1, 11);
  auto two = MakeLineVecEnv(7, 2, 11);
  auto three = MakeLineVecEnv(7, 3, 11);
  EXPECT_EQ(two->num_workers(), 2);
  one->Reset();
  two->Reset();
  three->Reset();
  const std::vector<uint8_t> expected = Rollout(*one, 300);
  EXPECT_EQ(Rollout(*two, 300), expected);
  EXPECT_EQ(Rollout(*three, 300), expected);
  auto other_seed = MakeLineVecEnv(7, 2, 12);
  other_seed->Reset();
  EXPECT_NE(Rollout(*other_seed, 300), expected);
}

TEST(VecEnvTest, AutoResetKeepsTheFinalObservationAndRecordsTheEpisode) {
  auto env = MakeLineVecEnv(1, 1, 5);
  env->Reset();
  const float push = 1.0f;
  double total = 0.0, distance = 0.0;
  float last_x = 0.0f;
  for (int t = 0; t < 40; ++t) {
    const float x_before = env->observations()[0];
    env->Step(&push);
    total += env->rewards()[0];
    if (env->terminated()[0] || env->truncated()[0]) {
      last_x = env->final_observations()[0];
      distance += last_x - x_before;
      break;
    }
    distance += env->observations()[0] - x_before;
  }
  const std::vector<EpisodeRecord> episodes = env->TakeCompletedEpisodes();
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_TRUE(episodes[0].terminated);
  EXPECT_GT(std::abs(last_x), 1.0f);
  EXPECT_NEAR(episodes[0].total_return, total, 1e-4);
  EXPECT_NEAR(episodes[0].term_returns[0], total, 1e-4);
  EXPECT_NEAR(episodes[0].distance, distance, 1e-4);
  // the next observation already belongs to the next episode
  EXPECT_LT(std::abs(env->observations()[0]), 0.11f);
}

TEST(VecEnvTest, SavedStateContinuesBitwise) {
  auto env = MakeLineVecEnv(4, 2, 9);
  env->Reset();
  Rollout(*env, 37);
  const std::vector<uint8_t> state = env->SaveState();
  const std::vector<uint8_t> expected = Rollout(*env, 100);
  auto restored = MakeLineVecEnv(4, 1, 9);
  restored->LoadState(state);
  EXPECT_EQ(Rollout(*restored, 100), expected);
}

TEST(VecEnvTest, RewardNamesMissingSignals) {
  std::vector<std::unique_ptr<Environment>> envs;
  envs.push_back(std::make_unique<LineEnv>());
  try {
    RewardFunction reward({{"position", 1.0, std::make_shared<Position>()}}, {"height"});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "reward 'position': the environment has no signal 'x_position' (it has: height)");
  }
}

}  // namespace
}  // namespace stride
