#include "algorithms/common/rollout.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "algorithms/common/checkpoint.h"
#include "algorithms/common/fixed_policy.h"
#include "stride/error.h"
#include "stride/phase_times.h"

namespace stride::algorithms {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// the seed of a data shard's action noise, a stream apart from the run's
uint64_t ShardSeed(uint64_t seed, uint64_t shard) {
  constexpr uint64_t kShardStream = 0x5ea2'd0a7'a000'0000ULL;
  return MixBits(seed, kShardStream + shard);
}

// row t of a contiguous [T, ...] float tensor
float* Row(const torch::Tensor& tensor, int t) {
  return tensor.data_ptr<float>() + t * tensor.stride(0);
}

}  // namespace

Rollout::Rollout(const RolloutOptions& options, VecEnv& env, Agent& agent, ProcessGroup& group)
    : options_(options), env_(env), agent_(agent), group_(group) {
  const int64_t t = options.num_steps, n = env.num_envs();
  const int64_t obs = env.observation_size(), act = env.action_size();
  if (options.data_shards < 1 || options.data_shards % group.world_size() != 0) {
    throw ConfigError(fmt::format("data_shards = {} is not a multiple of the {} ranks",
                                  options.data_shards, group.world_size()));
  }
  const int local_shards = options.data_shards / group.world_size();
  if (n % local_shards != 0) {
    throw ConfigError(
        fmt::format("the {} environments of each rank do not split into {} data "
                    "shards",
                    n, local_shards));
  }
  shard_envs_ = static_cast<int>(n / local_shards);
  shards_.resize(local_shards);
  for (int s = 0; s < local_shards; ++s) {
    Shard& shard = shards_[s];
    if (options.normalize_rewards) {
      shard.reward_scaler.emplace(shard_envs_, options.gamma, options.reward_clip);
    }
    if (!merged()) continue;
    const uint64_t global_shard = static_cast<uint64_t>(group.rank() * local_shards + s);
    shard.generator =
        at::make_generator<at::CPUGeneratorImpl>(ShardSeed(options.seed, global_shard));
    if (agent.normalizer()) shard.normalizer.emplace(obs, agent.normalizer()->clip());
  }
  if (merged()) {
    if (options.normalize_rewards) reward_statistics_.emplace(1);
    RestartShardStatistics();
  }
  batch_.observations = torch::zeros({t, n, obs});
  batch_.actions = torch::zeros({t, n, act});
  batch_.log_probs = torch::zeros({t, n});
  batch_.values = torch::zeros({t, n});
  batch_.rewards = torch::zeros({t, n});
  batch_.next_values = torch::zeros({t, n});
  batch_.terminated = torch::zeros({t, n});
  batch_.dones = torch::zeros({t, n});
  next_observations_.resize(n * obs);
  mean_.resize(n * act);
  env_actions_.resize(n * act);
  final_observations_.resize(n * obs);
  final_values_.resize(n);
  dones_.resize(n);
  truncated_.resize(t * n);
  truncation_values_.resize(t * n);
}

void Rollout::Start() {
  env_.Reset();
  ObserveNext(/*update_statistics=*/true);
}

void Rollout::ObserveNext(bool update_statistics) {
  const int obs = env_.observation_size();
  for (int s = 0; s < local_shards(); ++s) {
    const float* rows = env_.observations() + static_cast<size_t>(s) * shard_envs_ * obs;
    Shard& shard = shards_[s];
    if (update_statistics && !merged()) agent_.UpdateNormalizer(rows, shard_envs_);
    if (update_statistics && shard.normalizer) {
      shard.normalizer->Update(rows, shard_envs_);
      shard.new_observations->Update(rows, shard_envs_);
    }
    Normalize(s, env_.observations(), next_observations_.data());
  }
}

void Rollout::Normalize(int s, const float* raw, float* normalized) const {
  const size_t offset = static_cast<size_t>(s) * shard_envs_ * env_.observation_size();
  const std::optional<ObservationNormalizer>& normalizer =
      merged() ? shards_[s].normalizer : agent_.normalizer();
  if (normalizer) {
    normalizer->Normalize(raw + offset, shard_envs_, normalized + offset);
  } else {
    std::copy_n(raw + offset, static_cast<size_t>(shard_envs_) * env_.observation_size(),
                normalized + offset);
  }
}

