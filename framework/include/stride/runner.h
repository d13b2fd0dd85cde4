// Runs an experiment: one run directory per seed, the algorithm's training
// loop, metrics, evaluation and checkpoints.
#ifndef STRIDE_RUNNER_H_
#define STRIDE_RUNNER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stride/algorithm.h"
#include "stride/experiment.h"
#include "stride/vec_env.h"

namespace stride {

class PluginRegistry;

struct RunOptions {
  // replaces experiment.output_dir
  std::string output_dir;
  // run only this seed
  std::optional<int64_t> seed;
  // replace an existing run directory
  bool force = false;
  // the command line, recorded in manifest.json
  std::string command;
  // library versions recorded in manifest.json, e.g. {"mujoco", "2.2.2"}
  std::map<std::string, std::string> versions;
};

// how a run ended
enum class RunStatus { kFinished, kStopped };

// the experiment's environment and reward terms as a vectorized environment
std::unique_ptr<VecEnv> MakeVecEnv(const Experiment& experiment, const PluginRegistry& registry,
                                   int num_envs, uint64_t seed, int num_workers);

// one deterministic episode on each of env's instances
EvalSummary EvaluatePolicy(VecEnv& env, const Policy& policy);
// "return 1183.2 +- 4.1, distance 9.87 m, falls 0/10"
std::string DescribeEvaluation(const EvalSummary& summary);

// "<output_dir>/<name>/seed_<k>"
std::string RunDirectory(const Experiment& experiment, const std::string& output_dir,
                         int64_t seed);

// every seed in turn (or options.seed); stops early if a stop was requested
RunStatus RunExperiment(const Experiment& experiment, const PluginRegistry& registry,
                        const RunOptions& options);
// continues the run in run_dir from its last checkpoint
RunStatus ResumeRun(const std::string& run_dir, PluginRegistry& registry);

// SIGINT/SIGTERM request a stop; runs checkpoint and return
void InstallStopHandlers();
bool StopRequested();

}  // namespace stride

#endif  // STRIDE_RUNNER_H_
