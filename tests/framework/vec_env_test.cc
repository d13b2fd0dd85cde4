#include "stride/vec_env.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "stride/error.h"

namespace stride {
namespace {

// one episode metric of each kind
std::vector<EpisodeMetric> EveryAggregate() {
  return {{"distance", "forward_velocity", Aggregate::kIntegral, "m"},
          {"speed", "forward_velocity", Aggregate::kMean, "m/s"},
          {"x_sum", "x_position", Aggregate::kSum, "m"},
          {"lowest_x", "x_position", Aggregate::kMin, "m"},
          {"highest_x", "x_position", Aggregate::kMax, "m"},
          {"final_x", "x_position", Aggregate::kLast, "m"}};
}

// a point on a line pushed by its action plus seeded noise; falls beyond |x| > 1
class LineEnv : public Environment {
 public:
  explicit LineEnv(std::vector<EpisodeMetric> metrics = EveryAggregate())
      : metrics_(std::move(metrics)) {
    obs_space_ = {{"x", "v"}, {-2, -10}, {2, 10}};
    act_space_ = {{"push"}, {-1}, {1}};
    signals_ = {"forward_velocity", "x_position"};
  }
  const Space& observation_space() const override { return obs_space_; }
  const Space& action_space() const override { return act_space_; }
  const std::vector<std::string>& signal_names() const override { return signals_; }
  std::vector<EpisodeMetric> episode_metrics() const override { return metrics_; }
  double dt() const override { return 0.1; }
  int max_episode_steps() const override { return 40; }
  std::vector<Perturbation> perturbations() const override {
    return {{"drift", 0.0, -1.0, 1.0, "added to every velocity"}};
  }
  void SetPerturbations(const std::vector<PerturbationValue>& values) override {
    next_drift_ = values.empty() ? 0.0 : values[0].magnitude;
  }
  void Reset(uint64_t seed, float* obs) override {
    drift_ = next_drift_;
    rng_.seed(seed);
    x_ = std::uniform_real_distribution<double>(-0.1, 0.1)(rng_);
    v_ = 0.0;
    steps_ = 0;
    Observe(obs);
  }
  StepResult Step(const float* action, float* obs, double* signals) override {
    const double before = x_;
    v_ = 0.5 * action[0] + std::normal_distribution<double>(0, 0.1)(rng_) + drift_;
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
    std::istringstream rng(
        std::string(state.begin() + 2 * sizeof(double) + sizeof(int), state.end()));
    rng >> rng_;
  }

