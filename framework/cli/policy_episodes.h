// One environment instance acted on by an exported policy, one step at a time,
// for stride render and stride view. A finished episode starts the next.
#ifndef STRIDE_CLI_POLICY_EPISODES_H_
#define STRIDE_CLI_POLICY_EPISODES_H_

#include <mujoco/mujoco.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "exported_policy.h"
#include "stride/vec_env.h"

namespace stride::cli {

class PolicyEpisodes {
 public:
  // the policy's environment from seed; command names the caller in the
  // ConfigError for an environment that is not a MuJoCo simulation
  PolicyEpisodes(const ExportedPolicy& policy, PluginRegistry& registry, uint64_t seed,
                 const std::string& command);

  // the simulation as it is now
  const mjModel& model() const;
  const mjData& data() const;
  // simulated seconds per step
  double dt() const;

  // one step; true when it ended an episode, whose record is then
  // finished().back(), and the simulation shows the next episode's start
  bool Step();
  // abandons the running episode for a new one from the next seed
  void Restart();

  // the running episode: 1 for the first, its steps and return so far
  int episode() const { return episode_; }
  int64_t episode_steps() const { return episode_steps_; }
  double episode_return() const { return episode_return_; }
  const std::vector<EpisodeRecord>& finished() const { return finished_; }
  // what a finished episode's record describes
  const std::vector<EpisodeMetric>& episode_metrics() const { return env_->episode_metrics(); }

 private:
  void Start(uint64_t seed);

  const ExportedPolicy& policy_;
  PluginRegistry& registry_;
  uint64_t seed_;
  std::unique_ptr<VecEnv> env_;
  Policy act_;
  std::vector<float> actions_;
  int episode_ = 1;
  int64_t episode_steps_ = 0;
  double episode_return_ = 0.0;
  std::vector<EpisodeRecord> finished_;
};

// "return 4451.5 in 8.00 s, time limit; distance 27.64, fell 0" for an episode
// of steps of dt seconds and its metrics
std::string DescribeEpisode(const EpisodeRecord& episode, double dt,
                            const std::vector<EpisodeMetric>& metrics);

}  // namespace stride::cli

#endif  // STRIDE_CLI_POLICY_EPISODES_H_
