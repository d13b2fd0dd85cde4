// Out-of-line virtual destructors and small helpers of the public interfaces.
#include "stride/algorithm.h"
#include "stride/environment.h"
#include "stride/error.h"
#include "stride/phase_times.h"
#include "stride/plugin.h"
#include "stride/reward.h"

namespace stride {

ConfigError::ConfigError(const std::string& message) : std::runtime_error(message) {}
ConfigError::~ConfigError() = default;
RuntimeError::RuntimeError(const std::string& message) : std::runtime_error(message) {}
RuntimeError::~RuntimeError() = default;

ProcessGroup& TrainContext::group() { return SingleProcess(); }

bool TrainContext::EndUpdate(int64_t step, const Metrics& metrics,
                             const std::function<Policy()>& make_policy,
                             const std::function<void(const std::string& path)>& save_checkpoint,
                             const std::function<void(const std::string& path)>& export_policy) {
  PhaseTimer timer("logging, evaluation and checkpoints");
  LogMetrics(step, metrics);
  // only rank 0 evaluates; the others' summaries keep nothing
  if (EvaluationDue(step)) {
    const EvalSummary summary = Evaluate(step, make_policy());
    if (summary.best) export_policy(run_dir() + "/" + kBestPolicyFile);
    if (summary.first_success) export_policy(run_dir() + "/" + kFirstSuccessPolicyFile);
  }
  const bool stop = group().Any(stop_requested());
  const bool last = step >= total_steps();
  if (stop || CheckpointDue(step) || last) save_checkpoint(checkpoint_path());
  if (last && !stop && group().rank() == 0) export_policy(policy_path());
  return stop;
}

Environment::~Environment() = default;
std::vector<EpisodeMetric> Environment::episode_metrics() const { return {}; }
std::vector<Perturbation> Environment::perturbations() const { return {}; }
void Environment::SetPerturbations(const std::vector<PerturbationValue>& values) {
  if (!values.empty()) throw RuntimeError("this environment supports no perturbations");
}
std::vector<std::string> Environment::Warnings() const { return {}; }
const mjModel_* Environment::mujoco_model() const { return nullptr; }
const mjData_* Environment::mujoco_data() const { return nullptr; }
std::vector<uint8_t> Environment::SaveState() const {
  throw RuntimeError("this environment does not support saving its state");
}
void Environment::LoadState(const std::vector<uint8_t>&) {
  throw RuntimeError("this environment does not support loading a saved state");
}

const char* AggregateName(Aggregate aggregate) {
  switch (aggregate) {
    case Aggregate::kSum:
      return "sum";
    case Aggregate::kIntegral:
      return "integral";
    case Aggregate::kMean:
      return "mean";
    case Aggregate::kMin:
      return "min";
    case Aggregate::kMax:
      return "max";
    case Aggregate::kLast:
      return "last";
  }
  return "unknown";
}

RewardTerm::~RewardTerm() = default;
TrainContext::~TrainContext() = default;
Algorithm::~Algorithm() = default;
bool Algorithm::data_parallel() const { return false; }

const char* PluginKindName(PluginKind kind) {
  switch (kind) {
    case PluginKind::kEnvironment:
      return "environment";
    case PluginKind::kReward:
      return "reward";
    case PluginKind::kAlgorithm:
      return "algorithm";
  }
  return "unknown";
}

PluginEntry EnvironmentEntry(std::string name, std::string summary, std::vector<ParamSpec> params,
                             EnvironmentFactory factory) {
  return {std::move(name), std::move(summary), std::move(params), std::move(factory)};
}
PluginEntry RewardEntry(std::string name, std::string summary, std::vector<ParamSpec> params,
                        RewardFactory factory) {
  return {std::move(name), std::move(summary), std::move(params), std::move(factory)};
}
PluginEntry AlgorithmEntry(std::string name, std::string summary, std::vector<ParamSpec> params,
                           AlgorithmFactory factory) {
  return {std::move(name), std::move(summary), std::move(params), std::move(factory)};
}

}  // namespace stride
