// Runs experiments: one run directory per variant and seed, the algorithm's
// training loop, metrics, evaluation and checkpoints. Running an experiment
// again skips its finished runs and resumes its interrupted ones.
#ifndef STRIDE_RUNNER_H_
#define STRIDE_RUNNER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stride/algorithm.h"
#include "stride/experiment.h"
#include "stride/process_group.h"
#include "stride/run_lock.h"
#include "stride/vec_env.h"

namespace stride {

class PluginRegistry;

struct RunOptions {
  // replaces experiment.output_dir
  std::string output_dir;
  // run only this seed
  std::optional<int64_t> seed;
  // replace existing run directories instead of skipping or resuming them
  bool force = false;
  // environment threads per run; 0: the experiment's num_workers
  int num_workers = 0;
  // the command line, recorded in manifest.json
  std::string command;
  // library versions recorded in manifest.json, e.g. {"mujoco", "2.2.2"}
  std::map<std::string, std::string> versions;
  // the ranks of a data-parallel run; null for a process that trains alone
  ProcessGroup* group = nullptr;
  // called after every update's metrics with the update's environment steps;
  // its time is left out of the run's time and rate (stride bench train steps
  // raw MuJoCo there, so both rates see the machine at the same moments)
  std::function<void(int64_t)> between_updates;
};

// how a run ended
enum class RunStatus { kFinished, kStopped };

// the experiment's environment and reward terms as a vectorized environment
// (first_index: the global index of the first instance, see VecEnv)
std::unique_ptr<VecEnv> MakeVecEnv(const Experiment& experiment, const PluginRegistry& registry,
                                   int num_envs, uint64_t seed, int num_workers,
                                   int first_index = 0);

// one deterministic episode on each of env's instances, judged by criterion
EvalSummary EvaluatePolicy(VecEnv& env, const Policy& policy,
                           const SuccessCriterion& criterion = {});
// "return 1183.2 +- 4.1; mean distance 9.87, fell 0; success: 10 of 10
// episodes met the criterion (10 needed)"
std::string DescribeEvaluation(const EvalSummary& summary, const SuccessCriterion& criterion = {});

// the seed of a run's evaluation episodes, from the run's seed
uint64_t EvaluationSeed(int64_t run_seed);
// the policy under each magnitude of the experiment's robustness tests, each
// on env's instances as one evaluation: the text of robustness.csv (a row per
// magnitude); progress lines on stderr start with [label]
std::string EvaluateRobustness(VecEnv& env, const Policy& policy, const Experiment& experiment,
                               const std::string& label);

// "<output_dir>/<name>/[<variant>/]seed_<k>"
std::string RunDirectory(const Experiment& experiment, const std::string& output_dir, int64_t seed);

// what a run's directory calls for
enum class RunAction {
  kStart,   // new, or replaced with --force, or never checkpointed
  kResume,  // interrupted: continue from its checkpoint
  kSkip,    // finished
};

struct PlannedRun {
  // the experiment of exactly this run (seeds = {seed})
  Experiment experiment;
  int64_t seed = 0;
  std::string dir;
  RunAction action = RunAction::kStart;
};

// every variant's every seed (or options.seed), in order, with what to do;
// a directory that holds a run of another configuration is a ConfigError
std::vector<PlannedRun> PlanRuns(const std::vector<Experiment>& experiments,
                                 const RunOptions& options);
// the locks of the runs to train (not the skipped), in order; ConfigError if
// another process holds one (stride/run_lock.h)
std::vector<RunLock> LockRuns(const std::vector<PlannedRun>& runs);
// a kStart run's fresh directory with config.toml and manifest.json, made
// under the lock this process holds on it
void PrepareRun(const PlannedRun& run, const PluginRegistry& registry, const RunOptions& options);
// locks and trains a prepared run directory (stride run --resume): from its
// checkpoint if it has one, else from the start; num_workers 0 keeps the
// experiment's
RunStatus TrainRunDirectory(const std::string& run_dir, PluginRegistry& registry,
                            int num_workers = 0);

// the planned runs in turn in this process; stops early if a stop was requested
RunStatus RunPlanned(const std::vector<PlannedRun>& runs, PluginRegistry& registry,
                     const RunOptions& options);
RunStatus RunExperiment(const Experiment& experiment, PluginRegistry& registry,
                        const RunOptions& options);

// A data-parallel run over options.group: rank 0 locks the run directory,
// prepares it when fresh is given (a kStart run) and tells the other ranks,
// which follow it into training their shares; the run's files are rank 0's.
// A rank-0 error before training reaches the others as a ConfigError.
RunStatus LeadDataParallelRun(const std::string& run_dir, const PlannedRun* fresh,
                              PluginRegistry& registry, const RunOptions& options);
RunStatus FollowDataParallelRun(PluginRegistry& registry, const RunOptions& options);
// rank 0 has nothing to train (error empty: the run has finished) or failed
// before it could lead: the followers end too
void EndDataParallelRun(ProcessGroup& group, const std::string& error);

// SIGINT/SIGTERM request a stop; runs checkpoint and return
void InstallStopHandlers();
bool StopRequested();
// 128 + the stop signal's number (130 for SIGINT, 143 for SIGTERM), the exit
// code shells and schedulers expect of a process a signal stopped
int StopExitCode();

}  // namespace stride

#endif  // STRIDE_RUNNER_H_
