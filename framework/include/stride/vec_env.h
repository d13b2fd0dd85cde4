// N environment instances stepped together into contiguous buffers.
//
// Observations, rewards and flags live in flat arrays the algorithm can wrap
// without copying (torch::from_blob). Finished episodes reset automatically;
// the observation that ended them is kept in final_observations() so a
// truncated episode can be bootstrapped. Instance i's k-th episode is seeded
// from (seed, first_index + i, k) only, so results do not depend on the number
// of workers, nor on how a data-parallel run splits its environments.
#ifndef STRIDE_VEC_ENV_H_
#define STRIDE_VEC_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stride/environment.h"
#include "stride/reward.h"

namespace stride {

// the weighted sum of an experiment's reward terms
class RewardFunction {
 public:
  struct Term {
    std::string name;
    double weight = 1.0;
    std::shared_ptr<const RewardTerm> term;
  };
  RewardFunction(std::vector<Term> terms, const std::vector<std::string>& signal_names);

  // total weighted reward; writes each weighted term to term_values[terms().size()]
  double Evaluate(const double* signals, double* term_values) const;
  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::vector<Term> terms_;
};

// one completed episode
struct EpisodeRecord {
  double total_return = 0.0;
  int64_t length = 0;
  // weighted return of each reward term, in RewardFunction::terms() order
  std::vector<double> term_returns;
  bool terminated = false;
  bool numerical_failure = false;
  // the value of each of VecEnv::episode_metrics(), in their order
  std::vector<double> metrics;
};

// what is wrong with an environment's episode metrics, "" if nothing: names
// must be plain, unique and none that stride uses itself, signals must exist
std::string EpisodeMetricsProblem(const std::vector<EpisodeMetric>& metrics,
                                  const std::vector<std::string>& signal_names);

// a perturbation drawn per episode, uniformly from [low, high]: domain
// randomization
struct PerturbationRange {
  std::string name;
  double low = 0.0;
  double high = 0.0;
};

class VecEnv {
 public:
  // first_index: the global index of the first instance, in a data-parallel
  // run whose ranks each hold a share of the environments
  VecEnv(std::vector<std::unique_ptr<Environment>> envs,
         std::shared_ptr<const RewardFunction> reward, uint64_t seed, int num_workers,
         int first_index = 0);
  ~VecEnv();
  VecEnv(const VecEnv&) = delete;
  VecEnv& operator=(const VecEnv&) = delete;

  int num_envs() const { return num_envs_; }
  int observation_size() const { return obs_size_; }
  int action_size() const { return act_size_; }
  int num_workers() const;
  const Space& observation_space() const;
  const Space& action_space() const;
  const RewardFunction& reward() const { return *reward_; }
  // the environment's declared episode metrics, which every EpisodeRecord carries
  const std::vector<EpisodeMetric>& episode_metrics() const { return metrics_; }
  Environment& env(int i) { return *envs_[i]; }

  // every instance's episodes from its next reset on: these magnitudes, and
  // magnitudes drawn from ranges with the episode's seed (names checked by the
  // caller against the environment's perturbations())
  void SetPerturbations(std::vector<PerturbationValue> fixed,
                        std::vector<PerturbationRange> ranges = {});

  // starts every instance's first episode
  void Reset();
  // steps every instance with actions[num_envs x action_size]
  void Step(const float* actions);
  // steps only the instances where active[i] is nonzero; the others keep their
  // state and episode, and report reward 0 and no episode end
  void Step(const float* actions, const uint8_t* active);

  // [num_envs x observation_size]: the observation to act on next
  const float* observations() const { return obs_.data(); }
  // [num_envs x observation_size]: the last observation of an episode that just
  // ended (valid where terminated or truncated is set)
  const float* final_observations() const { return final_obs_.data(); }
  // [num_envs] from the last Step()
  const float* rewards() const { return rewards_.data(); }
  const uint8_t* terminated() const { return terminated_.data(); }
  const uint8_t* truncated() const { return truncated_.data(); }

  // episodes finished since the last call, in instance order per step
  std::vector<EpisodeRecord> TakeCompletedEpisodes();
  int64_t numerical_failures() const { return numerical_failures_; }

  // everything needed to continue bitwise: instance states and episode counters
  std::vector<uint8_t> SaveState() const;
  void LoadState(const std::vector<uint8_t>& state);

 private:
  struct Episode {
    uint64_t index = 0;
    double total_return = 0.0;
    int64_t length = 0;
    std::vector<double> term_returns;
    // each metric's running sum, minimum, maximum or last value
    std::vector<double> metric_values;
  };
  class WorkerPool;

  void StepInstance(int i);
  void ResetInstance(int i);
  uint64_t EpisodeSeed(int instance, uint64_t episode) const;

  std::vector<std::unique_ptr<Environment>> envs_;
  std::shared_ptr<const RewardFunction> reward_;
  uint64_t seed_;
  int first_index_;
  int num_envs_, obs_size_, act_size_, num_signals_;
  double dt_;
  std::vector<EpisodeMetric> metrics_;
  // the signal each metric reduces
  std::vector<int> metric_signals_;

  std::vector<float> obs_, final_obs_, rewards_;
  std::vector<uint8_t> terminated_, truncated_, failed_;
  std::vector<double> signals_, term_values_;
  std::vector<Episode> episodes_;
  std::vector<EpisodeRecord> finished_;  // per instance, valid where done
  std::vector<EpisodeRecord> completed_;
  std::vector<PerturbationValue> fixed_perturbations_;
  std::vector<PerturbationRange> perturbation_ranges_;
  int64_t numerical_failures_ = 0;
  const float* actions_ = nullptr;
  const uint8_t* active_ = nullptr;
  std::unique_ptr<WorkerPool> pool_;
};

}  // namespace stride

#endif  // STRIDE_VEC_ENV_H_
