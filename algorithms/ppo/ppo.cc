#include "algorithms/ppo/ppo.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "algorithms/common/agent.h"
#include "algorithms/common/flat_adam.h"
#include "algorithms/common/gae.h"
#include "algorithms/common/rollout.h"
#include "algorithms/common/sharded_gradient.h"
#include "algorithms/common/training.h"
#include "stride/error.h"
#include "stride/param_binding.h"

namespace stride::algorithms::ppo {
namespace {

constexpr char kName[] = "ppo";

// one minibatch's rows of every local data shard: sample u of a shard's
// [num_steps, shard_envs] samples is row (u / shard_envs) * num_envs +
// shard * shard_envs + u % shard_envs of the rank's batch
std::vector<ShardRows> ShardMinibatch(const int64_t* samples, int64_t rows, int shards,
                                      int shard_envs, int num_envs, int64_t* index) {
  std::vector<ShardRows> result;
  for (int s = 0; s < shards; ++s) {
    int64_t* shard_index = index + s * rows;
    for (int64_t k = 0; k < rows; ++k) {
      const int64_t u = samples[k];
      shard_index[k] =
          (u / shard_envs) * num_envs + static_cast<int64_t>(s) * shard_envs + u % shard_envs;
    }
    result.push_back({shard_index, static_cast<int>(rows), static_cast<int>(s * rows)});
  }
  return result;
}

// every parameter, bound to its field of PpoConfig
const ParamBindings<PpoConfig>& PpoTable() {
  using C = PpoConfig;
  constexpr std::nullopt_t kNone = std::nullopt;
  static const auto* table = new ParamBindings<C>(Concat(
      ParamBindings<C>{
          InRange(Bind(&C::learning_rate, "learning_rate", "Adam step size"), 0.0, 1.0),
          Bind(&C::anneal_lr, "anneal_lr", "decay the step size linearly to zero over the run"),
          InRange(Bind(&C::num_steps, "num_steps",
                       "steps per environment in one rollout; a batch is num_envs * num_steps"),
                  1, kNone),
          InRange(Bind(&C::gamma, "gamma", "discount factor"), 0.0, 1.0),
          InRange(Bind(&C::gae_lambda, "gae_lambda", "GAE lambda of the advantage estimates"), 0.0,
                  1.0),
          InRange(Bind(&C::num_minibatches, "num_minibatches",
                       "minibatches per epoch; must divide num_envs * num_steps"),
                  1, kNone),
          InRange(Bind(&C::update_epochs, "update_epochs", "passes over the batch per update"), 1,
                  kNone),
          Bind(&C::norm_adv, "norm_adv", "standardize advantages within each minibatch"),
          InRange(Bind(&C::clip_epsilon, "clip_epsilon",
                       "probability ratios are clipped to [1 - clip_epsilon, 1 + clip_epsilon] "
                       "(a large value: no clipping)"),
                  0.0, kNone),
          Bind(&C::clip_vloss, "clip_vloss", "clip the value loss around the rollout's values"),
          InRange(Bind(&C::vf_coef, "vf_coef", "c1: weight of the value loss"), 0.0, kNone),
          InRange(Bind(&C::ent_coef, "ent_coef", "c2: weight of the entropy bonus"), 0.0, kNone),
          InRange(Bind(&C::max_grad_norm, "max_grad_norm",
                       "clip the global gradient norm to this (0: no clipping)"),
                  0.0, kNone),
          InRange(Bind(&C::target_kl, "target_kl",
                       "stop the epochs early when the approximate KL exceeds this (0: never)"),
                  0.0, kNone),
          InRange(Bind(&C::data_shards, "data_shards",
                       "shards of the environments and minibatches, each with its own action "
                       "noise and statistics merged once per rollout (0: one per rank)"),
                  0, 4096),
      },
      Nest(&C::agent, AgentParamTable())));
  return *table;
}

}  // namespace

PpoConfig PpoConfig::FromParams(const Params& params) { return ReadConfig(PpoTable(), params); }

std::vector<ParamSpec> PpoParams() { return SpecsOf(PpoTable()); }

LossAndGradient ClippedSurrogate(double ratio, double advantage, double clip_epsilon) {
  const double clipped_ratio = std::clamp(ratio, 1.0 - clip_epsilon, 1.0 + clip_epsilon);
  const double unclipped = -advantage * ratio, clipped = -advantage * clipped_ratio;
  // the larger term carries the gradient, half each on a tie; the clipped term
  // only inside the clip range
  const double unclipped_share = unclipped > clipped ? 1.0 : unclipped == clipped ? 0.5 : 0.0;
  const bool inside = ratio >= 1.0 - clip_epsilon && ratio <= 1.0 + clip_epsilon;
  const double gradient = -advantage * (unclipped_share + (inside ? 1.0 - unclipped_share : 0.0));
  return {std::max(unclipped, clipped), gradient};
}

LossAndGradient ValueError(double value, double old_value, double target, double clip_epsilon,
                           bool clip_vloss) {
  const double error = value - target;
  if (!clip_vloss) return {0.5 * error * error, error};
  const double step = value - old_value;
  const double clipped_error = old_value + std::clamp(step, -clip_epsilon, clip_epsilon) - target;
  const double unclipped_sq = error * error, clipped_sq = clipped_error * clipped_error;
  const double unclipped_share = unclipped_sq > clipped_sq    ? 1.0
                                 : unclipped_sq == clipped_sq ? 0.5
                                                              : 0.0;
  const bool inside = step >= -clip_epsilon && step <= clip_epsilon;
  const double gradient =
      unclipped_share * error + (inside ? (1.0 - unclipped_share) * clipped_error : 0.0);
  return {0.5 * std::max(unclipped_sq, clipped_sq), gradient};
}

Ppo::Ppo(PpoConfig config) : config_(std::move(config)) {}

void Ppo::Train(TrainContext& context) {
  const PpoConfig& c = config_;
  VecEnv& env = context.env();
  ProcessGroup& group = context.group();
  // a batch spans the environments of every rank
  const int64_t num_envs = static_cast<int64_t>(env.num_envs()) * group.world_size();
  const int64_t batch_size = static_cast<int64_t>(c.num_steps) * num_envs;
  if (batch_size % c.num_minibatches != 0) {
    throw ConfigError(
        fmt::format("ppo: num_minibatches = {} does not divide the batch of num_envs * num_steps = "
                    "{} * {} = {} steps",
                    c.num_minibatches, num_envs, c.num_steps, batch_size));
  }
  const int64_t minibatch_size = batch_size / c.num_minibatches;
  if (c.norm_adv && minibatch_size < 2) {
    throw ConfigError(
        fmt::format("ppo: norm_adv needs minibatches of at least 2 steps, num_envs * num_steps / "
                    "num_minibatches = {}",
                    minibatch_size));
  }
  const int data_shards = c.data_shards > 0 ? c.data_shards : group.world_size();
  if (minibatch_size % data_shards != 0) {
    throw ConfigError(fmt::format("ppo: data_shards = {} does not divide the minibatch of {} steps",
                                  data_shards, minibatch_size));
  }
  const int64_t num_updates = NumUpdates(context.total_steps(), batch_size);

  // agent, optimizer and rollout storage, all drawing from one generator seeded by the run
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(context.seed());
  Agent agent(AgentOptionsOf(c.agent), env.observation_space(), env.action_space(), generator);
  ActorCritic& model = agent.model();
  const FlatActorCritic& net = model->flat();
  FlatAdam optimizer(0, net.num_parameters(), /*eps=*/1e-5);
  RolloutOptions rollout_options = RolloutOptionsOf(c.num_steps, c.gamma, c.agent);
  rollout_options.data_shards = data_shards;
  rollout_options.seed = context.seed();
  Rollout rollout(rollout_options, env, agent, group);
  TrainingState state{kName, &agent, &rollout, &generator, {{"optimizer", &optimizer}}};
  state.group = &group;
  if (context.resume_path().empty()) {
    rollout.Start();
  } else {
    LoadCheckpoint(context.resume_path(), state);
  }
  // statistics the loss sums over a minibatch
  enum Sum { kPolicyLoss, kValueLoss, kApproxKl, kClipped, kNumSums };
  ShardedGradient gradient(net, kNumSums, UpdateThreads(env));
  std::vector<float> minibatch_advantages(minibatch_size);
  const int act = net.action_size();
  // with data shards, a minibatch takes the same samples of every shard's own
  const int64_t shard_batch = static_cast<int64_t>(c.num_steps) * rollout.shard_envs();
  const int64_t shard_minibatch = minibatch_size / data_shards;
  std::vector<int64_t> shard_index(rollout.local_shards() * shard_batch);

  for (int64_t update = state.update + 1; update <= num_updates; ++update) {
    // annealing the learning rate
    const double frac = c.anneal_lr ? 1.0 - static_cast<double>(update - 1) / num_updates : 1.0;
    const double learning_rate = frac * c.learning_rate;

    // ====================== rollout ======================
    const RolloutBatch& batch = rollout.Collect(generator);
    const int64_t global_step = state.global_step + batch_size;

    // ===================== advantages =====================
    const torch::Tensor advantages =
        ComputeGae(batch.rewards, batch.values, batch.next_values, batch.terminated, batch.dones,
                   c.gamma, c.gae_lambda);
    const torch::Tensor returns = advantages + batch.values;
    const float* b_observations = batch.observations.data_ptr<float>();
    const float* b_actions = batch.actions.data_ptr<float>();
    const float* b_log_probs = batch.log_probs.data_ptr<float>();
    const float* b_advantages = advantages.data_ptr<float>();
    const float* b_returns = returns.data_ptr<float>();
    const float* b_values = batch.values.data_ptr<float>();

    // the loss of one shard of a minibatch, L = L_clip - c1 L_VF + c2 S maximised:
    // its negation's derivatives at the networks' outputs
    const double m = static_cast<double>(minibatch_size);
    const float* log_std = model->flat_parameters() + net.log_std_offset();
    auto loss = [&](LossShard& shard) {
      // the clipped surrogate through the log-density to the mean and log-std
      for (int r = 0; shard.mean != nullptr && r < shard.rows; ++r) {
        const int64_t i = shard.index[r];
        const float* mean = shard.mean + r * act;
        const double log_ratio =
            GaussianLogDensity(b_actions + i * act, mean, log_std, act) - b_log_probs[i];
        const double ratio = std::exp(log_ratio);
        // k3 estimator of KL(old || new) (Schulman 2020)
        shard.sums[kApproxKl] += (ratio - 1.0) - log_ratio;
        shard.sums[kClipped] += std::abs(ratio - 1.0) > c.clip_epsilon ? 1.0 : 0.0;
        const LossAndGradient policy =
            ClippedSurrogate(ratio, minibatch_advantages[shard.first + r], c.clip_epsilon);
        shard.sums[kPolicyLoss] += policy.loss;
        const double d_log_prob = policy.gradient * ratio / m;
        GaussianLogDensityBackward(b_actions + i * act, mean, log_std, act, d_log_prob,
                                   shard.d_mean + r * act, shard.d_log_std);
      }
      // the value loss, weighted by c1
      for (int r = 0; shard.values != nullptr && r < shard.rows; ++r) {
        const int64_t i = shard.index[r];
        const LossAndGradient value =
            ValueError(shard.values[r], b_values[i], b_returns[i], c.clip_epsilon, c.clip_vloss);
        shard.sums[kValueLoss] += value.loss;
        shard.d_values[r] = static_cast<float>(c.vf_coef * value.gradient / m);
      }
    };

    // ======================= update =======================
    double policy_loss_sum = 0.0, value_loss_sum = 0.0, entropy_sum = 0.0;
    double approx_kl_sum = 0.0, clip_fraction_sum = 0.0, approx_kl = 0.0;
    int64_t minibatches = 0;
    for (int epoch = 0; epoch < c.update_epochs; ++epoch) {
      // a permutation of the batch, or of a shard's samples that every shard follows
      const int64_t samples = data_shards == 1 ? batch_size : shard_batch;
      const int64_t step = data_shards == 1 ? minibatch_size : shard_minibatch;
      const torch::Tensor order = torch::randperm(samples, generator, torch::kLong);
      std::vector<std::vector<ShardRows>> minibatch_rows;
      for (int64_t start = 0; start < samples; start += step) {
        const int64_t* index = order.data_ptr<int64_t>() + start;
        minibatch_rows.push_back(
            data_shards == 1 ? std::vector<ShardRows>{{index, static_cast<int>(minibatch_size), 0}}
                             : ShardMinibatch(index, shard_minibatch, rollout.local_shards(),
                                              rollout.shard_envs(), env.num_envs(),
                                              shard_index.data() + start * rollout.local_shards()));
      }
      // with data shards, every minibatch's advantage statistics in one sum over the ranks
      const std::vector<Standardization> standardization =
          data_shards > 1 && c.norm_adv
              ? StandardizeMinibatches(b_advantages, minibatch_rows, minibatch_size, group)
              : std::vector<Standardization>();
      for (size_t mb = 0; mb < minibatch_rows.size(); ++mb) {
        const std::vector<ShardRows>& shards = minibatch_rows[mb];
        const float* params = model->flat_parameters();
        if (data_shards == 1) {
          GatherAdvantages(b_advantages, shards[0].index, minibatch_size, c.norm_adv,
                           minibatch_advantages.data());
        } else {
          GatherAdvantages(b_advantages, shards,
                           standardization.empty() ? nullptr : &standardization[mb],
                           minibatch_advantages.data());
        }
        std::vector<float>& g =
            data_shards == 1 ? gradient.Compute(params, b_observations, shards[0].index,
                                                static_cast<int>(minibatch_size), /*actor=*/true,
                                                /*critic=*/true, loss)
                             : gradient.Compute(params, b_observations, shards, /*actor=*/true,
                                                /*critic=*/true, loss);
        // the gradient and the loss's statistics of every rank's shards
        std::vector<double> sums = gradient.sums();
        SumOverRanks(g, sums, group);
        // the entropy bonus: dS/dlog_std = 1 for every action dimension
        const double entropy = GaussianEntropy(log_std, act);
        for (int d = 0; d < act; ++d) g[net.log_std_offset() + d] -= static_cast<float>(c.ent_coef);
        if (c.max_grad_norm > 0.0) ClipGradientNorm(g, c.max_grad_norm);
        optimizer.Step(model->flat_parameters(), g.data(), learning_rate);

        approx_kl = sums[kApproxKl] / m;
        policy_loss_sum += sums[kPolicyLoss] / m;
        value_loss_sum += sums[kValueLoss] / m;
        entropy_sum += entropy;
        approx_kl_sum += approx_kl;
        clip_fraction_sum += sums[kClipped] / m;
        ++minibatches;
      }
      if (c.target_kl > 0.0 && approx_kl > c.target_kl) break;
    }

    CheckRanksAgree(update, model->flat_parameters(), net.num_parameters(), group);

    // ======================= logging =======================
    const double n = static_cast<double>(minibatches);
    const Metrics losses = {{"policy_loss", policy_loss_sum / n},
                            {"value_loss", value_loss_sum / n},
                            {"entropy", entropy_sum / n},
                            {"approx_kl", approx_kl_sum / n}};
    CheckFinite(update, losses, model);
    Metrics metrics = losses;
    metrics.emplace_back("clip_fraction", clip_fraction_sum / n);
    metrics.emplace_back("explained_variance",
                         data_shards == 1
                             ? ExplainedVariance(batch.values.reshape({-1}), returns.reshape({-1}))
                             : ExplainedVariance(batch.values, returns, rollout.local_shards(),
                                                 rollout.shard_envs(), group));
    metrics.emplace_back("learning_rate", learning_rate);

    // metrics logged, then evaluation and checkpoints at the update boundary
    if (EndAgentUpdate(update, global_step, metrics, context, state)) return;
  }
}

void Ppo::ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                       const std::string& config_toml) {
  ExportCheckpointPolicy(kName, AgentOptionsOf(config_.agent), checkpoint_path, policy_path,
                         config_toml);
}

}  // namespace stride::algorithms::ppo
