#include "algorithms/common/training.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "algorithms/common/checkpoint.h"
#include "stride/error.h"

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

AgentOptions AgentOptionsOf(const AgentConfig& config) {
  AgentOptions options;
  options.network.hidden_sizes = config.hidden_sizes;
  options.network.activation = ParseActivation(config.activation);
  options.network.init_log_std = config.init_log_std;
  options.normalize_observations = config.normalize_observations;
  options.obs_clip = config.obs_clip;
  return options;
}

RolloutOptions RolloutOptionsOf(int num_steps, double gamma, const AgentConfig& config) {
  RolloutOptions options;
  options.num_steps = num_steps;
  options.gamma = gamma;
  options.normalize_rewards = config.normalize_rewards;
  options.reward_clip = config.reward_clip;
  return options;
}

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
  ProcessGroup& group = *state.group;
  if (group.world_size() == 1) {
    archive.write("rollout", rollout);
  } else {
    // every rank's rollout as bytes, in rank order
    std::ostringstream stream;
    rollout.save_to(stream);
    const std::string text = stream.str();
    const std::vector<std::vector<uint8_t>> rollouts =
        group.AllGather(std::vector<uint8_t>(text.begin(), text.end()));
    if (group.rank() != 0) return;
    WriteInt(archive, "world_size", group.world_size());
    for (size_t r = 0; r < rollouts.size(); ++r) {
      WriteBytes(archive, fmt::format("rollout_rank_{}", r), rollouts[r]);
    }
  }
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
  ProcessGroup& group = *state.group;
  torch::IValue saved_world_size;
  const int64_t world_size =
      archive.try_read("world_size", saved_world_size) ? saved_world_size.toInt() : 1;
  if (world_size != group.world_size()) {
    throw RuntimeError(
        fmt::format("{}: the run was trained over {} rank{}, and resumes only over "
                    "as many, not {}",
                    path, world_size, world_size == 1 ? "" : "s", group.world_size()));
  }
  if (world_size == 1) {
    torch::serialize::InputArchive rollout = ReadNested(archive, "rollout");
    state.rollout->Load(rollout);
  } else {
    const std::vector<uint8_t> bytes =
        ReadBytes(archive, fmt::format("rollout_rank_{}", group.rank()));
    torch::serialize::InputArchive rollout;
    rollout.load_from(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    state.rollout->Load(rollout);
  }
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

bool EndAgentUpdate(int64_t update, int64_t global_step, const Metrics& metrics,
                    TrainContext& context, TrainingState& state) {
  state.global_step = global_step;
  state.update = update;
  Agent& agent = *state.agent;
  return context.EndUpdate(
      global_step, metrics, [&] { return agent.MakePolicy(); },
      [&](const std::string& path) { SaveCheckpoint(state, path); },
      [&](const std::string& path) { agent.Export(path, context.config_toml()); });
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

std::vector<Standardization> StandardizeMinibatches(
    const float* advantages, const std::vector<std::vector<ShardRows>>& minibatches, int64_t rows,
    ProcessGroup& group) {
  // sums and sums of squares, shard by shard in order, then over the ranks
  std::vector<double> moments(2 * minibatches.size(), 0.0);
  for (size_t m = 0; m < minibatches.size(); ++m) {
    for (const ShardRows& shard : minibatches[m]) {
      double sum = 0.0, sum_sq = 0.0;
      for (int k = 0; k < shard.rows; ++k) {
        const double x = advantages[shard.index[k]];
        sum += x;
        sum_sq += x * x;
      }
      moments[2 * m] += sum;
      moments[2 * m + 1] += sum_sq;
    }
  }
  group.Sum(moments.data(), static_cast<int64_t>(moments.size()));
  const double n = static_cast<double>(rows);
  std::vector<Standardization> result(minibatches.size());
  for (size_t m = 0; m < minibatches.size(); ++m) {
    const double mean = moments[2 * m] / n;
    const double var = std::max(0.0, (moments[2 * m + 1] - moments[2 * m] * mean) / (n - 1.0));
    result[m] = {mean, std::sqrt(var)};
  }
  return result;
}

void GatherAdvantages(const float* advantages, const std::vector<ShardRows>& shards,
                      const Standardization* standardization, float* out) {
  for (const ShardRows& shard : shards) {
    for (int k = 0; k < shard.rows; ++k) {
      const float x = advantages[shard.index[k]];
      out[shard.first + k] =
          standardization
              ? static_cast<float>((x - standardization->mean) / (standardization->std + 1e-8))
              : x;
    }
  }
}

void SumOverRanks(std::vector<float>& gradient, std::vector<double>& sums, ProcessGroup& group) {
  if (group.world_size() == 1) return;
  std::vector<double> buffer(gradient.begin(), gradient.end());
  buffer.insert(buffer.end(), sums.begin(), sums.end());
  group.Sum(buffer.data(), static_cast<int64_t>(buffer.size()));
  std::copy_n(buffer.begin(), gradient.size(), gradient.begin());
  std::copy(buffer.begin() + static_cast<int64_t>(gradient.size()), buffer.end(), sums.begin());
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

void CheckRanksAgree(int64_t update, const float* parameters, int64_t n, ProcessGroup& group) {
  if (group.world_size() == 1) return;
  // FNV-1a over the parameters' bytes
  uint64_t hash = 0xcbf29ce484222325ULL;
  const auto* bytes = reinterpret_cast<const uint8_t*>(parameters);
  for (size_t i = 0; i < static_cast<size_t>(n) * sizeof(float); ++i) {
    hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
  }
  std::vector<uint8_t> mine(sizeof(hash));
  std::memcpy(mine.data(), &hash, sizeof(hash));
  const std::vector<std::vector<uint8_t>> hashes = group.AllGather(mine);
  for (size_t r = 1; r < hashes.size(); ++r) {
    if (hashes[r] != hashes[0]) {
      throw RuntimeError(
          fmt::format("update {}: the ranks diverged: rank {}'s parameters differ "
                      "from rank 0's",
                      update, r));
    }
  }
}

double ExplainedVariance(const torch::Tensor& values, const torch::Tensor& returns) {
  const double returns_var = returns.var(/*unbiased=*/false).item<double>();
  if (returns_var == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return 1.0 - (returns - values).var(/*unbiased=*/false).item<double>() / returns_var;
}

double ExplainedVariance(const torch::Tensor& values, const torch::Tensor& returns, int shards,
                         int shard_envs, ProcessGroup& group) {
  // sums of the returns, the residuals and their squares, shard by shard
  const int64_t steps = values.size(0), n = values.size(1);
  const float* v = values.data_ptr<float>();
  const float* r = returns.data_ptr<float>();
  std::vector<double> sums(5, 0.0);
  for (int s = 0; s < shards; ++s) {
    std::vector<double> shard_sums(5, 0.0);
    for (int64_t t = 0; t < steps; ++t) {
      for (int j = 0; j < shard_envs; ++j) {
        const int64_t i = t * n + static_cast<int64_t>(s) * shard_envs + j;
        const double residual = static_cast<double>(r[i]) - v[i];
        shard_sums[0] += r[i];
        shard_sums[1] += static_cast<double>(r[i]) * r[i];
        shard_sums[2] += residual;
        shard_sums[3] += residual * residual;
        shard_sums[4] += 1.0;
      }
    }
    for (size_t k = 0; k < sums.size(); ++k) sums[k] += shard_sums[k];
  }
  group.Sum(sums.data(), static_cast<int64_t>(sums.size()));
  const double count = sums[4];
  const double returns_var = sums[1] / count - (sums[0] / count) * (sums[0] / count);
  if (returns_var <= 0.0) return std::numeric_limits<double>::quiet_NaN();
  const double residual_var = sums[3] / count - (sums[2] / count) * (sums[2] / count);
  return 1.0 - residual_var / returns_var;
}

}  // namespace stride::algorithms
