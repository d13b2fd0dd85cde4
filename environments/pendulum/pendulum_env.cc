#include "pendulum_env.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>

#include "common/mujoco_support.h"

namespace stride::pendulum {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr const char* kFileName = "pendulum.xml";
// qpos and qvel positions of the two joints
constexpr int kCart = 0;
constexpr int kPole = 1;

enum Signal { kCartPosition, kPoleAngle, kControlSquared, kNumSignals };

constexpr uint32_t kStateVersion = 2;

// compiled once per process and shared by every instance
std::shared_ptr<const mjModel> SharedModel() {
  static const auto* model = new std::shared_ptr<const mjModel>(
      environments::LoadEmbeddedModel(kFileName, kModelXml, "pendulum model"));
  return *model;
}

// a uniform sample in [-1, 1) from the top 53 bits, the same on every platform
double UniformSymmetric(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-52 - 1.0;
}

}  // namespace

PendulumConfig PendulumConfig::FromParams(const Params& params) {
  PendulumConfig config;
  config.frame_skip = static_cast<int>(params.GetInt("frame_skip"));
  config.reset_noise = params.GetDouble("reset_noise");
  config.max_episode_steps = static_cast<int>(params.GetInt("max_episode_steps"));
  config.max_pole_angle = params.GetDouble("max_pole_angle");
  return config;
}

std::vector<ParamSpec> PendulumParamSpecs() {
  return {
      InRange(IntParam("frame_skip", 2, "physics steps (0.02 s each) per environment step"), 1,
              std::nullopt),
      InRange(DoubleParam("reset_noise", 0.01,
                          "half-width of the uniform noise added to every qpos and qvel at "
                          "reset"),
              0.0, std::nullopt),
      InRange(IntParam("max_episode_steps", 1000, "steps after which an episode is truncated"), 1,
              std::nullopt),
      InRange(DoubleParam("max_pole_angle", 0.2,
                          "terminate when the pole leans further than this either way, in rad"),
              0.0, std::nullopt),
  };
}

PluginEntry PendulumEntry() {
  return EnvironmentEntry(
      "pendulum", "cart-pole balance like InvertedPendulum-v4 (MuJoCo), learned in seconds",
      PendulumParamSpecs(), [](const Params& params) -> std::unique_ptr<Environment> {
        return std::make_unique<PendulumEnv>(PendulumConfig::FromParams(params));
      });
}

PendulumEnv::PendulumEnv(const PendulumConfig& config)
    : config_(config),
      model_(SharedModel()),
      data_(mj_makeData(model_.get()), mj_deleteData),
      dt_(model_->opt.timestep * config.frame_skip),
      perturbations_(model_, model_->jnt_bodyid[kPole], dt_) {
  observation_space_.names = {"cart_position", "pole_angle", "cart_velocity",
                              "pole_angular_velocity"};
  observation_space_.low.assign(4, -kInf);
  observation_space_.high.assign(4, kInf);
  action_space_.names = {"slide"};
  action_space_.low = {model_->actuator_ctrlrange[0]};
  action_space_.high = {model_->actuator_ctrlrange[1]};
  signal_names_ = {"cart_position", "pole_angle", "control_squared"};
}

PendulumEnv::~PendulumEnv() = default;

std::vector<Perturbation> PendulumEnv::perturbations() const {
  return environments::MujocoPerturbations::Declared();
}

void PendulumEnv::SetPerturbations(const std::vector<PerturbationValue>& values) {
  perturbations_.Set(values);
}

void PendulumEnv::Reset(uint64_t seed, float* observation) {
  const mjModel* m = perturbations_.BeginEpisode(seed);
  mjData* d = data_.get();
  mj_resetData(m, d);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < m->nq; ++i) d->qpos[i] += config_.reset_noise * UniformSymmetric(rng);
  for (int i = 0; i < m->nv; ++i) d->qvel[i] += config_.reset_noise * UniformSymmetric(rng);
  mj_forward(m, d);
  steps_ = 0;
  WriteObservation(observation);
  perturbations_.AddNoise(observation, observation_space_.size());
}

StepResult PendulumEnv::Step(const float* action, float* observation, double* signals) {
  const mjModel* m = perturbations_.model();
  mjData* d = data_.get();
  action = perturbations_.Delay(action);
  const double u =
      std::clamp(static_cast<double>(action[0]), action_space_.low[0], action_space_.high[0]);
  // MuJoCo ignores a NaN control and counts mjWARN_BADCTRL
  d->ctrl[0] = u;

  // simulate; MuJoCo resets the data itself when the state diverges
  perturbations_.Push(steps_, d);
  bool diverged = false;
  for (int k = 0; k < config_.frame_skip && !diverged; ++k) {
    mj_step(m, d);
    diverged = environments::Diverged(*d);
  }
  diverged = diverged || !environments::FiniteState(*m, *d);
  ++steps_;

  StepResult result;
  if (diverged) {
    ++numerical_failures_;
    mj_resetData(m, d);
    std::fill(observation, observation + observation_space_.size(), 0.0f);
    std::fill(signals, signals + kNumSignals, 0.0);
    result.numerical_failure = true;
    result.terminated = true;
    return result;
  }

  result.terminated = std::fabs(d->qpos[kPole]) > config_.max_pole_angle;
  result.truncated = !result.terminated && steps_ >= config_.max_episode_steps;
  WriteObservation(observation);
  perturbations_.AddNoise(observation, observation_space_.size());
  signals[kCartPosition] = d->qpos[kCart];
  signals[kPoleAngle] = d->qpos[kPole];
  signals[kControlSquared] = std::isnan(u) ? 0.0 : u * u;
  return result;
}

void PendulumEnv::WriteObservation(float* observation) const {
  const mjData* d = data_.get();
  observation[0] = static_cast<float>(d->qpos[kCart]);
  observation[1] = static_cast<float>(d->qpos[kPole]);
  observation[2] = static_cast<float>(d->qvel[kCart]);
  observation[3] = static_cast<float>(d->qvel[kPole]);
}

std::vector<std::string> PendulumEnv::Warnings() const {
  if (numerical_failures_ == 0) return {};
  return {fmt::format("numerical failure: {} steps ended an episode in divergence",
                      numerical_failures_)};
}

std::vector<uint8_t> PendulumEnv::SaveState() const {
  const mjModel* m = model_.get();
  environments::StateWriter out(kStateVersion);
  environments::SimulationState::Capture(*m, *data_).Write(*m, &out);
  out.Put(static_cast<int64_t>(steps_));
  perturbations_.Save(&out);
  return out.Take();
}

void PendulumEnv::LoadState(const std::vector<uint8_t>& bytes) {
  const mjModel* m = model_.get();
  environments::StateReader in(bytes, "pendulum", kStateVersion);
  const auto simulation = environments::SimulationState::Read(*m, &in);
  const auto steps = in.Get<int64_t>();
  perturbations_.Load(&in);
  in.Finish();
  simulation.Restore(*m, data_.get());
  steps_ = static_cast<int>(steps);
}

}  // namespace stride::pendulum
