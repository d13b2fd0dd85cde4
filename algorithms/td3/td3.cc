#include "algorithms/td3/td3.h"

#include <algorithm>
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

namespace stride::algorithms::td3 {
namespace {

constexpr char kName[] = "td3";

// the networks and optimizers a checkpoint holds besides the run
struct Learner {
  SquashedActor* actor = nullptr;
  SquashedActor* actor_target = nullptr;
  torch::optim::Adam* actor_optimizer = nullptr;
  TwinCritic* critic = nullptr;
};

// layout: the run's entries (off_policy_run.h), actor/, actor_target/,
// actor_optimizer/, critic/
void SaveCheckpoint(const OffPolicyRun& run, const Learner& learner, const std::string& path) {
  torch::serialize::OutputArchive archive;
  run.Save(archive);
  WriteModule(archive, "actor", **learner.actor);
  WriteModule(archive, "actor_target", **learner.actor_target);
  WriteOptimizer(archive, "actor_optimizer", *learner.actor_optimizer);
  torch::serialize::OutputArchive critic(archive.compilation_unit());
  learner.critic->Save(critic);
  archive.write("critic", critic);
  SaveArchiveAtomically(archive, path);
}

void LoadCheckpoint(const std::string& path, OffPolicyRun& run, Learner& learner) {
  torch::serialize::InputArchive archive = LoadArchive(path);
  run.Load(archive, path);
  ReadModule(archive, "actor", **learner.actor);
  ReadModule(archive, "actor_target", **learner.actor_target);
  ReadOptimizer(archive, "actor_optimizer", *learner.actor_optimizer);
  torch::serialize::InputArchive critic = ReadNested(archive, "critic");
  learner.critic->Load(critic);
}

// the actions clipped into the action box, in place
void ClipToBox(torch::Tensor& actions, const SquashedActor& actor) {
  const torch::Tensor low = actor->action_bias() - actor->action_scale();
  const torch::Tensor high = actor->action_bias() + actor->action_scale();
  actions = torch::max(torch::min(actions, high), low);
}

// every parameter, bound to its field of Td3Config
const ParamBindings<Td3Config>& Td3Table() {
  using C = Td3Config;
  constexpr std::nullopt_t kNone = std::nullopt;
  static const auto* table = new ParamBindings<C>{
      InRange(Bind(&C::learning_rate, "learning_rate",
                   "Adam step size of the actor and of the critics"),
              0.0, 1.0),
      InRange(Bind(&C::buffer_size, "buffer_size", "transitions the replay buffer holds"), 1,
              kNone),
      InRange(Bind(&C::gamma, "gamma", "discount factor"), 0.0, 1.0),
      InRange(
          Bind(&C::tau, "tau", "target smoothing: target <- tau * network + (1 - tau) * target"),
          0.0, 1.0),
      InRange(Bind(&C::batch_size, "batch_size", "transitions sampled for each gradient step"), 1,
              kNone),
      InRange(Bind(&C::policy_noise, "policy_noise",
                   "std of the target policy's smoothing noise, in half widths of the "
                   "action box"),
              0.0, kNone),
      InRange(Bind(&C::exploration_noise, "exploration_noise",
                   "std of the exploration noise, in half widths of the action box"),
              0.0, kNone),
      InRange(Bind(&C::learning_starts, "learning_starts",
                   "environment steps of uniform random actions before the updates begin"),
              0, kNone),
      InRange(Bind(&C::policy_frequency, "policy_frequency",
                   "the actor and the targets are updated every this-many-th critic update"),
              1, kNone),
      InRange(Bind(&C::noise_clip, "noise_clip",
                   "the smoothing noise is clipped to +-noise_clip half widths"),
              0.0, kNone),
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

Td3Config Td3Config::FromParams(const Params& params) { return ReadConfig(Td3Table(), params); }

std::vector<ParamSpec> Td3Params() { return SpecsOf(Td3Table()); }

Td3::Td3(Td3Config config) : config_(std::move(config)) {}

void Td3::Train(TrainContext& context) {
  const Td3Config& c = config_;
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
  SquashedActor actor(obs, env.action_space(), c.hidden_sizes, generator);
  TwinCritic critic(obs, act, c.hidden_sizes, c.learning_rate, generator);
  SquashedActor actor_target(obs, env.action_space(), c.hidden_sizes, generator);
  SoftUpdate(*actor_target, *actor, 1.0);
  torch::optim::Adam actor_optimizer(actor->parameters(),
                                     torch::optim::AdamOptions(c.learning_rate));
  ReplayBuffer buffer(c.buffer_size, obs, act);
  OffPolicyRun run{kName, &env, &buffer, &generator};
  Learner learner{&actor, &actor_target, &actor_optimizer, &critic};
  if (context.resume_path().empty()) {
    env.Reset();
  } else {
    LoadCheckpoint(context.resume_path(), run, learner);
  }
  torch::Tensor observations = torch::empty({num_envs, obs});

  for (int64_t update = run.update + 1; update <= num_updates; ++update) {
    UpdateMeans means({"qf1_values", "qf2_values", "qf_loss", "actor_loss"});
    for (int step = 0; step < c.num_steps; ++step) {
      // ================= acting, with exploration noise =================
      std::memcpy(observations.data_ptr<float>(), env.observations(),
                  sizeof(float) * num_envs * obs);
      const bool learning = run.global_step >= c.learning_starts;
      torch::Tensor actions;
      {
        PhaseTimer timer("policy inference");
        torch::NoGradGuard no_grad;
        if (learning) {
          actions = actor(observations) + torch::randn({num_envs, act}, generator) *
                                              actor->action_scale() * c.exploration_noise;
          ClipToBox(actions, actor);
        } else {
          actions = UniformActions(env.action_space(), num_envs, generator);
        }
      }
      {
        PhaseTimer timer("environment stepping");
        env.Step(actions.data_ptr<float>());
      }
      buffer.Add(observations.data_ptr<float>(), actions.data_ptr<float>(), env);
      run.global_step += num_envs;
      if (!learning) continue;

      // ========== critic update, with target policy smoothing ==========
      const ReplayBatch batch = buffer.Sample(c.batch_size, generator);
      CriticStats q;
      {
        PhaseTimer timer("update: critics");
        torch::Tensor targets;
        {
          torch::NoGradGuard no_grad;
          const torch::Tensor noise =
              (torch::randn(batch.actions.sizes(), generator) * c.policy_noise)
                  .clamp(-c.noise_clip, c.noise_clip) *
              actor->action_scale();
          torch::Tensor next_actions = actor_target(batch.next_observations) + noise;
          ClipToBox(next_actions, actor);
          targets = batch.rewards + (1.0 - batch.terminated) * c.gamma *
                                        critic.TargetValue(batch.next_observations, next_actions);
        }
        q = critic.Step(batch, targets);
      }
      means.Add(0, q.qf1_value);
      means.Add(1, q.qf2_value);
      means.Add(2, q.loss);
      ++run.gradient_steps;

      // ============= delayed actor and target updates =============
      if (run.gradient_steps % c.policy_frequency == 0) {
        PhaseTimer actor_timer("update: actor");
        const torch::Tensor actor_loss =
            -critic.Q1(batch.observations, actor(batch.observations)).mean();
        actor_optimizer.zero_grad();
        actor_loss.backward();
        actor_optimizer.step();
        means.Add(3, actor_loss.item<double>());
        SoftUpdate(*actor_target, *actor, c.tau);
        critic.UpdateTargets(c.tau);
      }
    }
    run.update = update;

    // a non-finite loss or parameter ends the run before its checkpoint
    means.CheckFinite(update);
    CheckFiniteParameters(update, "actor", actor->parameters());
    CheckFiniteParameters(update, "critics", critic.parameters());
    if (context.EndUpdate(
            run.global_step, means.Means(), [&] { return actor->MakePolicy(); },
            [&](const std::string& path) { SaveCheckpoint(run, learner, path); },
            [&](const std::string& path) {
              ExportModule(actor->ToTorchScript(), path, context.config_toml());
            })) {
      return;
    }
  }
}

void Td3::ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                       const std::string& config_toml) {
  torch::serialize::InputArchive archive = LoadArchive(checkpoint_path);
  CheckAlgorithm(archive, kName, checkpoint_path);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(0);
  SquashedActor actor(static_cast<int>(ReadInt(archive, "observation_size")),
                      UnitBox(static_cast<int>(ReadInt(archive, "action_size"))),
                      config_.hidden_sizes, generator);
  ReadModule(archive, "actor", *actor);
  ExportModule(actor->ToTorchScript(), policy_path, config_toml);
}

}  // namespace stride::algorithms::td3
