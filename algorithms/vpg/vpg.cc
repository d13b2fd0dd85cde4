#include "algorithms/vpg/vpg.h"

#include <optional>
#include <utility>

#include <ATen/CPUGeneratorImpl.h>

#include "algorithms/common/agent.h"
#include "algorithms/common/gae.h"
#include "algorithms/common/rollout.h"
#include "algorithms/common/training.h"
#include "stride/error.h"

namespace stride::algorithms::vpg {
namespace {

constexpr char kName[] = "vpg";

}  // namespace

VpgConfig VpgConfig::FromParams(const Params& params) {
  VpgConfig config;
  config.pi_lr = params.GetDouble("pi_lr");
  config.vf_lr = params.GetDouble("vf_lr");
  config.train_v_iters = static_cast<int>(params.GetInt("train_v_iters"));
  config.anneal_lr = params.GetBool("anneal_lr");
  config.num_steps = static_cast<int>(params.GetInt("num_steps"));
  config.gamma = params.GetDouble("gamma");
  config.gae_lambda = params.GetDouble("gae_lambda");
  config.norm_adv = params.GetBool("norm_adv");
  ReadAgentParams(params, config);
  return config;
}

std::vector<ParamSpec> VpgParams() {
  const VpgConfig d;
  constexpr std::nullopt_t kNone = std::nullopt;
  std::vector<ParamSpec> params = {
      InRange(DoubleParam("pi_lr", d.pi_lr, "Adam step size of the policy"), 0.0, 1.0),
      InRange(DoubleParam("vf_lr", d.vf_lr, "Adam step size of the value function"), 0.0, 1.0),
      InRange(IntParam("train_v_iters", d.train_v_iters,
                       "value function regression steps on the whole batch per update"),
              1, kNone),
      BoolParam("anneal_lr", d.anneal_lr, "decay both step sizes linearly to zero over the run"),
      InRange(IntParam("num_steps", d.num_steps,
                       "steps per environment in one rollout; a batch is num_envs * num_steps"),
              1, kNone),
      InRange(DoubleParam("gamma", d.gamma, "discount factor"), 0.0, 1.0),
      InRange(DoubleParam("gae_lambda", d.gae_lambda, "GAE lambda of the advantage estimates"), 0.0,
              1.0),
      BoolParam("norm_adv", d.norm_adv, "standardize advantages over the batch"),
  };
  for (ParamSpec& spec : AgentParamSpecs(d)) params.push_back(std::move(spec));
  return params;
}

torch::Tensor PolicyGradientLoss(const torch::Tensor& log_probs, const torch::Tensor& advantages) {
  return -(log_probs * advantages).mean();
}

Vpg::Vpg(VpgConfig config) : config_(std::move(config)) {}

void Vpg::Train(TrainContext& context) {
  const VpgConfig& c = config_;
  VecEnv& env = context.env();
  const int64_t batch_size = static_cast<int64_t>(c.num_steps) * env.num_envs();
  if (c.norm_adv && batch_size < 2) {
    throw ConfigError("vpg: norm_adv needs batches of at least 2 steps (num_envs * num_steps)");
  }
  const int64_t num_updates = NumUpdates(context.total_steps(), batch_size);

  // agent, one optimizer per network and rollout storage, all drawing from one
  // generator seeded by the run
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(context.seed());
  Agent agent(AgentOptionsOf(c), env.observation_space(), env.action_space(), generator);
  ActorCritic& model = agent.model();
  torch::optim::Adam pi_optimizer(model->policy_parameters(), torch::optim::AdamOptions(c.pi_lr));
  torch::optim::Adam vf_optimizer(model->value_parameters(), torch::optim::AdamOptions(c.vf_lr));
  Rollout rollout(RolloutOptionsOf(c), env, agent);
  TrainingState state{kName,
                      &agent,
                      &rollout,
                      &generator,
                      {{"pi_optimizer", &pi_optimizer}, {"vf_optimizer", &vf_optimizer}}};
  if (context.resume_path().empty()) {
    rollout.Start();
  } else {
    LoadCheckpoint(context.resume_path(), state);
  }

  for (int64_t update = state.update + 1; update <= num_updates; ++update) {
    // annealing the learning rates
    const double frac = c.anneal_lr ? 1.0 - static_cast<double>(update - 1) / num_updates : 1.0;
    SetLearningRate(pi_optimizer, frac * c.pi_lr);
    SetLearningRate(vf_optimizer, frac * c.vf_lr);

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
    const torch::Tensor b_returns = returns.reshape({batch_size});
    const torch::Tensor b_values = batch.values.reshape({batch_size});
    torch::Tensor b_advantages = advantages.reshape({batch_size});
    if (c.norm_adv) {
      b_advantages = (b_advantages - b_advantages.mean()) / (b_advantages.std() + 1e-8);
    }

    // ======================= update =======================
    // one policy gradient step on the whole batch
    const torch::Tensor log_probs =
        GaussianLogProb(b_actions, model->ActionMean(b_observations), model->log_std());
    const torch::Tensor policy_loss = PolicyGradientLoss(log_probs, b_advantages);
    const torch::Tensor entropy = GaussianEntropy(model->log_std());
    pi_optimizer.zero_grad();
    policy_loss.backward();
    pi_optimizer.step();

    // the value function regressed on the returns
    double value_loss_sum = 0.0;
    for (int i = 0; i < c.train_v_iters; ++i) {
      const torch::Tensor value_loss =
          0.5 * (model->Value(b_observations) - b_returns).square().mean();
      vf_optimizer.zero_grad();
      value_loss.backward();
      vf_optimizer.step();
      value_loss_sum += value_loss.item<double>();
    }

    // how far the step moved the policy: k3 estimator of KL(old || new)
    double approx_kl = 0.0;
    {
      torch::NoGradGuard no_grad;
      const torch::Tensor log_ratio =
          GaussianLogProb(b_actions, model->ActionMean(b_observations), model->log_std()) -
          b_log_probs;
      approx_kl = ((log_ratio.exp() - 1.0) - log_ratio).mean().item<double>();
    }

    // ======================= logging =======================
    const Metrics losses = {{"policy_loss", policy_loss.item<double>()},
                            {"value_loss", value_loss_sum / c.train_v_iters},
                            {"entropy", entropy.item<double>()},
                            {"approx_kl", approx_kl}};
    CheckFinite(update, losses, model);
    Metrics metrics = losses;
    metrics.emplace_back("explained_variance", ExplainedVariance(b_values, b_returns));
    metrics.emplace_back("learning_rate", frac * c.pi_lr);

    // metrics logged, then evaluation and checkpoints at the update boundary
    if (FinishUpdate(update, num_updates, global_step, metrics, context, state)) return;
  }
  agent.Export(context.policy_path(), context.config_toml());
}

void Vpg::ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                       const std::string& config_toml) {
  ExportCheckpointPolicy(kName, AgentOptionsOf(config_), checkpoint_path, policy_path, config_toml);
}

}  // namespace stride::algorithms::vpg
