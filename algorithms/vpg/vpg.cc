#include "algorithms/vpg/vpg.h"

#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>

#include "algorithms/common/agent.h"
#include "algorithms/common/flat_adam.h"
#include "algorithms/common/gae.h"
#include "algorithms/common/rollout.h"
#include "algorithms/common/sharded_gradient.h"
#include "algorithms/common/training.h"
#include "stride/error.h"
#include "stride/param_binding.h"

namespace stride::algorithms::vpg {
namespace {

constexpr char kName[] = "vpg";

// the agent's options, its layers initialized as config.init says
AgentOptions VpgAgentOptions(const VpgConfig& config) {
  AgentOptions options = AgentOptionsOf(config.agent);
  options.network.init = ParseInitialization(config.init);
  return options;
}

// every parameter, bound to its field of VpgConfig
const ParamBindings<VpgConfig>& VpgTable() {
  using C = VpgConfig;
  constexpr std::nullopt_t kNone = std::nullopt;
  static const auto* table = new ParamBindings<C>(Concat(
      Concat(
          ParamBindings<C>{
              InRange(Bind(&C::pi_lr, "pi_lr", "Adam step size of the policy"), 0.0, 1.0),
              InRange(Bind(&C::vf_lr, "vf_lr", "Adam step size of the value function"), 0.0, 1.0),
              InRange(Bind(&C::train_v_iters, "train_v_iters",
                           "value function regression steps on the whole batch per update"),
                      1, kNone),
              Bind(&C::anneal_lr, "anneal_lr",
                   "decay both step sizes linearly to zero over the run"),
              InRange(Bind(&C::num_steps, "num_steps",
                           "steps per environment in one rollout; a batch is num_envs * num_steps"),
                      1, kNone),
              InRange(Bind(&C::gamma, "gamma", "discount factor"), 0.0, 1.0),
              InRange(Bind(&C::gae_lambda, "gae_lambda", "GAE lambda of the advantage estimates"),
                      0.0, 1.0),
              Bind(&C::norm_adv, "norm_adv", "standardize advantages over the batch"),
          },
          Nest(&C::agent, AgentParamTable())),
      ParamBindings<C>{
          OneOf(Bind(&C::init, "init",
                     "initialization of the layers: torch_default (Spinning Up's) or orthogonal "
                     "(PPO's)"),
                {"torch_default", "orthogonal"}),
      }));
  return *table;
}

}  // namespace

VpgConfig VpgConfig::FromParams(const Params& params) { return ReadConfig(VpgTable(), params); }

std::vector<ParamSpec> VpgParams() { return SpecsOf(VpgTable()); }

LossAndGradient PolicyGradient(double log_prob, double advantage) {
  return {-log_prob * advantage, -advantage};
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
  Agent agent(VpgAgentOptions(c), env.observation_space(), env.action_space(), generator);
  ActorCritic& model = agent.model();
  const FlatActorCritic& net = model->flat();
  FlatAdam pi_optimizer(0, net.critic_offset());
  FlatAdam vf_optimizer(net.critic_offset(), net.num_parameters());
  Rollout rollout(RolloutOptionsOf(c.num_steps, c.gamma, c.agent), env, agent);
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
  // statistics the losses sum over the batch
  enum Sum { kPolicyLoss, kValueLoss, kApproxKl, kNumSums };
  ShardedGradient gradient(net, kNumSums, UpdateThreads(env));
  std::vector<int64_t> everything(batch_size);
  for (int64_t i = 0; i < batch_size; ++i) everything[i] = i;
  std::vector<float> b_advantages(batch_size);
  const int act = net.action_size();
  const int rows = static_cast<int>(batch_size);
  const double b = static_cast<double>(batch_size);

  for (int64_t update = state.update + 1; update <= num_updates; ++update) {
    // annealing the learning rates
    const double frac = c.anneal_lr ? 1.0 - static_cast<double>(update - 1) / num_updates : 1.0;

    // ====================== rollout ======================
    const RolloutBatch& batch = rollout.Collect(generator);
    const int64_t global_step = state.global_step + batch_size;

    // ===================== advantages =====================
    const torch::Tensor advantages =
        ComputeGae(batch.rewards, batch.values, batch.next_values, batch.terminated, batch.dones,
                   c.gamma, c.gae_lambda);
    const torch::Tensor returns = advantages + batch.values;
    GatherAdvantages(advantages.data_ptr<float>(), everything.data(), batch_size, c.norm_adv,
                     b_advantages.data());
    const float* b_observations = batch.observations.data_ptr<float>();
    const float* b_actions = batch.actions.data_ptr<float>();
    const float* b_log_probs = batch.log_probs.data_ptr<float>();
    const float* b_returns = returns.data_ptr<float>();
    float* params = model->flat_parameters();
    const float* log_std = params + net.log_std_offset();

    // ======================= update =======================
    // one policy gradient step on the whole batch: the surrogate -mean(log pi(a|s) A)
    auto policy_loss = [&](LossShard& shard) {
      for (int r = 0; r < shard.rows; ++r) {
        const int64_t i = shard.index[r];
        const float* mean = shard.mean + r * act;
        const LossAndGradient surrogate = PolicyGradient(
            GaussianLogDensity(b_actions + i * act, mean, log_std, act), b_advantages[i]);
        shard.sums[kPolicyLoss] += surrogate.loss;
        const double d_log_prob = surrogate.gradient / b;
        GaussianLogDensityBackward(b_actions + i * act, mean, log_std, act, d_log_prob,
                                   shard.d_mean + r * act, shard.d_log_std);
      }
    };
    const double entropy = GaussianEntropy(log_std, act);
    const std::vector<float>& policy_gradient =
        gradient.Compute(params, b_observations, everything.data(), rows, /*actor=*/true,
                         /*critic=*/false, policy_loss);
    const double policy_loss_value = gradient.sums()[kPolicyLoss] / b;
    pi_optimizer.Step(params, policy_gradient.data(), frac * c.pi_lr);

    // the value function regressed on the returns
    auto value_loss = [&](LossShard& shard) {
      for (int r = 0; r < shard.rows; ++r) {
        const double error = shard.values[r] - b_returns[shard.index[r]];
        shard.sums[kValueLoss] += 0.5 * error * error;
        shard.d_values[r] = static_cast<float>(error / b);
      }
    };
    double value_loss_sum = 0.0;
    for (int i = 0; i < c.train_v_iters; ++i) {
      const std::vector<float>& value_gradient =
          gradient.Compute(params, b_observations, everything.data(), rows, /*actor=*/false,
                           /*critic=*/true, value_loss);
      value_loss_sum += gradient.sums()[kValueLoss] / b;
      vf_optimizer.Step(params, value_gradient.data(), frac * c.vf_lr);
    }

    // how far the step moved the policy: k3 estimator of KL(old || new)
    auto kl = [&](LossShard& shard) {
      for (int r = 0; r < shard.rows; ++r) {
        const int64_t i = shard.index[r];
        const double log_ratio =
            GaussianLogDensity(b_actions + i * act, shard.mean + r * act, log_std, act) -
            b_log_probs[i];
        shard.sums[kApproxKl] += (std::exp(log_ratio) - 1.0) - log_ratio;
      }
    };
    const double approx_kl =
        gradient.Evaluate(params, b_observations, everything.data(), rows, /*actor=*/true,
                          /*critic=*/false, kl)[kApproxKl] /
        b;

    // ======================= logging =======================
    const Metrics losses = {{"policy_loss", policy_loss_value},
                            {"value_loss", value_loss_sum / c.train_v_iters},
                            {"entropy", entropy},
                            {"approx_kl", approx_kl}};
    CheckFinite(update, losses, model);
    Metrics metrics = losses;
    metrics.emplace_back("explained_variance",
                         ExplainedVariance(batch.values.reshape({-1}), returns.reshape({-1})));
    metrics.emplace_back("learning_rate", frac * c.pi_lr);

    // metrics logged, then evaluation and checkpoints at the update boundary
    if (EndAgentUpdate(update, global_step, metrics, context, state)) return;
  }
}

void Vpg::ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                       const std::string& config_toml) {
  ExportCheckpointPolicy(kName, VpgAgentOptions(config_), checkpoint_path, policy_path,
                         config_toml);
}

}  // namespace stride::algorithms::vpg
