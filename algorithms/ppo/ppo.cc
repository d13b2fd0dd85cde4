#include "algorithms/ppo/ppo.h"

#include <utility>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "algorithms/common/agent.h"
#include "algorithms/common/gae.h"
#include "algorithms/common/rollout.h"
#include "algorithms/common/training.h"
#include "stride/error.h"

namespace stride::algorithms::ppo {
namespace {

constexpr char kName[] = "ppo";

}  // namespace

PpoConfig PpoConfig::FromParams(const Params& params) {
  PpoConfig config;
  config.learning_rate = params.GetDouble("learning_rate");
  config.anneal_lr = params.GetBool("anneal_lr");
  config.num_steps = static_cast<int>(params.GetInt("num_steps"));
  config.gamma = params.GetDouble("gamma");
  config.gae_lambda = params.GetDouble("gae_lambda");
  config.num_minibatches = static_cast<int>(params.GetInt("num_minibatches"));
  config.update_epochs = static_cast<int>(params.GetInt("update_epochs"));
  config.norm_adv = params.GetBool("norm_adv");
  config.clip_epsilon = params.GetDouble("clip_epsilon");
  config.clip_vloss = params.GetBool("clip_vloss");
  config.vf_coef = params.GetDouble("vf_coef");
  config.ent_coef = params.GetDouble("ent_coef");
  config.max_grad_norm = params.GetDouble("max_grad_norm");
  config.target_kl = params.GetDouble("target_kl");
  ReadAgentParams(params, config);
  return config;
}

std::vector<ParamSpec> PpoParams() {
  const PpoConfig d;
  constexpr std::nullopt_t kNone = std::nullopt;
  std::vector<ParamSpec> params = {
      InRange(DoubleParam("learning_rate", d.learning_rate, "Adam step size"), 0.0, 1.0),
      BoolParam("anneal_lr", d.anneal_lr, "decay the step size linearly to zero over the run"),
      InRange(IntParam("num_steps", d.num_steps,
                       "steps per environment in one rollout; a batch is num_envs * num_steps"),
              1, kNone),
      InRange(DoubleParam("gamma", d.gamma, "discount factor"), 0.0, 1.0),
      InRange(DoubleParam("gae_lambda", d.gae_lambda, "GAE lambda of the advantage estimates"), 0.0,
              1.0),
      InRange(IntParam("num_minibatches", d.num_minibatches,
                       "minibatches per epoch; must divide num_envs * num_steps"),
              1, kNone),
      InRange(IntParam("update_epochs", d.update_epochs, "passes over the batch per update"), 1,
              kNone),
      BoolParam("norm_adv", d.norm_adv, "standardize advantages within each minibatch"),
      InRange(DoubleParam("clip_epsilon", d.clip_epsilon,
                          "probability ratios are clipped to [1 - clip_epsilon, 1 + clip_epsilon]"),
              0.0, 1.0),
      BoolParam("clip_vloss", d.clip_vloss, "clip the value loss around the rollout's values"),
      InRange(DoubleParam("vf_coef", d.vf_coef, "c1: weight of the value loss"), 0.0, kNone),
      InRange(DoubleParam("ent_coef", d.ent_coef, "c2: weight of the entropy bonus"), 0.0, kNone),
      InRange(DoubleParam("max_grad_norm", d.max_grad_norm,
                          "clip the global gradient norm to this (0: no clipping)"),
              0.0, kNone),
      InRange(DoubleParam("target_kl", d.target_kl,
                          "stop the epochs early when the approximate KL exceeds this (0: never)"),
              0.0, kNone),
  };
  for (ParamSpec& spec : AgentParamSpecs(d)) params.push_back(std::move(spec));
  return params;
}

torch::Tensor ClippedSurrogateLoss(const torch::Tensor& ratio, const torch::Tensor& advantages,
                                   double clip_epsilon) {
  const torch::Tensor unclipped = -advantages * ratio;
  const torch::Tensor clipped =
      -advantages * torch::clamp(ratio, 1.0 - clip_epsilon, 1.0 + clip_epsilon);
  return torch::max(unclipped, clipped).mean();
}

torch::Tensor ValueLoss(const torch::Tensor& values, const torch::Tensor& old_values,
                        const torch::Tensor& returns, double clip_epsilon, bool clip_vloss) {
  const torch::Tensor unclipped = (values - returns).square();
  if (!clip_vloss) return 0.5 * unclipped.mean();
  const torch::Tensor clipped =
      old_values + torch::clamp(values - old_values, -clip_epsilon, clip_epsilon);
  return 0.5 * torch::max(unclipped, (clipped - returns).square()).mean();
}

Ppo::Ppo(PpoConfig config) : config_(std::move(config)) {}

void Ppo::Train(TrainContext& context) {
  const PpoConfig& c = config_;
  VecEnv& env = context.env();
  const int64_t batch_size = static_cast<int64_t>(c.num_steps) * env.num_envs();
  if (batch_size % c.num_minibatches != 0) {
    throw ConfigError(
        fmt::format("ppo: num_minibatches = {} does not divide the batch of num_envs * num_steps = "
                    "{} * {} = {} steps",
                    c.num_minibatches, env.num_envs(), c.num_steps, batch_size));
  }
  const int64_t minibatch_size = batch_size / c.num_minibatches;
  if (c.norm_adv && minibatch_size < 2) {
    throw ConfigError(
        fmt::format("ppo: norm_adv needs minibatches of at least 2 steps, num_envs * num_steps / "
                    "num_minibatches = {}",
                    minibatch_size));
  }
  const int64_t num_updates = NumUpdates(context.total_steps(), batch_size);

  // agent, optimizer and rollout storage, all drawing from one generator seeded by the run
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(context.seed());
  Agent agent(AgentOptionsOf(c), env.observation_space(), env.action_space(), generator);
  ActorCritic& model = agent.model();
  torch::optim::Adam optimizer(model->parameters(),
                               torch::optim::AdamOptions(c.learning_rate).eps(1e-5));
  Rollout rollout(RolloutOptionsOf(c), env, agent);
  TrainingState state{kName, &agent, &rollout, &generator, {{"optimizer", &optimizer}}};
  if (context.resume_path().empty()) {
    rollout.Start();
  } else {
    LoadCheckpoint(context.resume_path(), state);
  }

  for (int64_t update = state.update + 1; update <= num_updates; ++update) {
    // annealing the learning rate
    const double frac = c.anneal_lr ? 1.0 - static_cast<double>(update - 1) / num_updates : 1.0;
    const double learning_rate = frac * c.learning_rate;
    SetLearningRate(optimizer, learning_rate);

    // ====================== rollout ======================
    const RolloutBatch& batch = rollout.Collect(generator);
    const int64_t global_step = state.global_step + batch_size;

    // ===================== advantages =====================
    const torch::Tensor advantages =
        ComputeGae(batch.rewards, batch.values, batch.next_values, batch.terminated, batch.dones,
                   c.gamma, c.gae_lambda);
    const torch::Tensor returns = advantages + batch.values;
    const torch::Tensor b_observations = batch.observations.reshape({batch_size, -1});
    const torch::Tensor b_actions = batch.actions.reshape({batch_size, -1});
    const torch::Tensor b_log_probs = batch.log_probs.reshape({batch_size});
    const torch::Tensor b_advantages = advantages.reshape({batch_size});
    const torch::Tensor b_returns = returns.reshape({batch_size});
    const torch::Tensor b_values = batch.values.reshape({batch_size});

    // ======================= update =======================
    double policy_loss_sum = 0.0, value_loss_sum = 0.0, entropy_sum = 0.0;
    double approx_kl_sum = 0.0, clip_fraction_sum = 0.0, approx_kl = 0.0;
    int64_t minibatches = 0;
    for (int epoch = 0; epoch < c.update_epochs; ++epoch) {
      const torch::Tensor order = torch::randperm(batch_size, generator, torch::kLong);
      for (int64_t start = 0; start < batch_size; start += minibatch_size) {
        const torch::Tensor index = order.slice(0, start, start + minibatch_size);
        const torch::Tensor observations = b_observations.index_select(0, index);
        const torch::Tensor mean = model->ActionMean(observations);
        const torch::Tensor new_log_probs =
            GaussianLogProb(b_actions.index_select(0, index), mean, model->log_std());
        const torch::Tensor entropy = GaussianEntropy(model->log_std());
        const torch::Tensor new_values = model->Value(observations);
        const torch::Tensor log_ratio = new_log_probs - b_log_probs.index_select(0, index);
        const torch::Tensor ratio = log_ratio.exp();
        {
          // k3 estimator of KL(old || new) (Schulman 2020)
          torch::NoGradGuard no_grad;
          approx_kl = ((ratio - 1.0) - log_ratio).mean().item<double>();
          clip_fraction_sum +=
              ((ratio - 1.0).abs() > c.clip_epsilon).to(torch::kFloat32).mean().item<double>();
        }

        torch::Tensor minibatch_advantages = b_advantages.index_select(0, index);
        if (c.norm_adv) {
          minibatch_advantages = (minibatch_advantages - minibatch_advantages.mean()) /
                                 (minibatch_advantages.std() + 1e-8);
        }
        const torch::Tensor policy_loss =
            ClippedSurrogateLoss(ratio, minibatch_advantages, c.clip_epsilon);
        const torch::Tensor value_loss =
            ValueLoss(new_values, b_values.index_select(0, index), b_returns.index_select(0, index),
                      c.clip_epsilon, c.clip_vloss);
        // L = L_clip - c1 L_VF + c2 S, maximised: minimise its negation
        const torch::Tensor loss = policy_loss - c.ent_coef * entropy + c.vf_coef * value_loss;

        optimizer.zero_grad();
        loss.backward();
        if (c.max_grad_norm > 0.0) {
          torch::nn::utils::clip_grad_norm_(model->parameters(), c.max_grad_norm);
        }
        optimizer.step();

        policy_loss_sum += policy_loss.item<double>();
        value_loss_sum += value_loss.item<double>();
        entropy_sum += entropy.item<double>();
        approx_kl_sum += approx_kl;
        ++minibatches;
      }
      if (c.target_kl > 0.0 && approx_kl > c.target_kl) break;
    }

    // ======================= logging =======================
    const double n = static_cast<double>(minibatches);
    const Metrics losses = {{"policy_loss", policy_loss_sum / n},
                            {"value_loss", value_loss_sum / n},
                            {"entropy", entropy_sum / n},
                            {"approx_kl", approx_kl_sum / n}};
    CheckFinite(update, losses, model);
    Metrics metrics = losses;
    metrics.emplace_back("clip_fraction", clip_fraction_sum / n);
    metrics.emplace_back("explained_variance", ExplainedVariance(b_values, b_returns));
    metrics.emplace_back("learning_rate", learning_rate);

    // metrics logged, then evaluation and checkpoints at the update boundary
    if (FinishUpdate(update, num_updates, global_step, metrics, context, state)) return;
  }
  agent.Export(context.policy_path(), context.config_toml());
}

void Ppo::ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                       const std::string& config_toml) {
  ExportCheckpointPolicy(kName, AgentOptionsOf(config_), checkpoint_path, policy_path, config_toml);
}

}  // namespace stride::algorithms::ppo
