#include "stride/mujoco_perturbations.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "stride/error.h"

namespace stride {
namespace {

// the perturbations in Declared() order
enum Index { kFriction, kMass, kActuator, kDamping, kPush, kNoise, kDelay, kCount };

constexpr double kTwoPi = 6.283185307179586;

bool IsScale(int index) { return index <= kDamping; }

}  // namespace

std::vector<Perturbation> MujocoPerturbations::Declared() {
  return {
      {"friction_scale", 1.0, 0.0, 10.0, "every geom's sliding friction times this"},
      {"mass_scale", 1.0, 0.01, 10.0, "every body's mass and inertia times this"},
      {"actuator_scale", 1.0, 0.0, 10.0, "every actuator's gear (its strength) times this"},
      {"damping_scale", 1.0, 0.0, 10.0, "every joint's damping times this"},
      {"push_impulse", 0.0, 0.0, 1000.0,
       "pushes of this many N s along x, forward or back, on the environment's push body (the "
       "biped's trunk) every 1 to 3 s"},
      {"observation_noise", 0.0, 0.0, 10.0,
       "Gaussian noise of this std added to every observation entry, in its units"},
      {"action_delay", 0.0, 0.0, 10.0, "actions applied this many steps late (rounded)"},
  };
}

MujocoPerturbations::MujocoPerturbations(std::shared_ptr<const mjModel> base, int push_body,
                                         double env_dt)
    : base_(std::move(base)),
      scaled_(nullptr, mj_deleteModel),
      push_body_(push_body),
      env_dt_(env_dt) {
  for (const Perturbation& p : Declared()) next_.push_back(p.neutral);
  current_ = next_;
}

void MujocoPerturbations::Set(const std::vector<PerturbationValue>& values) {
  const std::vector<Perturbation> declared = Declared();
  for (int i = 0; i < kCount; ++i) next_[i] = declared[i].neutral;
  for (const PerturbationValue& value : values) {
    const auto it = std::find_if(declared.begin(), declared.end(),
                                 [&](const Perturbation& p) { return p.name == value.name; });
    if (it == declared.end()) {
      throw ConfigError("no perturbation '" + value.name + "'");
    }
    next_[it - declared.begin()] = value.magnitude;
  }
}

const mjModel* MujocoPerturbations::model() const {
  for (int i = kFriction; i <= kDamping; ++i) {
    if (current_[i] != 1.0) return scaled_.get();
  }
  return base_.get();
}

const mjModel* MujocoPerturbations::BeginEpisode(uint64_t seed) {
  current_ = next_;
  ApplyScales();
  // a stream of its own, so the environment's reset noise is unchanged
  rng_ = seed ^ 0xD1B54A32D192ED03ULL;
  next_push_step_ = current_[kPush] > 0.0 ? StepsToNextPush() : -1;
  const int delay = static_cast<int>(std::lround(current_[kDelay]));
  delayed_.assign(static_cast<size_t>(delay) * base_->nu, 0.0f);
  delay_head_ = 0;
  return model();
}

void MujocoPerturbations::ApplyScales() {
  bool scaled = false;
  for (int i = 0; i < kCount; ++i) scaled |= IsScale(i) && current_[i] != 1.0;
  if (!scaled) return;
  if (!scaled_) scaled_.reset(mj_copyModel(nullptr, base_.get()));
  const mjModel& b = *base_;
  mjModel& m = *scaled_;
  for (int g = 0; g < b.ngeom; ++g) {
    m.geom_friction[3 * g] = b.geom_friction[3 * g] * current_[kFriction];
  }
  for (int i = 0; i < b.nbody; ++i) {
    m.body_mass[i] = b.body_mass[i] * current_[kMass];
    for (int k = 3 * i; k < 3 * i + 3; ++k) m.body_inertia[k] = b.body_inertia[k] * current_[kMass];
  }
  for (int a = 0; a < b.nu; ++a) {
    m.actuator_gear[mjNGAIN * a] = b.actuator_gear[mjNGAIN * a] * current_[kActuator];
  }
  for (int v = 0; v < b.nv; ++v) m.dof_damping[v] = b.dof_damping[v] * current_[kDamping];
}

int MujocoPerturbations::StepsToNextPush() {
  return std::max(1, static_cast<int>(std::lround((1.0 + 2.0 * Uniform()) / env_dt_)));
}

double MujocoPerturbations::Uniform() {
  rng_ += 0x9E3779B97F4A7C15ULL;
  uint64_t z = rng_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

const float* MujocoPerturbations::Delay(const float* action) {
  if (delayed_.empty()) return action;
  const int nu = base_->nu;
  const int slots = static_cast<int>(delayed_.size()) / nu;
  float* slot = delayed_.data() + static_cast<size_t>(delay_head_) * nu;
  out_.assign(slot, slot + nu);
  std::copy(action, action + nu, slot);
  delay_head_ = (delay_head_ + 1) % slots;
  return out_.data();
}

void MujocoPerturbations::Push(int step, mjData* data) {
  if (next_push_step_ < 0) return;
  double& force = data->xfrc_applied[6 * push_body_];
  force = 0.0;
  if (step != next_push_step_) return;
  const double direction = Uniform() < 0.5 ? -1.0 : 1.0;
  force = direction * current_[kPush] / env_dt_;
  next_push_step_ += StepsToNextPush();
}

void MujocoPerturbations::AddNoise(float* observation, int size) {
  const double std = current_[kNoise];
  if (std == 0.0) return;
  for (int i = 0; i < size; ++i) {
    // Box-Muller, one draw per entry: nothing cached between calls
    const double u1 = 1.0 - Uniform();
    const double u2 = Uniform();
    const double normal = std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
    observation[i] += static_cast<float>(std * normal);
  }
}

void MujocoPerturbations::Save(StateWriter* out) const {
  out->Put(next_.data(), kCount);
  out->Put(current_.data(), kCount);
  out->Put(rng_);
  out->Put(next_push_step_);
  out->Put(static_cast<int32_t>(delayed_.size()));
  out->Put(delayed_.data(), static_cast<int>(delayed_.size()));
  out->Put(delay_head_);
}

void MujocoPerturbations::Load(StateReader* in) {
  in->Get(next_.data(), kCount);
  in->Get(current_.data(), kCount);
  rng_ = in->Get<uint64_t>();
  next_push_step_ = in->Get<int>();
  delayed_.resize(static_cast<size_t>(in->Get<int32_t>()));
  in->Get(delayed_.data(), static_cast<int>(delayed_.size()));
  delay_head_ = in->Get<int>();
  ApplyScales();
}

}  // namespace stride
