// The algorithm interface. An algorithm owns its training loop; the framework
// hands it everything else through TrainContext.
#ifndef STRIDE_ALGORITHM_H_
#define STRIDE_ALGORITHM_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "stride/process_group.h"
#include "stride/vec_env.h"

namespace stride {

// the policies a run keeps in its directory beside policy.pt (its last)
inline constexpr char kBestPolicyFile[] = "policy_best.pt";
inline constexpr char kFirstSuccessPolicyFile[] = "policy_first_success.pt";

// named scalars of one update, in the order they should appear in metrics.csv
using Metrics = std::vector<std::pair<std::string, double>>;

// acts deterministically: observations[n x obs] -> actions[n x act]
using Policy = std::function<void(const float* observations, int n, float* actions)>;

struct EvalSummary {
  int episodes = 0;
  double mean_return = 0.0;
  double std_return = 0.0;
  // the mean over the episodes of each of the environment's episode metrics
  Metrics metric_means;
  // with a success criterion: the episodes that met its conditions, and
  // whether they were enough; 0 and false without one
  int successes = 0;
  bool success = false;
  // the run's best evaluation so far (by the fraction of successes, then the
  // mean return), and its first that met the success criterion
  bool best = false;
  bool first_success = false;
};

class TrainContext {
 public:
  virtual ~TrainContext();

  virtual VecEnv& env() = 0;
  virtual uint64_t seed() const = 0;
  virtual int64_t total_steps() const = 0;
  virtual const std::string& run_dir() const = 0;
  // the resolved experiment of this run as TOML, to embed in exported policies
  virtual const std::string& config_toml() const = 0;
  // training should end now: checkpoint and return. Set by SIGINT/SIGTERM (the
  // run resumes later) and, with evaluation.stop_on_success, by the first
  // evaluation that meets the success criterion (the run has finished; the
  // framework exports the policy of that checkpoint)
  virtual bool stop_requested() const = 0;

  // one row per update, logged before asking whether an evaluation or a
  // checkpoint is due; the framework adds episode statistics from the
  // environment, wall time and steps/s, writes metrics.csv and prints progress
  virtual void LogMetrics(int64_t step, const Metrics& metrics) = 0;

  // true when the update that reached step crossed a multiple of
  // evaluation.every_steps, and at the last update (step >= total_steps)
  virtual bool EvaluationDue(int64_t step) const = 0;
  // deterministic episodes of policy, logged to eval.csv
  virtual EvalSummary Evaluate(int64_t step, const Policy& policy) = 0;

  // checkpoints: written when due (same rule, checkpoint_every_steps) and on
  // stop, to checkpoint_path(), atomically
  virtual bool CheckpointDue(int64_t step) const = 0;
  virtual std::string checkpoint_path() const = 0;
  // the checkpoint to resume from; empty for a fresh run
  virtual std::string resume_path() const = 0;
  // where the exported TorchScript policy goes at the end of training
  virtual std::string policy_path() const = 0;

  // the ranks of a data-parallel run; a group of one otherwise. env() holds
  // this rank's share of the environments; only rank 0 logs, evaluates and
  // writes files, and the others' Evaluate() returns an empty summary
  virtual ProcessGroup& group();

  // the end of an update, the same for every algorithm: logs metrics;
  // evaluates make_policy() when an evaluation is due, and exports the policy
  // (export_policy(path): TorchScript of the current parameters) to
  // policy_best.pt when that evaluation is the run's best so far and to
  // policy_first_success.pt when it is the first to meet the success
  // criterion; has the ranks agree whether to stop (a rank stopping alone
  // would leave the others waiting); calls save_checkpoint(checkpoint_path())
  // when a checkpoint is due, on a stop and at the run's last update
  // (step >= total_steps()), and there exports policy_path(). True when
  // training should end now: the run resumes later, or has met its success
  // criterion and stride exports policy_path() from the checkpoint
  bool EndUpdate(int64_t step, const Metrics& metrics, const std::function<Policy()>& make_policy,
                 const std::function<void(const std::string& path)>& save_checkpoint,
                 const std::function<void(const std::string& path)>& export_policy);
};

class Algorithm {
 public:
  virtual ~Algorithm();
  virtual void Train(TrainContext& context) = 0;
  // writes the TorchScript policy of a checkpoint this algorithm wrote
  // (forward(obs[B, obs]) -> deterministic actions[B, act], normalization
  // inside); config_toml is embedded as the extra file "stride/config.toml"
  virtual void ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                            const std::string& config_toml) = 0;
  // trains over the ranks of TrainContext::group(); false by default
  virtual bool data_parallel() const;
};

}  // namespace stride

#endif  // STRIDE_ALGORITHM_H_
