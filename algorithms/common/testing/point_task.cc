#include "algorithms/common/testing/point_task.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace stride::algorithms::testing {
namespace {

constexpr int kEpisodeSteps = 50;
constexpr double kSpeed = 0.1;
constexpr double kLimit = 2.0;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Space MakeSpace(const std::string& name, double low, double high) {
  return Space{{name}, {low}, {high}};
}

}  // namespace

PointEnv::PointEnv(int64_t nan_signal_after)
    : observation_space_(MakeSpace("position", -kLimit, kLimit)),
      action_space_(MakeSpace("velocity", -1.0, 1.0)),
      nan_signal_after_(nan_signal_after) {}

void PointEnv::Reset(uint64_t seed, float* observation) {
  x_ = 2.0 * (static_cast<double>(SplitMix64(seed) >> 11) * 0x1.0p-53) - 1.0;
  steps_ = 0;
  observation[0] = static_cast<float>(x_);
}

StepResult PointEnv::Step(const float* action, float* observation, double* signals) {
  x_ += kSpeed * std::clamp(static_cast<double>(action[0]), -1.0, 1.0);
  ++steps_;
  ++total_steps_;
  observation[0] = static_cast<float>(x_);
  const bool poisoned = nan_signal_after_ >= 0 && total_steps_ > nan_signal_after_;
  signals[0] = poisoned ? std::numeric_limits<double>::quiet_NaN() : x_;
  StepResult result;
  result.terminated = std::fabs(x_) > kLimit;
  result.truncated = steps_ >= kEpisodeSteps;
  return result;
}

std::vector<uint8_t> PointEnv::SaveState() const {
  std::vector<uint8_t> state(sizeof(x_) + sizeof(steps_) + sizeof(total_steps_));
  uint8_t* out = state.data();
  std::memcpy(out, &x_, sizeof(x_));
  std::memcpy(out + sizeof(x_), &steps_, sizeof(steps_));
  std::memcpy(out + sizeof(x_) + sizeof(steps_), &total_steps_, sizeof(total_steps_));
  return state;
}

void PointEnv::LoadState(const std::vector<uint8_t>& state) {
  const uint8_t* in = state.data();
  std::memcpy(&x_, in, sizeof(x_));
  std::memcpy(&steps_, in + sizeof(x_), sizeof(steps_));
  std::memcpy(&total_steps_, in + sizeof(x_) + sizeof(steps_), sizeof(total_steps_));
}

void ClosenessReward::Bind(const SignalIndex& signals) { position_ = signals.Require("position"); }

double ClosenessReward::Value(const double* signals) const {
  return 1.0 - std::fabs(signals[position_]);
}

std::unique_ptr<VecEnv> MakePointVecEnv(int num_envs, uint64_t seed, int64_t nan_signal_after,
                                        int num_workers) {
  std::vector<std::unique_ptr<Environment>> envs;
  for (int i = 0; i < num_envs; ++i) envs.push_back(std::make_unique<PointEnv>(nan_signal_after));
  const std::vector<std::string> signal_names = envs[0]->signal_names();
  auto reward = std::make_shared<RewardFunction>(
      std::vector<RewardFunction::Term>{{"closeness", 1.0, std::make_shared<ClosenessReward>()}},
      signal_names);
  return std::make_unique<VecEnv>(std::move(envs), std::move(reward), seed, num_workers);
}

double EvaluateOnPointTask(const Policy& policy, int episodes) {
  std::vector<PointEnv> envs(episodes);
  std::vector<float> observations(episodes), actions(episodes);
  std::vector<bool> running(episodes, true);
  ClosenessReward reward;
  reward.Bind(SignalIndex({"position"}));
  for (int i = 0; i < episodes; ++i) envs[i].Reset(SplitMix64(1'000'003 + i), &observations[i]);
  double total = 0.0;
  for (int step = 0; step < kEpisodeSteps; ++step) {
    policy(observations.data(), episodes, actions.data());
    for (int i = 0; i < episodes; ++i) {
      if (!running[i]) continue;
      double signal = 0.0;
      const StepResult result = envs[i].Step(&actions[i], &observations[i], &signal);
      total += reward.Value(&signal);
      running[i] = !result.terminated && !result.truncated;
    }
  }
  return total / episodes;
}

Params DefaultParams(const std::vector<ParamSpec>& specs,
                     const std::vector<std::pair<std::string, ParamValue>>& overrides) {
  Params params;
  for (const ParamSpec& spec : specs) params.Set(spec.name, *spec.default_value);
  for (const auto& [name, value] : overrides) params.Set(name, value);
  return params;
}

std::vector<float> ProbeObservations() {
  std::vector<float> observations;
  for (int i = 0; i <= 20; ++i) observations.push_back(-3.0f + 0.3f * static_cast<float>(i));
  return observations;
}

FakeTrainContext::FakeTrainContext(Options options)
    : options_(std::move(options)),
      env_(MakePointVecEnv(options_.num_envs, options_.seed, options_.nan_signal_after,
                           options_.num_workers)) {}

bool FakeTrainContext::stop_requested() const {
  return options_.stop_at_step >= 0 && !logged_.empty() &&
         logged_.back().first >= options_.stop_at_step;
}

void FakeTrainContext::LogMetrics(int64_t step, const Metrics& metrics) {
  logged_.emplace_back(step, metrics);
}

bool FakeTrainContext::Crossed(int64_t step, int64_t every) const {
  if (step >= options_.total_steps) return true;
  const int64_t previous = logged_.size() > 1 ? logged_[logged_.size() - 2].first : 0;
  return every > 0 && step / every > previous / every;
}

bool FakeTrainContext::EvaluationDue(int64_t step) const {
  return Crossed(step, options_.evaluate_every);
}

EvalSummary FakeTrainContext::Evaluate(int64_t step, const Policy& policy) {
  Evaluation evaluation;
  evaluation.step = step;
  evaluation.mean_return = EvaluateOnPointTask(policy, 16);
  const std::vector<float> probes = ProbeObservations();
  evaluation.probe_actions.resize(probes.size());
  policy(probes.data(), static_cast<int>(probes.size()), evaluation.probe_actions.data());
  evaluations_.push_back(evaluation);
  EvalSummary summary;
  summary.episodes = 16;
  summary.mean_return = evaluation.mean_return;
  return summary;
}

bool FakeTrainContext::CheckpointDue(int64_t step) const {
  return Crossed(step, options_.checkpoint_every);
}

std::string FakeTrainContext::checkpoint_path() const {
  return options_.run_dir + "/checkpoint.pt";
}

std::string FakeTrainContext::policy_path() const { return options_.run_dir + "/policy.pt"; }

}  // namespace stride::algorithms::testing
