// A tiny task for the algorithm tests: a point on a line that should move to
// the origin and stay there, with a fake training context around it.
//
// Observation: the position x. Action: a velocity in [-1, 1]; x moves by
// 0.1 * action per step. Reward: 1 - |x| per step. Episodes start at x drawn
// from [-1, 1], end (terminated) when |x| > 2 and are truncated after 50 steps.
// Going straight to the origin returns about 48; standing still (what the
// untrained policy, whose mean is ~0, does) returns about 25.
#ifndef STRIDE_ALGORITHMS_COMMON_TESTING_POINT_TASK_H_
#define STRIDE_ALGORITHMS_COMMON_TESTING_POINT_TASK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stride/algorithm.h"
#include "stride/environment.h"
#include "stride/params.h"
#include "stride/reward.h"
#include "stride/vec_env.h"

namespace stride::algorithms::testing {

class PointEnv : public Environment {
 public:
  // after nan_signal_after steps (negative: never), the position signal is NaN
  explicit PointEnv(int64_t nan_signal_after = -1);

  const Space& observation_space() const override { return observation_space_; }
  const Space& action_space() const override { return action_space_; }
  const std::vector<std::string>& signal_names() const override { return signal_names_; }
  double dt() const override { return 0.05; }
  int max_episode_steps() const override { return 50; }

  void Reset(uint64_t seed, float* observation) override;
  StepResult Step(const float* action, float* observation, double* signals) override;

  std::vector<uint8_t> SaveState() const override;
  void LoadState(const std::vector<uint8_t>& state) override;

 private:
  Space observation_space_, action_space_;
  std::vector<std::string> signal_names_ = {"position"};
  int64_t nan_signal_after_;
  double x_ = 0.0;
  int steps_ = 0;
  int64_t total_steps_ = 0;
};

// 1 - |position|
class ClosenessReward : public RewardTerm {
 public:
  void Bind(const SignalIndex& signals) override;
  double Value(const double* signals) const override;

 private:
  int position_ = -1;
};

std::unique_ptr<VecEnv> MakePointVecEnv(int num_envs, uint64_t seed, int64_t nan_signal_after = -1,
                                        int num_workers = 1);

// mean return of a deterministic policy over episodes from fixed seeds
double EvaluateOnPointTask(const Policy& policy, int episodes);

// every declared parameter at its default, then the overrides
Params DefaultParams(const std::vector<ParamSpec>& specs,
                     const std::vector<std::pair<std::string, ParamValue>>& overrides = {});

// the observations the fake context feeds every evaluated policy
std::vector<float> ProbeObservations();

// a TrainContext over the point task that records what the algorithm reports
class FakeTrainContext : public TrainContext {
 public:
  struct Options {
    uint64_t seed = 0;
    int64_t total_steps = 10'000;
    int num_envs = 8;
    // stepping threads, which also set the update's threads
    int num_workers = 1;
    // as the runner's: due at the update that crosses a multiple (0: none) and
    // at the last update; a context's first row counts from step 0
    int64_t evaluate_every = 0;
    int64_t checkpoint_every = 0;
    // stop_requested() turns true once this step is logged (negative: never)
    int64_t stop_at_step = -1;
    int64_t nan_signal_after = -1;
    std::string run_dir;
    std::string resume_path;
  };
  struct Evaluation {
    int64_t step = 0;
    double mean_return = 0.0;
    // the policy's actions on ProbeObservations()
    std::vector<float> probe_actions;
  };

  explicit FakeTrainContext(Options options);

  VecEnv& env() override { return *env_; }
  uint64_t seed() const override { return options_.seed; }
  int64_t total_steps() const override { return options_.total_steps; }
  const std::string& run_dir() const override { return options_.run_dir; }
  const std::string& config_toml() const override { return config_toml_; }
  bool stop_requested() const override;
  void LogMetrics(int64_t step, const Metrics& metrics) override;
  bool EvaluationDue(int64_t step) const override;
  EvalSummary Evaluate(int64_t step, const Policy& policy) override;
  bool CheckpointDue(int64_t step) const override;
  std::string checkpoint_path() const override;
  std::string resume_path() const override { return options_.resume_path; }
  std::string policy_path() const override;

  const std::vector<std::pair<int64_t, Metrics>>& logged() const { return logged_; }
  const std::vector<Evaluation>& evaluations() const { return evaluations_; }

 private:
  // the update that logged step crossed a multiple of every, or is the last
  bool Crossed(int64_t step, int64_t every) const;

  Options options_;
  std::unique_ptr<VecEnv> env_;
  std::string config_toml_ = "[algorithm]\nplugin = \"test\"\n";
  std::vector<std::pair<int64_t, Metrics>> logged_;
  std::vector<Evaluation> evaluations_;
};

}  // namespace stride::algorithms::testing

#endif  // STRIDE_ALGORITHMS_COMMON_TESTING_POINT_TASK_H_
