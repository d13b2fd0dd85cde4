#include "algorithms/ars/perturbed_rollouts.h"

#include <chrono>

#include "stride/phase_times.h"

namespace stride::algorithms::ars {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

PerturbedRollouts::PerturbedRollouts(VecEnv& env)
    : env_(env),
      rollout_of_(env.num_envs(), -1),
      active_(env.num_envs(), 0),
      actions_(static_cast<size_t>(env.num_envs()) * env.action_size(), 0.0f),
      normalized_(env.observation_size()) {}

const RolloutOutcome& PerturbedRollouts::Run(const LinearPolicy& policy, const double* directions,
                                             int num_directions, double noise, double shift) {
  const auto start = std::chrono::steady_clock::now();
  double stepping = 0.0;
  const int n = env_.num_envs(), obs = env_.observation_size(), act = env_.action_size();
  const int64_t direction_size = static_cast<int64_t>(act) * obs;
  const int num_rollouts = 2 * num_directions;
  outcome_.returns.assign(num_rollouts, 0.0);
  outcome_.steps = 0;
  outcome_.observations.clear();

  // the first rollouts go to the instances in order
  int next = 0, running = 0;
  for (int i = 0; i < n; ++i) {
    rollout_of_[i] = next < num_rollouts ? next++ : -1;
    running += rollout_of_[i] >= 0;
  }
  while (running > 0) {
    // the perturbed policies' actions
    const float* observations = env_.observations();
    for (int i = 0; i < n; ++i) {
      const int rollout = rollout_of_[i];
      active_[i] = rollout >= 0;
      if (rollout < 0) continue;
      const float* observation = observations + static_cast<size_t>(i) * obs;
      outcome_.observations.insert(outcome_.observations.end(), observation, observation + obs);
      policy.Normalize(observation, normalized_.data());
      const double scale = rollout % 2 == 0 ? noise : -noise;
      policy.Act(directions + (rollout / 2) * direction_size, scale, normalized_.data(),
                 actions_.data() + static_cast<size_t>(i) * act);
    }
    const auto step_start = std::chrono::steady_clock::now();
    env_.Step(actions_.data(), active_.data());
    stepping += Seconds(step_start);

    // returns, and the next rollout for each instance whose episode ended
    for (int i = 0; i < n; ++i) {
      if (!active_[i]) continue;
      outcome_.returns[rollout_of_[i]] += env_.rewards()[i] - shift;
      ++outcome_.steps;
      if (!env_.terminated()[i] && !env_.truncated()[i]) continue;
      rollout_of_[i] = next < num_rollouts ? next++ : -1;
      running -= rollout_of_[i] < 0;
    }
  }
  AddPhaseTime("environment stepping", stepping);
  AddPhaseTime("policy inference and rollout storage", Seconds(start) - stepping);
  return outcome_;
}

}  // namespace stride::algorithms::ars