 private:
  void Observe(float* obs) const {
    obs[0] = static_cast<float>(x_);
    obs[1] = static_cast<float>(v_);
  }
  std::vector<EpisodeMetric> metrics_;
  Space obs_space_, act_space_;
  std::vector<std::string> signals_;
  std::mt19937_64 rng_;
  double x_ = 0, v_ = 0;
  double drift_ = 0, next_drift_ = 0;
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

// perturbations drawn per episode from the episode's seed: the same bits on
// any number of workers
TEST(VecEnvTest, RandomizedPerturbationsDoNotDependOnTheNumberOfWorkers) {
  std::vector<std::vector<uint8_t>> rollouts;
  for (int workers : {1, 3}) {
    auto env = MakeLineVecEnv(7, workers, 11);
    env->SetPerturbations({}, {{"drift", 0.2, 0.4}});
    env->Reset();
    rollouts.push_back(Rollout(*env, 300));
  }
  EXPECT_EQ(rollouts[0], rollouts[1]);
  auto nominal = MakeLineVecEnv(7, 1, 11);
  nominal->Reset();
  const std::vector<uint8_t> unperturbed = Rollout(*nominal, 300);
  EXPECT_NE(rollouts[0], unperturbed);
  // a neutral fixed magnitude changes nothing
  auto neutral = MakeLineVecEnv(7, 2, 11);
  neutral->SetPerturbations({{"drift", 0.0}});
  neutral->Reset();
  EXPECT_EQ(Rollout(*neutral, 300), unperturbed);
}

// instances left out of a step wait where they are; the stepped ones move as
// they would in a full step, and a waiting instance resumes its episode later
TEST(VecEnvTest, MaskedStepLeavesInactiveInstancesWaiting) {
  auto full = MakeLineVecEnv(3, 2, 4);
  auto masked = MakeLineVecEnv(3, 2, 4);
  full->Reset();
  masked->Reset();
  const std::vector<float> push = {0.3f, -0.2f, 0.1f};
  const std::vector<uint8_t> first_and_last = {1, 0, 1};
  const std::vector<float> waiting(masked->observations() + 2, masked->observations() + 4);
  for (int t = 0; t < 50; ++t) {
    full->Step(push.data());
    masked->Step(push.data(), first_and_last.data());
    for (int i : {0, 2}) {
      EXPECT_EQ(masked->observations()[2 * i], full->observations()[2 * i]) << t;
      EXPECT_EQ(masked->rewards()[i], full->rewards()[i]) << t;
      EXPECT_EQ(masked->terminated()[i], full->terminated()[i]) << t;
      EXPECT_EQ(masked->truncated()[i], full->truncated()[i]) << t;
    }
    EXPECT_EQ(std::vector<float>(masked->observations() + 2, masked->observations() + 4), waiting);
    EXPECT_EQ(masked->rewards()[1], 0.0f);
    EXPECT_FALSE(masked->terminated()[1] || masked->truncated()[1]);
  }

  // the waiting instance's episode, stepped now, is the full run's first 50 steps
  auto reference = MakeLineVecEnv(3, 1, 4);
  reference->Reset();
  const std::vector<uint8_t> middle = {0, 1, 0};
  for (int t = 0; t < 50; ++t) {
    reference->Step(push.data());
    masked->Step(push.data(), middle.data());
    EXPECT_EQ(masked->observations()[2], reference->observations()[2]) << t;
    EXPECT_EQ(masked->rewards()[1], reference->rewards()[1]) << t;
  }
  // the same episodes ended, each instance's in its own time
  auto steps_in_ended_episodes = [](VecEnv& env) {
    int64_t steps = 0;
    for (const EpisodeRecord& record : env.TakeCompletedEpisodes()) steps += record.length;
    return steps;
  };
  EXPECT_EQ(steps_in_ended_episodes(*masked), steps_in_ended_episodes(*full));
}

TEST(VecEnvTest, AutoResetKeepsTheFinalObservationAndRecordsTheEpisode) {
  auto env = MakeLineVecEnv(1, 1, 5);
  env->Reset();
  const float push = 1.0f;
  double total = 0.0;
  // the positions the episode's steps ended at
  std::vector<double> xs;
  const float x_start = env->observations()[0];
  for (int t = 0; t < 40; ++t) {
    env->Step(&push);
    total += env->rewards()[0];
    const bool done = env->terminated()[0] || env->truncated()[0];
    xs.push_back(done ? env->final_observations()[0] : env->observations()[0]);
    if (done) break;
  }
  const std::vector<EpisodeRecord> episodes = env->TakeCompletedEpisodes();
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_TRUE(episodes[0].terminated);
  EXPECT_GT(std::abs(xs.back()), 1.0);
  EXPECT_EQ(episodes[0].length, static_cast<int64_t>(xs.size()));
  EXPECT_NEAR(episodes[0].total_return, total, 1e-4);
  EXPECT_NEAR(episodes[0].term_returns[0], total, 1e-4);

  // each metric reduced over the steps: displacement, its mean rate, and x
  double x_sum = 0.0;
  for (double x : xs) x_sum += x;
  const double duration = 0.1 * static_cast<double>(xs.size());
  ASSERT_EQ(env->episode_metrics().size(), 6u);
  const std::vector<double>& metrics = episodes[0].metrics;
  ASSERT_EQ(metrics.size(), 6u);
  EXPECT_NEAR(metrics[0], xs.back() - x_start, 1e-5);
  EXPECT_NEAR(metrics[1], (xs.back() - x_start) / duration, 1e-4);
  EXPECT_NEAR(metrics[2], x_sum, 1e-4);
  EXPECT_NEAR(metrics[3], *std::min_element(xs.begin(), xs.end()), 1e-6);
  EXPECT_NEAR(metrics[4], *std::max_element(xs.begin(), xs.end()), 1e-6);
  EXPECT_NEAR(metrics[5], xs.back(), 1e-6);
  // the next observation already belongs to the next episode
  EXPECT_LT(std::abs(env->observations()[0]), 0.11f);
}

// the first episode of every instance after steps of full pushes
std::vector<EpisodeRecord> PushedEpisodes(const std::vector<EpisodeMetric>& metrics) {
  std::vector<std::unique_ptr<Environment>> envs;
  for (int i = 0; i < 3; ++i) envs.push_back(std::make_unique<LineEnv>(metrics));
  VecEnv env(std::move(envs),
             std::make_shared<const RewardFunction>(
                 std::vector<RewardFunction::Term>{},
                 std::vector<std::string>{"forward_velocity", "x_position"}),
             1, 1);
  env.Reset();
  const std::vector<float> push(3, 1.0f);
  for (int t = 0; t < 40; ++t) env.Step(push.data());
  return env.TakeCompletedEpisodes();
}

TEST(VecEnvTest, EveryEpisodeRecordCarriesTheDeclaredMetrics) {
  const std::vector<EpisodeRecord> none = PushedEpisodes({});
  ASSERT_FALSE(none.empty());
  EXPECT_TRUE(none[0].metrics.empty());
  const std::vector<EpisodeRecord> two =
      PushedEpisodes({{"final_x", "x_position", Aggregate::kLast, ""},
                      {"distance", "forward_velocity", Aggregate::kIntegral, ""}});
  ASSERT_EQ(two.size(), none.size());
  for (const EpisodeRecord& record : two) {
    ASSERT_EQ(record.metrics.size(), 2u);
    EXPECT_GT(record.metrics[0], 1.0);
    EXPECT_GT(record.metrics[1], 0.9);
  }
}

TEST(VecEnvTest, BadMetricDeclarationsAreNamed) {
  const std::vector<std::string> signals = {"forward_velocity", "x_position"};
  const auto problem = [&](const std::vector<EpisodeMetric>& metrics) {
    return EpisodeMetricsProblem(metrics, signals);
  };
  EXPECT_EQ(problem(EveryAggregate()), "");
  EXPECT_EQ(problem({{"Distance", "x_position", Aggregate::kLast, ""}}),
            "episode metric 'Distance' is not a plain name (a lowercase letter, then lowercase "
            "letters, digits and '_')");
  EXPECT_EQ(problem({{"x", "x_position", Aggregate::kLast, ""},
                     {"x", "x_position", Aggregate::kMin, ""}}),
            "two episode metrics are called 'x'");
  EXPECT_EQ(problem({{"success", "x_position", Aggregate::kLast, ""}}),
            "episode metric 'success' has a name stride uses itself");
  EXPECT_EQ(problem({{"height", "height", Aggregate::kMin, ""}}),
            "episode metric 'height' reduces signal 'height', which the environment does not "
            "write (signals: forward_velocity, x_position)");
  try {
    PushedEpisodes({{"return", "x_position", Aggregate::kLast, ""}});
    FAIL() << "expected a RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_STREQ(e.what(),
                 "the environment's episode metric 'return' has a name stride uses itself");
  }
}

TEST(VecEnvTest, SavedStateContinuesBitwise) {
  auto env = MakeLineVecEnv(4, 2, 9);
  env->Reset();
  Rollout(*env, 37);
  env->TakeCompletedEpisodes();
  const std::vector<uint8_t> state = env->SaveState();
  const std::vector<uint8_t> expected = Rollout(*env, 100);
  auto restored = MakeLineVecEnv(4, 1, 9);
  restored->LoadState(state);
  EXPECT_EQ(Rollout(*restored, 100), expected);

  // episodes that span the save, their metrics included
  const std::vector<EpisodeRecord> episodes = env->TakeCompletedEpisodes();
  const std::vector<EpisodeRecord> restored_episodes = restored->TakeCompletedEpisodes();
  ASSERT_FALSE(episodes.empty());
  ASSERT_EQ(restored_episodes.size(), episodes.size());
  for (size_t k = 0; k < episodes.size(); ++k) {
    EXPECT_EQ(restored_episodes[k].total_return, episodes[k].total_return) << k;
    EXPECT_EQ(restored_episodes[k].metrics, episodes[k].metrics) << k;
  }
}

TEST(VecEnvTest, StateOfAnotherFormatIsRefused) {
  auto env = MakeLineVecEnv(2, 1, 9);
  env->Reset();
  std::vector<uint8_t> state = env->SaveState();
  state[0] ^= 1;
  EXPECT_THROW(env->LoadState(state), RuntimeError);
}

TEST(VecEnvTest, RewardNamesMissingSignals) {
  std::vector<std::unique_ptr<Environment>> envs;
  envs.push_back(std::make_unique<LineEnv>());
  try {
    RewardFunction reward({{"position", 1.0, std::make_shared<Position>()}}, {"height"});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "reward 'position': the environment has no signal 'x_position' (it has: height)");
  }
}

}  // namespace
}  // namespace stride
