#include "algorithms/sac/sac.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <utility>

#include <ATen/CPUGeneratorImpl.h>

#include "algorithms/common/checkpoint.h"
#include "algorithms/common/off_policy_networks.h"
#include "algorithms/common/off_policy_run.h"
#include "algorithms/common/replay_buffer.h"
#include "stride/param_binding.h"
#include "stride/phase_times.h"

namespace stride::algorithms::sac {
namespace {

constexpr char kName[] = "sac";
// the actor's log-std is squashed into [kLogStdMin, kLogStdMax] (CleanRL, Spinning Up)
constexpr double kLogStdMin = -5.0;
constexpr double kLogStdMax = 2.0;
// log(sqrt(2 pi))
constexpr double kLogSqrtTwoPi = 0.91893853320467274178;

// actions and their log-probabilities [B]
struct ActionSample {
  torch::Tensor actions;
  torch::Tensor log_probs;
};

// the Gaussian actor squashed by tanh into the action box: trunk -> mean (the
// deterministic policy), trunk -> log-std
class ActorImpl : public torch::nn::Module {
 public:
  ActorImpl(int observation_size, const Space& action_space, const std::vector<int64_t>& hidden,
            at::Generator& generator)
      : mean_(register_module("mean",
                              SquashedActor(observation_size, action_space, hidden, generator))),
        log_std_(register_module("log_std",
                                 MakeLinear(hidden.back(), action_space.size(), generator))) {}

  // a ~ tanh(N(mean, std)) * scale + bias by the reparameterization trick, with
  // log pi(a|s) corrected for the squashing
  ActionSample Sample(const torch::Tensor& observations, at::Generator& generator) {
    const torch::Tensor features = mean_->trunk()(observations);
    const torch::Tensor mean = mean_->head()(features);
    const torch::Tensor log_std =
        kLogStdMin + 0.5 * (kLogStdMax - kLogStdMin) * (torch::tanh(log_std_(features)) + 1.0);
    const torch::Tensor noise = torch::randn(mean.sizes(), generator);
    const torch::Tensor x = mean + log_std.exp() * noise;
    const torch::Tensor y = torch::tanh(x);
    const torch::Tensor gaussian_log_prob = -0.5 * noise.pow(2) - log_std - kLogSqrtTwoPi;
    const torch::Tensor squash_correction =
        torch::log(mean_->action_scale() * (1.0 - y.pow(2)) + 1e-6);
    return {y * mean_->action_scale() + mean_->action_bias(),
            (gaussian_log_prob - squash_correction).sum(1)};
  }

  SquashedActor mean() const { return mean_; }

