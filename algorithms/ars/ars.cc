#include "algorithms/ars/ars.h"

#include <cmath>
#include <optional>
#include <utility>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "algorithms/ars/linear_policy.h"
#include "algorithms/ars/perturbed_rollouts.h"
#include "algorithms/ars/random_search.h"
#include "algorithms/common/checkpoint.h"
#include "stride/error.h"
#include "stride/param_binding.h"
#include "stride/phase_times.h"

namespace stride::algorithms::ars {
namespace {

constexpr char kName[] = "ars";

// a run at an update boundary: what a checkpoint holds
struct RunState {
  LinearPolicy* policy = nullptr;
  VecEnv* env = nullptr;
  at::Generator* generator = nullptr;
  int64_t global_step = 0;
  int64_t update = 0;
};

// layout: algorithm, global_step, update, policy/, environments, generator
void SaveCheckpoint(const RunState& state, const std::string& path) {
  torch::serialize::OutputArchive archive;
  WriteString(archive, "algorithm", kName);
  WriteInt(archive, "global_step", state.global_step);
  WriteInt(archive, "update", state.update);
  torch::serialize::OutputArchive policy(archive.compilation_unit());
  state.policy->Save(policy);
  archive.write("policy", policy);
  WriteBytes(archive, "environments", state.env->SaveState());
  WriteGenerator(archive, "generator", *state.generator);
  SaveArchiveAtomically(archive, path);
}

void LoadCheckpoint(const std::string& path, RunState& state) {
  torch::serialize::InputArchive archive = LoadArchive(path);
  CheckAlgorithm(archive, kName, path);
  state.global_step = ReadInt(archive, "global_step");
  state.update = ReadInt(archive, "update");
  torch::serialize::InputArchive policy = ReadNested(archive, "policy");
  state.policy->Load(policy);
  state.env->LoadState(ReadBytes(archive, "environments"));
  ReadGenerator(archive, "generator", *state.generator);
}

// throws RuntimeError "update N: non-finite ..." for the first non-finite return or weight
void CheckFinite(int64_t update, const std::vector<double>& returns,
                 const std::vector<double>& weights) {
  for (size_t r = 0; r < returns.size(); ++r) {
    if (!std::isfinite(returns[r])) {
      throw RuntimeError(
          fmt::format("update {}: non-finite return of rollout {} ({})", update, r, returns[r]));
    }
  }
  for (double w : weights) {
    if (!std::isfinite(w)) {
      throw RuntimeError(fmt::format("update {}: non-finite policy weight ({})", update, w));
    }
  }
}

double Mean(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double Norm(const std::vector<double>& values) {
  double sum_sq = 0.0;
  for (double v : values) sum_sq += v * v;
  return std::sqrt(sum_sq);
}

// every parameter, bound to its field of ArsConfig
const ParamBindings<ArsConfig>& ArsTable() {
  using C = ArsConfig;
  constexpr std::nullopt_t kNone = std::nullopt;
  static const auto* table = new ParamBindings<C>{
      InRange(Bind(&C::num_directions, "num_directions",
                   "N: directions sampled per update, each rolled out with +noise and -noise"),
              1, kNone),
      InRange(Bind(&C::top_directions, "top_directions",
                   "b: the directions whose better rollout returned most make the step; at "
                   "most num_directions"),
              1, kNone),
      InRange(Bind(&C::step_size, "step_size",
                   "alpha: step size, divided by b and by the std of the 2b returns used"),
              0.0, kNone),
      InRange(Bind(&C::noise, "noise", "nu: standard deviation of the perturbations"), 0.0, kNone),
      Bind(&C::shift, "shift",
           "subtracted from every reward of a training rollout (the survival bonus); "
           "evaluations are not shifted"),
      Bind(&C::normalize_observations, "normalize_observations",
           "normalize observations by running mean and std (V2); false: raw (V1)"),
  };
  return *table;
}

}  // namespace

ArsConfig ArsConfig::FromParams(const Params& params) { return ReadConfig(ArsTable(), params); }

std::vector<ParamSpec> ArsParams() { return SpecsOf(ArsTable()); }

Ars::Ars(ArsConfig config) : config_(std::move(config)) {
  if (config_.top_directions > config_.num_directions) {
    throw ConfigError(fmt::format(
        "ars: top_directions ({}) must not exceed num_directions ({}): b of the N directions "
        "make the step",
        config_.top_directions, config_.num_directions));
  }
}

void Ars::Train(TrainContext& context) {
  const ArsConfig& c = config_;
  VecEnv& env = context.env();

  // the policy starts at zero; perturbations come from one generator seeded by the run
  LinearPolicy policy(env.observation_size(), ActionBox::Of(env.action_space()),
                      c.normalize_observations);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(context.seed());
  RunState state{&policy, &env, &generator};
  if (context.resume_path().empty()) {
    env.Reset();
  } else {
    LoadCheckpoint(context.resume_path(), state);
  }
  PerturbedRollouts rollouts(env);
  const int64_t direction_size = static_cast<int64_t>(env.action_size()) * env.observation_size();
  std::vector<DirectionReturns> returns(c.num_directions);

  while (state.global_step < context.total_steps()) {
    const int64_t update = state.update + 1;

    // N directions, each rolled out forwards and backwards
    const torch::Tensor directions =
        torch::randn({c.num_directions, direction_size}, generator, torch::kFloat64);
    const RolloutOutcome& outcome =
        rollouts.Run(policy, directions.data_ptr<double>(), c.num_directions, c.noise, c.shift);

    // the step from the b best directions, then the statistics of the states visited
    double return_std = 0.0, step_norm = 0.0;
    {
      PhaseTimer timer("update: random search step");
      for (int k = 0; k < c.num_directions; ++k) {
        returns[k] = {outcome.returns[2 * k], outcome.returns[2 * k + 1]};
      }
      const std::vector<int> top = TopDirections(returns, c.top_directions);
      return_std = SelectedReturnStd(returns, top);
      step_norm = ApplySearchStep(returns, top, return_std, directions.data_ptr<double>(),
                                  c.step_size, policy.weights().data(), direction_size);
      policy.UpdateStatistics(outcome.observations.data(), outcome.steps);
      policy.RefreshNormalization();
    }
    CheckFinite(update, outcome.returns, policy.weights());
    state.global_step += outcome.steps;
    state.update = update;

    // metrics logged, then evaluation and checkpoints at the update boundary
    const Metrics metrics = {{"rollout_return", Mean(outcome.returns)},
                             {"return_std", return_std},
                             {"step_norm", step_norm},
                             {"weight_norm", Norm(policy.weights())},
                             {"rollout_steps", static_cast<double>(outcome.steps)}};
    if (context.EndUpdate(
            state.global_step, metrics, [&] { return policy.MakePolicy(); },
            [&](const std::string& path) { SaveCheckpoint(state, path); },
            [&](const std::string& path) { policy.Export(path, context.config_toml()); })) {
      return;
    }
  }
}

void Ars::ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                       const std::string& config_toml) {
  torch::serialize::InputArchive archive = LoadArchive(checkpoint_path);
  CheckAlgorithm(archive, kName, checkpoint_path);
  torch::serialize::InputArchive policy = ReadNested(archive, "policy");
  LinearPolicy::FromArchive(policy, config_.normalize_observations)
      .Export(policy_path, config_toml);
}

}  // namespace stride::algorithms::ars