void Rollout::Value(const float* observations, float* values) {
  const ActorCritic& model = agent_.model();
  const int obs = env_.observation_size();
  for (int s = 0; s < local_shards(); ++s) {
    const size_t first = static_cast<size_t>(s) * shard_envs_;
    model->flat().critic().Forward(model->flat_parameters() + model->flat().critic_offset(),
                                   observations + first * obs, shard_envs_, critic_cache_,
                                   values + first);
  }
}

const RolloutBatch& Rollout::Collect(at::Generator& generator) {
  const auto start = std::chrono::steady_clock::now();
  double stepping = 0.0;
  const ActorCritic& model = agent_.model();
  const FlatActorCritic& net = model->flat();
  const float* params = model->flat_parameters();
  const int n = env_.num_envs(), obs = env_.observation_size(), act = env_.action_size();
  const int m = shard_envs_;
  const float* log_std = params + net.log_std_offset();
  std::vector<float> action_std(act);
  for (int d = 0; d < act; ++d) action_std[d] = std::exp(log_std[d]);
  // each shard's action noise for the whole rollout in one draw
  std::vector<torch::Tensor> noise;
  for (Shard& shard : shards_) {
    noise.push_back(torch::randn({options_.num_steps, m, act},
                                 merged() ? *shard.generator : generator, torch::kFloat32));
  }

  for (int t = 0; t < options_.num_steps; ++t) {
    float* observations = Row(batch_.observations, t);
    float* actions = Row(batch_.actions, t);
    float* log_probs = Row(batch_.log_probs, t);
    std::copy(next_observations_.begin(), next_observations_.end(), observations);

    // sample around the mean; the environment gets the sample clipped to the bounds
    for (int s = 0; s < local_shards(); ++s) {
      const size_t first = static_cast<size_t>(s) * m;
      const float* step_noise = noise[s].data_ptr<float>() + static_cast<size_t>(t) * m * act;
      float* shard_actions = actions + first * act;
      float* shard_mean = mean_.data() + first * act;
      net.actor().Forward(params, observations + first * obs, m, actor_cache_, shard_mean);
      for (int k = 0; k < m * act; ++k) {
        shard_actions[k] = shard_mean[k] + action_std[k % act] * step_noise[k];
      }
      for (int i = 0; i < m; ++i) {
        log_probs[first + i] = static_cast<float>(
            GaussianLogDensity(shard_actions + i * act, shard_mean + i * act, log_std, act));
      }
    }
    Value(observations, Row(batch_.values, t));
    std::copy_n(actions, n * act, env_actions_.data());
    agent_.ClipActions(env_actions_.data(), n);
    {
      const auto step_start = std::chrono::steady_clock::now();
      env_.Step(env_actions_.data());
      stepping += Seconds(step_start);
    }

    // record the outcome
    const uint8_t* terminated = env_.terminated();
    const uint8_t* truncated = env_.truncated();
    float* step_terminated = Row(batch_.terminated, t);
    float* step_dones = Row(batch_.dones, t);
    uint8_t* dones = dones_.data();
    for (int i = 0; i < n; ++i) {
      dones[i] = terminated[i] || truncated[i];
      step_terminated[i] = terminated[i] ? 1.0f : 0.0f;
      step_dones[i] = dones[i] ? 1.0f : 0.0f;
    }
    float* rewards = Row(batch_.rewards, t);
    for (int s = 0; s < local_shards(); ++s) {
      const size_t first = static_cast<size_t>(s) * m;
      Shard& shard = shards_[s];
      if (shard.reward_scaler) {
        shard.reward_scaler->Scale(env_.rewards() + first, dones + first, rewards + first,
                                   shard.new_returns ? &*shard.new_returns : nullptr);
      } else {
        std::copy_n(env_.rewards() + first, m, rewards + first);
      }
    }

    // time-limited episodes are bootstrapped from their final observations
    uint8_t* step_truncated = truncated_.data() + static_cast<size_t>(t) * n;
    std::copy_n(truncated, n, step_truncated);
    if (std::any_of(truncated, truncated + n, [](uint8_t x) { return x != 0; })) {
      for (int s = 0; s < local_shards(); ++s) {
        Normalize(s, env_.final_observations(), final_observations_.data());
      }
      Value(final_observations_.data(), truncation_values_.data() + static_cast<size_t>(t) * n);
    }
    ObserveNext(/*update_statistics=*/true);
  }

  // V of the observation after each step: of the final observation where truncated
  const int steps = options_.num_steps;
  Value(next_observations_.data(), final_values_.data());
  for (int t = 0; t < steps; ++t) {
    float* next_values = Row(batch_.next_values, t);
    const float* following = t + 1 < steps ? Row(batch_.values, t + 1) : final_values_.data();
    const size_t row = static_cast<size_t>(t) * n;
    for (int i = 0; i < n; ++i) {
      next_values[i] = truncated_[row + i] ? truncation_values_[row + i] : following[i];
    }
  }
  AddPhaseTime("environment stepping", stepping);
  AddPhaseTime("policy inference and rollout storage", Seconds(start) - stepping);
  if (merged()) {
    MergeStatistics();
    ObserveNext(/*update_statistics=*/false);
  }
  return batch_;
}

