#include "algorithms/common/training.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "algorithms/common/checkpoint.h"
#include "stride/error.h"

namespace stride::algorithms {

// layout: algorithm, global_step, update, agent/, rollout/, generator, one
// section per optimizer
void SaveCheckpoint(const TrainingState& state, const std::string& path) {
  torch::serialize::OutputArchive archive;
  WriteString(archive, "algorithm", state.algorithm);
  WriteInt(archive, "global_step", state.global_step);
  WriteInt(archive, "update", state.update);
  torch::serialize::OutputArchive agent(archive.compilation_unit());
  state.agent->Save(agent);
  archive.write("agent", agent);
  torch::serialize::OutputArchive rollout(archive.compilation_unit());
  state.rollout->Save(rollout);
  archive.write("rollout", rollout);
  WriteGenerator(archive, "generator", *state.generator);
  for (const auto& [name, optimizer] : state.optimizers) {
    torch::serialize::OutputArchive section(archive.compilation_unit());
    optimizer->save(section);
    archive.write(name, section);
  }
  SaveArchiveAtomically(archive, path);
}

void LoadCheckpoint(const std::string& path, TrainingState& state) {
  torch::serialize::InputArchive archive = LoadArchive(path);
  CheckAlgorithm(archive, state.algorithm, path);
  state.global_step = ReadInt(archive, "global_step");
  state.update = ReadInt(archive, "update");
  torch::serialize::InputArchive agent = ReadNested(archive, "agent");
  state.agent->Load(agent);
  torch::serialize::InputArchive rollout = ReadNested(archive, "rollout");
  state.rollout->Load(rollout);
  ReadGenerator(archive, "generator", *state.generator);
  for (const auto& [name, optimizer] : state.optimizers) {
    torch::serialize::InputArchive section = ReadNested(archive, name);
    optimizer->load(section);
  }
}

void ExportCheckpointPolicy(const std::string& algorithm, const AgentOptions& options,
                            const std::string& checkpoint_path, const std::string& policy_path,
                            const std::string& config_toml) {
  torch::serialize::InputArchive archive = LoadArchive(checkpoint_path);
  CheckAlgorithm(archive, algorithm, checkpoint_path);
  torch::serialize::InputArchive agent = ReadNested(archive, "agent");
  Agent::FromArchive(options, agent).Export(policy_path, config_toml);
}

bool FinishUpdate(int64_t update, int64_t num_updates, int64_t global_step, const Metrics& metrics,
                  TrainContext& context, TrainingState& state) {
  context.LogMetrics(global_step, metrics);
  state.global_step = global_step;
  state.update = update;
  if (context.EvaluationDue(global_step)) {
    context.Evaluate(global_step, state.agent->MakePolicy());
  }
  const bool stop = context.stop_requested();
  if (stop || context.CheckpointDue(global_step) || update == num_updates) {
    SaveCheckpoint(state, context.checkpoint_path());
  }
  return stop;
}

int64_t NumUpdates(int64_t total_steps, int64_t batch_size) {
  return std::max<int64_t>(1, (total_steps + batch_size - 1) / batch_size);
}

void SetLearningRate(torch::optim::Adam& optimizer, double learning_rate) {
  for (torch::optim::OptimizerParamGroup& group : optimizer.param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate);
  }
}

void CheckFinite(int64_t update, const Metrics& losses, ActorCritic& model) {
  for (const auto& [name, value] : losses) {
    if (!std::isfinite(value)) {
      throw RuntimeError(fmt::format("update {}: non-finite {} ({})", update, name, value));
    }
  }
  for (const auto& parameter : model->named_parameters()) {
    if (!torch::isfinite(parameter.value()).all().item<bool>()) {
      throw RuntimeError(
          fmt::format("update {}: non-finite network parameter {}", update, parameter.key()));
    }
  }
}

double ExplainedVariance(const torch::Tensor& values, const torch::Tensor& returns) {
  const double returns_var = returns.var(/*unbiased=*/false).item<double>();
  if (returns_var == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return 1.0 - (returns - values).var(/*unbiased=*/false).item<double>() / returns_var;
}

}  // namespace stride::algorithms
