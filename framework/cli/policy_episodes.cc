#include "policy_episodes.h"

#include <cmath>

#include <fmt/format.h>

#include "stride/error.h"
#include "stride/runner.h"

namespace stride::cli {

PolicyEpisodes::PolicyEpisodes(const ExportedPolicy& policy, PluginRegistry& registry,
                               uint64_t seed, const std::string& command)
    : policy_(policy), registry_(registry), seed_(seed) {
  Start(seed_);
  if (env_->env(0).mujoco_model() == nullptr || env_->env(0).mujoco_data() == nullptr) {
    throw ConfigError(fmt::format(
        "stride {}: environment '{}' is not a MuJoCo simulation (it has no mujoco_model()), so "
        "there is nothing to draw",
        command, policy.experiment().environment.plugin));
  }
}

void PolicyEpisodes::Start(uint64_t seed) {
  env_ = MakeVecEnv(policy_.experiment(), registry_, 1, seed, 1);
  act_ = policy_.ActionsFor(*env_);
  actions_.assign(static_cast<size_t>(env_->action_size()), 0.0f);
  env_->Reset();
  episode_steps_ = 0;
  episode_return_ = 0.0;
}

const mjModel& PolicyEpisodes::model() const { return *env_->env(0).mujoco_model(); }
const mjData& PolicyEpisodes::data() const { return *env_->env(0).mujoco_data(); }
double PolicyEpisodes::dt() const { return env_->env(0).dt(); }

bool PolicyEpisodes::Step() {
  act_(env_->observations(), 1, actions_.data());
  env_->Step(actions_.data());
  episode_return_ += env_->rewards()[0];
  ++episode_steps_;
  if (!env_->terminated()[0] && !env_->truncated()[0]) return false;
  for (EpisodeRecord& record : env_->TakeCompletedEpisodes())
    finished_.push_back(std::move(record));
  ++episode_;
  episode_steps_ = 0;
  episode_return_ = 0.0;
  return true;
}

void PolicyEpisodes::Restart() {
  ++episode_;
  Start(seed_ + static_cast<uint64_t>(episode_ - 1));
}

std::string DescribeEpisode(const EpisodeRecord& episode, double dt,
                            const std::vector<EpisodeMetric>& metrics) {
  std::string text = fmt::format("return {:.1f} in {:.2f} s, ", episode.total_return,
                                 static_cast<double>(episode.length) * dt);
  text += episode.numerical_failure ? "numerical failure"
          : episode.terminated      ? "terminated"
                                    : "time limit";
  std::vector<std::string> values;
  for (size_t m = 0; m < metrics.size(); ++m) {
    values.push_back(fmt::format("{} {:.4g}", metrics[m].name, episode.metrics[m]));
  }
  if (!values.empty()) text += fmt::format("; {}", fmt::join(values, ", "));
  return text;
}

}  // namespace stride::cli