 private:
  SquashedActor mean_;
  torch::nn::Linear log_std_;
};
TORCH_MODULE(Actor);

// the networks and optimizers a checkpoint holds besides the run
struct Learner {
  Actor* actor = nullptr;
  torch::optim::Adam* actor_optimizer = nullptr;
  TwinCritic* critic = nullptr;
  torch::Tensor* log_alpha = nullptr;
  torch::optim::Adam* alpha_optimizer = nullptr;
};

// layout: the run's entries (off_policy_run.h), actor/, actor_optimizer/,
// critic/, log_alpha, alpha_optimizer/
void SaveCheckpoint(const OffPolicyRun& run, const Learner& learner, const std::string& path) {
  torch::serialize::OutputArchive archive;
  run.Save(archive);
  WriteModule(archive, "actor", **learner.actor);
  WriteOptimizer(archive, "actor_optimizer", *learner.actor_optimizer);
  torch::serialize::OutputArchive critic(archive.compilation_unit());
  learner.critic->Save(critic);
  archive.write("critic", critic);
  archive.write("log_alpha", learner.log_alpha->detach(), /*is_buffer=*/true);
  WriteOptimizer(archive, "alpha_optimizer", *learner.alpha_optimizer);
  SaveArchiveAtomically(archive, path);
}

void LoadCheckpoint(const std::string& path, OffPolicyRun& run, Learner& learner) {
  torch::serialize::InputArchive archive = LoadArchive(path);
  run.Load(archive, path);
  ReadModule(archive, "actor", **learner.actor);
  ReadOptimizer(archive, "actor_optimizer", *learner.actor_optimizer);
  torch::serialize::InputArchive critic = ReadNested(archive, "critic");
  learner.critic->Load(critic);
  torch::NoGradGuard no_grad;
  learner.log_alpha->copy_(ReadTensor(archive, "log_alpha"));
  ReadOptimizer(archive, "alpha_optimizer", *learner.alpha_optimizer);
}

// every parameter, bound to its field of SacConfig
const ParamBindings<SacConfig>& SacTable() {
  using C = SacConfig;
  constexpr std::nullopt_t kNone = std::nullopt;
  static const auto* table = new ParamBindings<C>{
      InRange(Bind(&C::buffer_size, "buffer_size", "transitions the replay buffer holds"), 1,
              kNone),
      InRange(Bind(&C::gamma, "gamma", "discount factor"), 0.0, 1.0),
      InRange(Bind(&C::tau, "tau", "target smoothing: target <- tau * critic + (1 - tau) * target"),
              0.0, 1.0),
      InRange(Bind(&C::batch_size, "batch_size", "transitions sampled for each gradient step"), 1,
              kNone),
      InRange(Bind(&C::learning_starts, "learning_starts",
                   "environment steps of uniform random actions before the updates begin"),
              0, kNone),
      InRange(Bind(&C::policy_lr, "policy_lr", "Adam step size of the actor"), 0.0, 1.0),
      InRange(
          Bind(&C::q_lr, "q_lr", "Adam step size of the critics and of the entropy coefficient"),
          0.0, 1.0),
      InRange(Bind(&C::policy_frequency, "policy_frequency",
                   "the actor is updated this many times every this-many-th critic update"),
              1, kNone),
      InRange(Bind(&C::target_network_frequency, "target_network_frequency",
                   "the targets follow the critics every this-many-th critic update"),
              1, kNone),
      InRange(Bind(&C::alpha, "alpha",
                   "entropy coefficient when autotune is false (autotune starts at 1)"),
              0.0, kNone),
      Bind(&C::autotune, "autotune",
           "tune alpha so that the policy's entropy approaches -(action dimensions)"),
      InRange(Bind(&C::hidden_sizes, "hidden_sizes",
                   "hidden layer widths of the actor and of each critic"),
              1, 4096),
      InRange(Bind(&C::num_steps, "num_steps",
                   "steps of every environment between two rows of metrics"),
              1, kNone),
  };
  return *table;
}

}  // namespace

SacConfig SacConfig::FromParams(const Params& params) { return ReadConfig(SacTable(), params); }

std::vector<ParamSpec> SacParams() { return SpecsOf(SacTable()); }

Sac::Sac(SacConfig config) : config_(std::move(config)) {}

void Sac::Train(TrainContext& context) {
  const SacConfig& c = config_;
  VecEnv& env = context.env();
  const int num_envs = env.num_envs(), obs = env.observation_size(), act = env.action_size();
  const int64_t update_steps = static_cast<int64_t>(c.num_steps) * num_envs;
  const int64_t num_updates =
      std::max<int64_t>(1, (context.total_steps() + update_steps - 1) / update_steps);

  // one BLAS thread: a second gained nothing measurable on 256-wide layers, and
  // two runs side by side would oversubscribe the cores
  at::set_num_threads(1);

  // networks, optimizers and replay buffer, all drawing from one generator seeded by the run
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(context.seed());
  Actor actor(obs, env.action_space(), c.hidden_sizes, generator);
  TwinCritic critic(obs, act, c.hidden_sizes, c.q_lr, generator);
  torch::optim::Adam actor_optimizer(actor->parameters(), torch::optim::AdamOptions(c.policy_lr));
  // automatic entropy tuning: alpha starts at 1 and aims at the entropy -|A|
  const double target_entropy = -static_cast<double>(act);
  torch::Tensor log_alpha = torch::zeros({1}, torch::requires_grad());
  torch::optim::Adam alpha_optimizer({log_alpha}, torch::optim::AdamOptions(c.q_lr));
  ReplayBuffer buffer(c.buffer_size, obs, act);
  OffPolicyRun run{kName, &env, &buffer, &generator};
  Learner learner{&actor, &actor_optimizer, &critic, &log_alpha, &alpha_optimizer};
  if (context.resume_path().empty()) {
    env.Reset();
  } else {
    LoadCheckpoint(context.resume_path(), run, learner);
  }
  double alpha = c.autotune ? log_alpha.exp().item<double>() : c.alpha;
  torch::Tensor observations = torch::empty({num_envs, obs});

  for (int64_t update = run.update + 1; update <= num_updates; ++update) {
    UpdateMeans means({"qf1_values", "qf2_values", "qf_loss", "actor_loss", "alpha", "alpha_loss"});
    for (int step = 0; step < c.num_steps; ++step) {
      // ======================= acting =======================
      std::memcpy(observations.data_ptr<float>(), env.observations(),
                  sizeof(float) * num_envs * obs);
      const bool learning = run.global_step >= c.learning_starts;
      torch::Tensor actions;
      {
        PhaseTimer timer("policy inference");
        torch::NoGradGuard no_grad;
        actions = learning ? actor->Sample(observations, generator).actions
                           : UniformActions(env.action_space(), num_envs, generator);
      }
      {
        PhaseTimer timer("environment stepping");
        env.Step(actions.data_ptr<float>());
      }
      buffer.Add(observations.data_ptr<float>(), actions.data_ptr<float>(), env);
      run.global_step += num_envs;
      if (!learning) continue;

      // =================== critic update ===================
      const ReplayBatch batch = buffer.Sample(c.batch_size, generator);
      CriticStats q;
      {
        PhaseTimer timer("update: critics");
        torch::Tensor targets;
        {
          torch::NoGradGuard no_grad;
          const ActionSample next = actor->Sample(batch.next_observations, generator);
          const torch::Tensor soft_value =
              critic.TargetValue(batch.next_observations, next.actions) - alpha * next.log_probs;
          targets = batch.rewards + (1.0 - batch.terminated) * c.gamma * soft_value;
        }
        q = critic.Step(batch, targets);
      }
      means.Add(0, q.qf1_value);
      means.Add(1, q.qf2_value);
      means.Add(2, q.loss);
      ++run.gradient_steps;

      // ====== actor and entropy coefficient, delayed as in TD3 ======
      if (run.gradient_steps % c.policy_frequency == 0) {
        PhaseTimer actor_timer("update: actor");
        for (int k = 0; k < c.policy_frequency; ++k) {
          const ActionSample pi = actor->Sample(batch.observations, generator);
          const torch::Tensor actor_loss =
              (alpha * pi.log_probs - critic.MinQ(batch.observations, pi.actions)).mean();
          actor_optimizer.zero_grad();
          actor_loss.backward();
          actor_optimizer.step();
          means.Add(3, actor_loss.item<double>());
          if (c.autotune) {
            const torch::Tensor alpha_loss =
                (-log_alpha.exp() * (pi.log_probs.detach() + target_entropy)).mean();
            alpha_optimizer.zero_grad();
            alpha_loss.backward();
            alpha_optimizer.step();
            alpha = log_alpha.exp().item<double>();
            means.Add(5, alpha_loss.item<double>());
          }
        }
      }
      means.Add(4, alpha);

      // ===================== targets =====================
      if (run.gradient_steps % c.target_network_frequency == 0) critic.UpdateTargets(c.tau);
    }
    run.update = update;

    // a non-finite loss or parameter ends the run before its checkpoint
    means.CheckFinite(update);
    CheckFiniteParameters(update, "actor", actor->parameters());
    CheckFiniteParameters(update, "critics", critic.parameters());
    if (context.EndUpdate(
            run.global_step, means.Means(), [&] { return actor->mean()->MakePolicy(); },
            [&](const std::string& path) { SaveCheckpoint(run, learner, path); },
            [&](const std::string& path) {
              ExportModule(actor->mean()->ToTorchScript(), path, context.config_toml());
            })) {
      return;
    }
  }
}

void Sac::ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                       const std::string& config_toml) {
  torch::serialize::InputArchive archive = LoadArchive(checkpoint_path);
  CheckAlgorithm(archive, kName, checkpoint_path);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(0);
  Actor actor(static_cast<int>(ReadInt(archive, "observation_size")),
              UnitBox(static_cast<int>(ReadInt(archive, "action_size"))), config_.hidden_sizes,
              generator);
  ReadModule(archive, "actor", *actor);
  ExportModule(actor->mean()->ToTorchScript(), policy_path, config_toml);
}

}  // namespace stride::algorithms::sac