void Rollout::MergeStatistics() {
  std::vector<double> mine;
  for (const Shard& shard : shards_) {
    for (const std::optional<RunningMeanStd>& part : {shard.new_observations, shard.new_returns}) {
      if (!part) continue;
      const std::vector<double> packed = part->Pack();
      mine.insert(mine.end(), packed.begin(), packed.end());
    }
  }
  std::vector<uint8_t> bytes(mine.size() * sizeof(double));
  std::memcpy(bytes.data(), mine.data(), bytes.size());
  const int obs = env_.observation_size();
  RunningMeanStd observations(obs, 0.0), returns(1, 0.0);
  for (const std::vector<uint8_t>& rank_bytes : group_.AllGather(bytes)) {
    std::vector<double> packed(rank_bytes.size() / sizeof(double));
    std::memcpy(packed.data(), rank_bytes.data(), rank_bytes.size());
    const double* p = packed.data();
    for (int s = 0; s < local_shards(); ++s) {
      if (agent_.normalizer()) {
        observations.Unpack(p);
        agent_.normalizer()->Combine(observations);
        p += 1 + 2 * obs;
      }
      if (reward_statistics_) {
        returns.Unpack(p);
        reward_statistics_->Combine(returns);
        p += 3;
      }
    }
  }
  RestartShardStatistics();
}

void Rollout::RestartShardStatistics() {
  for (Shard& shard : shards_) {
    if (shard.normalizer) {
      shard.normalizer->CopyFrom(agent_.normalizer()->statistics());
      shard.new_observations.emplace(env_.observation_size(), 0.0);
    }
    if (shard.reward_scaler) {
      shard.reward_scaler->statistics().CopyFrom(*reward_statistics_);
      shard.new_returns.emplace(1, 0.0);
    }
  }
}

void Rollout::Save(torch::serialize::OutputArchive& archive) const {
  WriteBytes(archive, "environments", env_.SaveState());
  if (!merged()) {
    if (shards_[0].reward_scaler) {
      torch::serialize::OutputArchive scaler(archive.compilation_unit());
      shards_[0].reward_scaler->Save(scaler);
      archive.write("reward_scaler", scaler);
    }
    return;
  }
  // saved at an update boundary, where every shard's statistics are the merged ones
  if (reward_statistics_) {
    torch::serialize::OutputArchive statistics(archive.compilation_unit());
    reward_statistics_->Save(statistics);
    archive.write("reward_statistics", statistics);
  }
  for (int s = 0; s < local_shards(); ++s) {
    torch::serialize::OutputArchive section(archive.compilation_unit());
    WriteGenerator(section, "generator", *shards_[s].generator);
    if (shards_[s].reward_scaler) shards_[s].reward_scaler->Save(section);
    archive.write(fmt::format("shard_{}", s), section);
  }
}

void Rollout::Load(torch::serialize::InputArchive& archive) {
  env_.LoadState(ReadBytes(archive, "environments"));
  if (!merged()) {
    if (shards_[0].reward_scaler) {
      torch::serialize::InputArchive scaler = ReadNested(archive, "reward_scaler");
      shards_[0].reward_scaler->Load(scaler);
    }
  } else {
    if (reward_statistics_) {
      torch::serialize::InputArchive statistics = ReadNested(archive, "reward_statistics");
      reward_statistics_->Load(statistics);
    }
    for (int s = 0; s < local_shards(); ++s) {
      torch::serialize::InputArchive section = ReadNested(archive, fmt::format("shard_{}", s));
      ReadGenerator(section, "generator", *shards_[s].generator);
      if (shards_[s].reward_scaler) shards_[s].reward_scaler->Load(section);
    }
    RestartShardStatistics();
  }
  // the statistics are those the observations were normalized with before saving
  ObserveNext(/*update_statistics=*/false);
}

}  // namespace stride::algorithms
