#include "algorithms/common/training.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "algorithms/common/checkpoint.h"
#include "stride/error.h"
#include "stride/phase_times.h"

namespace stride::algorithms {
namespace {

void WriteFloats(torch::serialize::OutputArchive& archive, const std::string& key,
                 const std::vector<float>& values) {
  archive.write(key, torch::tensor(values, torch::kFloat32), /*is_buffer=*/true);
}

// reads into values, whose size the checkpoint must have
void ReadFloats(torch::serialize::InputArchive& archive, const std::string& key,
                std::vector<float>& values, const std::string& path) {
  const torch::Tensor tensor = ReadTensor(archive, key).contiguous();
  if (tensor.numel() != static_cast<int64_t>(values.size())) {
    throw RuntimeError(fmt::format("{}: '{}' holds {} values, the configured networks need {}",
                                   path, key, tensor.numel(), values.size()));
  }
  std::copy_n(tensor.data_ptr<float>(), values.size(), values.begin());
}

}  // namespace

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
    WriteInt(section, "steps", optimizer->steps);
    WriteFloats(section, "first_moment", optimizer->first_moment);
    WriteFloats(section, "second_moment", optimizer->second_moment);
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
    optimizer->steps = ReadInt(section, "steps");
    ReadFloats(section, "first_moment", optimizer->first_moment, path);
    ReadFloats(section, "second_moment", optimizer->second_moment, path);
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
  PhaseTimer timer("logging, evaluation and checkpoints");
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

void GatherAdvantages(const float* advantages, const int64_t* index, int64_t n, bool normalize,
                      float* out) {
  double sum = 0.0;
  for (int64_t k = 0; k < n; ++k) {
    out[k] = advantages[index[k]];
    sum += out[k];
  }
  if (!normalize) return;
  const double mean = sum / static_cast<double>(n);
  double sum_sq = 0.0;
  for (int64_t k = 0; k < n; ++k) sum_sq += (out[k] - mean) * (out[k] - mean);
  const double std = std::sqrt(sum_sq / static_cast<double>(n - 1));
  for (int64_t k = 0; k < n; ++k) out[k] = static_cast<float>((out[k] - mean) / (std + 1e-8));
}

int UpdateThreads(const VecEnv& env) { return std::min(2, env.num_workers()); }

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
