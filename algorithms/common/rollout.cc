#include "algorithms/common/rollout.h"

#include <algorithm>

#include "algorithms/common/checkpoint.h"

namespace stride::algorithms {
namespace {

torch::Tensor Wrap(const float* data, int64_t n) {
  return torch::from_blob(const_cast<float*>(data), {n}, torch::kFloat32);
}

torch::Tensor Wrap(const uint8_t* data, int64_t n) {
  return torch::from_blob(const_cast<uint8_t*>(data), {n}, torch::kUInt8);
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
  next_observations_ = torch::zeros({n, obs});
  env_actions_ = torch::zeros({n, act});
  truncated_ = torch::zeros({t, n});
  truncation_values_ = torch::zeros({t, n});
}

void Rollout::Start() {
  env_.Reset();
  ObserveNext(/*update_statistics=*/true);
}

void Rollout::ObserveNext(bool update_statistics) {
  const torch::Tensor raw =
      torch::from_blob(const_cast<float*>(env_.observations()),
                       {env_.num_envs(), env_.observation_size()}, torch::kFloat32);
  if (update_statistics) agent_.UpdateNormalizer(raw);
  next_observations_.copy_(agent_.Normalize(raw));
}

const RolloutBatch& Rollout::Collect(at::Generator& generator) {
  torch::InferenceMode inference;
  ActorCritic& model = agent_.model();
  const int64_t n = env_.num_envs();
  const torch::Tensor action_std = torch::exp(model->log_std());
  truncated_.zero_();
  truncation_values_.zero_();
  for (int t = 0; t < options_.num_steps; ++t) {
    // sample around the mean; the environment gets the sample clipped to the bounds
    const torch::Tensor mean = model->ActionMean(next_observations_);
    const torch::Tensor action =
        mean + action_std * torch::randn(mean.sizes(), generator, torch::kFloat32);
    batch_.observations[t].copy_(next_observations_);
    batch_.actions[t].copy_(action);
    batch_.log_probs[t].copy_(GaussianLogProb(action, mean, model->log_std()));
    batch_.values[t].copy_(model->Value(next_observations_));
    env_actions_.copy_(agent_.ClipActions(action));
    env_.Step(env_actions_.data_ptr<float>());

    // record the outcome
    const torch::Tensor rewards = Wrap(env_.rewards(), n);
    const torch::Tensor terminated = Wrap(env_.terminated(), n);
    const torch::Tensor truncated = Wrap(env_.truncated(), n);
    const torch::Tensor dones = torch::logical_or(terminated, truncated);
    batch_.terminated[t].copy_(terminated);
    batch_.dones[t].copy_(dones);
    batch_.rewards[t].copy_(reward_scaler_ ? reward_scaler_->Scale(rewards, dones) : rewards);

    // time-limited episodes are bootstrapped from their final observations
    if (std::any_of(env_.truncated(), env_.truncated() + n, [](uint8_t x) { return x != 0; })) {
      const torch::Tensor final_observations =
          torch::from_blob(const_cast<float*>(env_.final_observations()),
                           {n, env_.observation_size()}, torch::kFloat32);
      truncated_[t].copy_(truncated);
      truncation_values_[t].copy_(model->Value(agent_.Normalize(final_observations)));
    }
    ObserveNext(/*update_statistics=*/true);
  }

  // V of the observation after each step
  const int64_t steps = options_.num_steps;
  batch_.next_values.slice(0, 0, steps - 1).copy_(batch_.values.slice(0, 1));
  batch_.next_values[steps - 1].copy_(model->Value(next_observations_));
  batch_.next_values.copy_(
      torch::where(truncated_.to(torch::kBool), truncation_values_, batch_.next_values));
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
