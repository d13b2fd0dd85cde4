#include "algorithms/common/rollout.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "algorithms/common/checkpoint.h"
#include "stride/phase_times.h"

namespace stride::algorithms {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// row t of a contiguous [T, ...] float tensor
float* Row(const torch::Tensor& tensor, int t) {
  return tensor.data_ptr<float>() + t * tensor.stride(0);
}

}  // namespace

Rollout::Rollout(const RolloutOptions& options, VecEnv& env, Agent& agent)
    : options_(options), env_(env), agent_(agent) {
  const int64_t t = options.num_steps, n = env.num_envs();
  const int64_t obs = env.observation_size(), act = env.action_size();
  if (options.normalize_rewards) reward_scaler_.emplace(n, options.gamma, options.reward_clip);
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
  if (update_statistics) agent_.UpdateNormalizer(env_.observations(), env_.num_envs());
  agent_.Normalize(env_.observations(), env_.num_envs(), next_observations_.data());
}

void Rollout::Value(const float* observations, int n, float* values) {
  const ActorCritic& model = agent_.model();
  model->flat().critic().Forward(model->flat_parameters() + model->flat().critic_offset(),
                                 observations, n, cache_, values);
}

const RolloutBatch& Rollout::Collect(at::Generator& generator) {
  const auto start = std::chrono::steady_clock::now();
  double stepping = 0.0;
  const ActorCritic& model = agent_.model();
  const FlatActorCritic& net = model->flat();
  const float* params = model->flat_parameters();
  const int n = env_.num_envs(), act = env_.action_size();
  const float* log_std = params + net.log_std_offset();
  std::vector<float> action_std(act);
  for (int d = 0; d < act; ++d) action_std[d] = std::exp(log_std[d]);
  // the whole rollout's action noise in one draw
  const torch::Tensor noise =
      torch::randn({options_.num_steps, n, act}, generator, torch::kFloat32);

  for (int t = 0; t < options_.num_steps; ++t) {
    float* observations = Row(batch_.observations, t);
    float* actions = Row(batch_.actions, t);
    float* log_probs = Row(batch_.log_probs, t);
    const float* step_noise = noise.data_ptr<float>() + static_cast<size_t>(t) * n * act;
    std::copy(next_observations_.begin(), next_observations_.end(), observations);

    // sample around the mean; the environment gets the sample clipped to the bounds
    net.actor().Forward(params, observations, n, cache_, mean_.data());
    for (int k = 0; k < n * act; ++k) actions[k] = mean_[k] + action_std[k % act] * step_noise[k];
    for (int i = 0; i < n; ++i) {
      log_probs[i] = static_cast<float>(
          GaussianLogDensity(actions + i * act, mean_.data() + i * act, log_std, act));
    }
    Value(observations, n, Row(batch_.values, t));
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
    if (reward_scaler_) {
      reward_scaler_->Scale(env_.rewards(), dones, rewards);
    } else {
      std::copy_n(env_.rewards(), n, rewards);
    }

    // time-limited episodes are bootstrapped from their final observations
    uint8_t* step_truncated = truncated_.data() + static_cast<size_t>(t) * n;
    std::copy_n(truncated, n, step_truncated);
    if (std::any_of(truncated, truncated + n, [](uint8_t x) { return x != 0; })) {
      agent_.Normalize(env_.final_observations(), n, final_observations_.data());
      Value(final_observations_.data(), n, truncation_values_.data() + static_cast<size_t>(t) * n);
    }
    ObserveNext(/*update_statistics=*/true);
  }

  // V of the observation after each step: of the final observation where truncated
  const int steps = options_.num_steps;
  Value(next_observations_.data(), n, final_values_.data());
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
  return batch_;
}

void Rollout::Save(torch::serialize::OutputArchive& archive) const {
  WriteBytes(archive, "environments", env_.SaveState());
  if (reward_scaler_) {
    torch::serialize::OutputArchive scaler(archive.compilation_unit());
    reward_scaler_->Save(scaler);
    archive.write("reward_scaler", scaler);
  }
}

void Rollout::Load(torch::serialize::InputArchive& archive) {
  env_.LoadState(ReadBytes(archive, "environments"));
  if (reward_scaler_) {
    torch::serialize::InputArchive scaler = ReadNested(archive, "reward_scaler");
    reward_scaler_->Load(scaler);
  }
  // the statistics are those the observations were normalized with before saving
  ObserveNext(/*update_statistics=*/false);
}

}  // namespace stride::algorithms
