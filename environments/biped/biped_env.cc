#include "biped_env.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "common/mujoco_support.h"
#include "stride/error.h"

namespace stride::biped {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;
// walker17 clips every velocity to this magnitude, as Walker2d-v4 does
constexpr double kVelocityClip = 10.0;
constexpr const char* kBuiltinFileName = "biped.xml";
constexpr uint32_t kStateVersion = 2;

// signal positions; the joint groups hold kNumJoints entries each
enum Signal {
  kForwardVelocity,
  kXPosition,
  kHeight,
  kTrunkPitch,
  kControlSquared,
  kHealthy,
  kJointVelocity,
  kActuatorForce = kJointVelocity + kNumJoints,
  kRightFootContact = kActuatorForce + kNumJoints,
  kLeftFootContact,
  kRightFootVelocity,
  kLeftFootVelocity,
  kFell,
  kBodyContact,
  kNumSignals
};

// the x velocity of a geom's centre in the state of the last mj_forward (the
// state whose contacts mjData holds)
double ForwardVelocityOfGeom(const mjModel& model, const mjData& data, int geom) {
  mjtNum velocity[6];  // angular, then linear
  mj_objectVelocity(&model, &data, mjOBJ_GEOM, geom, velocity, 0);
  return velocity[3];
}

std::string Describe(const std::string& path) {
  return path.empty() ? std::string("built-in biped.xml") : fmt::format("'{}'", path);
}

std::vector<std::string> Names(const mjModel& model, mjtObj type, int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    const char* name = mj_id2name(&model, type, i);
    names.push_back(name ? name : fmt::format("#{}", i));
  }
  return names;
}

environments::ModelPtr CompileFile(const std::string& path) {
  char error[1024] = "";
  environments::ModelPtr model(mj_loadXML(path.c_str(), nullptr, error, sizeof error),
                               mj_deleteModel);
  if (!model) {
    throw ConfigError(
        fmt::format("cannot load the biped model '{}': {}", path, environments::OneLine(error)));
  }
  return model;
}

// the compiled model for a source and foot frictions, once per process
std::shared_ptr<const mjModel> LoadModel(const std::string& path, double right_foot_friction,
                                         double left_foot_friction) {
  using Key = std::tuple<std::string, double, double>;
  static auto* mutex = new std::mutex;
  static auto* cache = new std::map<Key, std::shared_ptr<const mjModel>>;

  const Key key(path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string(),
                right_foot_friction, left_foot_friction);
  std::lock_guard<std::mutex> lock(*mutex);
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;

  std::shared_ptr<mjModel> model =
      path.empty() ? environments::LoadEmbeddedModel(kBuiltinFileName, kBuiltinModelXml,
                                                     "built-in biped model")
                   : CompileFile(path);
  const BipedLayout layout = BipedLayout::FromModel(*model, Describe(path));
  model->geom_friction[3 * layout.right_foot_geom] = right_foot_friction;
  model->geom_friction[3 * layout.left_foot_geom] = left_foot_friction;
  cache->emplace(key, model);
  return model;
}

int RequireJoint(const mjModel& model, const char* name, int type, const std::string& source) {
  const int id = mj_name2id(&model, mjOBJ_JOINT, name);
  if (model.jnt_type[id] != type) {
    throw ConfigError(fmt::format("the biped model {}: joint '{}' must be a {} joint", source, name,
                                  type == mjJNT_SLIDE ? "slide" : "hinge"));
  }
  return id;
}

// a uniform sample in [-1, 1) from the top 53 bits, the same on every platform
double UniformSymmetric(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-52 - 1.0;
}

double Clip(double x, double limit) { return std::clamp(x, -limit, limit); }

}  // namespace

BipedConfig BipedConfig::FromParams(const Params& params) {
  BipedConfig config;
  config.model = params.GetString("model");
  config.observation = params.GetString("observation") == "walker17" ? ObservationMode::kWalker17
                                                                     : ObservationMode::kSeed14;
  config.frame_skip = static_cast<int>(params.GetInt("frame_skip"));
  config.right_foot_friction = params.GetDouble("right_foot_friction");
  config.left_foot_friction = params.GetDouble("left_foot_friction");
  config.reset_noise = params.GetDouble("reset_noise");
  config.max_episode_steps = static_cast<int>(params.GetInt("max_episode_steps"));
  config.max_trunk_angle_deg = params.GetDouble("max_trunk_angle_deg");
  config.min_trunk_height = params.GetDouble("min_trunk_height");
  config.healthy_ranges = params.GetBool("healthy_ranges");
  config.healthy_z_min = params.GetDouble("healthy_z_min");
  config.healthy_z_max = params.GetDouble("healthy_z_max");
  config.healthy_pitch_max = params.GetDouble("healthy_pitch_max");
  if (config.max_trunk_angle_deg <= 0.0) {
    throw ConfigError(
        fmt::format("max_trunk_angle_deg must be > 0, got {}", config.max_trunk_angle_deg));
  }
  if (config.healthy_z_min >= config.healthy_z_max) {
    throw ConfigError(fmt::format("healthy_z_min ({}) must be below healthy_z_max ({})",
                                  config.healthy_z_min, config.healthy_z_max));
  }
  return config;
}

std::vector<ParamSpec> BipedParamSpecs() {
  return {
      StringParam("model", "",
                  "MJCF file of a biped with the built-in joint, actuator and foot names; "
                  "empty: the built-in biped.xml"),
      OneOf(StringParam("observation", "seed14",
                        "seed14: trunk pitch, 6 joint angles and their 7 velocities; "
                        "walker17: the Gymnasium Walker2d-v4 layout"),
            {"seed14", "walker17"}),
      InRange(IntParam("frame_skip", 4, "physics steps per environment step"), 1, std::nullopt),
      InRange(DoubleParam("right_foot_friction", 0.9,
                          "sliding friction of the right foot geom, replacing the model's "
                          "(Walker2d-v4; v5: 1.9)"),
              0.0, std::nullopt),
      InRange(DoubleParam("left_foot_friction", 1.9,
                          "sliding friction of the left foot geom, replacing the model's "
                          "(Walker2d-v4 and v5)"),
              0.0, std::nullopt),
      InRange(DoubleParam("reset_noise", 0.005,
                          "half-width of the uniform noise added to every qpos and qvel at "
                          "reset"),
              0.0, std::nullopt),
      InRange(IntParam("max_episode_steps", 1000, "steps after which an episode is truncated"), 1,
              std::nullopt),
      InRange(DoubleParam(
                  "max_trunk_angle_deg", 50.0,
                  "terminate when the trunk pitches more than this many degrees either way (> 0)"),
              0.0, 180.0),
      InRange(DoubleParam("min_trunk_height", 0.0,
                          "terminate when the trunk height drops below this many m (0: never)"),
              0.0, std::nullopt),
      BoolParam("healthy_ranges", false,
                "also terminate outside Walker2d's healthy trunk height and pitch"),
      DoubleParam("healthy_z_min", 0.8, "lowest healthy trunk height in m (healthy_ranges)"),
      DoubleParam("healthy_z_max", 2.0, "highest healthy trunk height in m (healthy_ranges)"),
      InRange(DoubleParam("healthy_pitch_max", 1.0,
                          "largest healthy trunk pitch either way in rad (healthy_ranges)"),
              0.0, std::nullopt),
  };
}

PluginEntry BipedEntry() {
  return EnvironmentEntry("biped", "planar Walker2d-like biped that learns to walk (MuJoCo)",
                          BipedParamSpecs(),
                          [](const Params& params) -> std::unique_ptr<Environment> {
                            return std::make_unique<BipedEnv>(BipedConfig::FromParams(params));
                          });
}

BipedLayout BipedLayout::FromModel(const mjModel& model, const std::string& source) {
  // every joint and actuator the biped reads
  std::vector<std::string> missing;
  for (const char* name : {"rootx", "rootz", "rooty"}) {
    if (mj_name2id(&model, mjOBJ_JOINT, name) < 0) missing.push_back(name);
  }
  for (const char* name : kJointNames) {
    if (mj_name2id(&model, mjOBJ_JOINT, name) < 0) missing.push_back(name);
  }
  if (!missing.empty()) {
    throw ConfigError(fmt::format(
        "the biped model {} must have the joints rootx, rootz, rooty, {}; missing: {} (found: {})",
        source, fmt::join(kJointNames, ", "), fmt::join(missing, ", "),
        fmt::join(Names(model, mjOBJ_JOINT, model.njnt), ", ")));
  }
  if (model.nu != kNumJoints) {
    throw ConfigError(
        fmt::format("the biped model {} must have exactly {} actuators ({}), found {} ({})", source,
                    kNumJoints, fmt::join(kJointNames, ", "), model.nu,
                    fmt::join(Names(model, mjOBJ_ACTUATOR, model.nu), ", ")));
  }

  BipedLayout layout;
  const int rootx = RequireJoint(model, "rootx", mjJNT_SLIDE, source);
  const int rootz = RequireJoint(model, "rootz", mjJNT_SLIDE, source);
  const int rooty = RequireJoint(model, "rooty", mjJNT_HINGE, source);
  layout.rootx_qpos = model.jnt_qposadr[rootx];
  layout.rootz_qpos = model.jnt_qposadr[rootz];
  layout.rooty_qpos = model.jnt_qposadr[rooty];
  layout.rootx_dof = model.jnt_dofadr[rootx];
  layout.rootz_dof = model.jnt_dofadr[rootz];
  layout.rooty_dof = model.jnt_dofadr[rooty];
  for (int j = 0; j < kNumJoints; ++j) {
    const int joint = RequireJoint(model, kJointNames[j], mjJNT_HINGE, source);
    layout.joint_qpos[j] = model.jnt_qposadr[joint];
    layout.joint_dof[j] = model.jnt_dofadr[joint];
    int drivers = 0;
    for (int a = 0; a < model.nu; ++a) {
      if (model.actuator_trntype[a] == mjTRN_JOINT && model.actuator_trnid[2 * a] == joint) {
        layout.actuator[j] = a;
        ++drivers;
      }
    }
    if (drivers != 1) {
      throw ConfigError(fmt::format(
          "the biped model {} must drive joint '{}' with exactly one actuator, found {}", source,
          kJointNames[j], drivers));
    }
    if (!model.actuator_ctrllimited[layout.actuator[j]]) {
      throw ConfigError(fmt::format(
          "the biped model {} must limit the control range of the actuator of joint '{}'", source,
          kJointNames[j]));
    }
  }

  // the feet, for friction and contacts
  layout.right_foot_geom = mj_name2id(&model, mjOBJ_GEOM, "right_foot");
  layout.left_foot_geom = mj_name2id(&model, mjOBJ_GEOM, "left_foot");
  if (layout.right_foot_geom < 0 || layout.left_foot_geom < 0) {
    throw ConfigError(
        fmt::format("the biped model {} must have geoms named right_foot and left_foot (found: {})",
                    source, fmt::join(Names(model, mjOBJ_GEOM, model.ngeom), ", ")));
  }
  return layout;
}

BipedEnv::BipedEnv(const BipedConfig& config)
    : config_(config),
      model_(LoadModel(config.model, config.right_foot_friction, config.left_foot_friction)),
      data_(mj_makeData(model_.get()), mj_deleteData),
      layout_(BipedLayout::FromModel(*model_, Describe(config.model))),
      dt_(model_->opt.timestep * config.frame_skip),
      max_pitch_(config.max_trunk_angle_deg * kPi / 180.0),
      perturbations_(model_, model_->jnt_bodyid[mj_name2id(model_.get(), mjOBJ_JOINT, "rootx")],
                     dt_) {
  const mjModel& m = *model_;

  // observations: MuJoCo's joint limits are soft and full torque pushes the
  // joints well past them, so only the clipped velocities are bounded
  auto add = [this](std::string name, double bound) {
    observation_space_.names.push_back(std::move(name));
    observation_space_.low.push_back(-bound);
    observation_space_.high.push_back(bound);
  };
  const bool walker17 = config_.observation == ObservationMode::kWalker17;
  const double velocity_bound = walker17 ? kVelocityClip : kInf;
  if (walker17) add("trunk_height", kInf);
  add("trunk_pitch", kInf);
  for (const char* joint : kJointNames) add(fmt::format("{}_angle", joint), kInf);
  if (walker17) {
    add("x_velocity", velocity_bound);
    add("z_velocity", velocity_bound);
  }
  add("trunk_pitch_rate", velocity_bound);
  for (const char* joint : kJointNames) add(fmt::format("{}_velocity", joint), velocity_bound);

  // actions: one per actuator, in ctrl order
  for (int a = 0; a < m.nu; ++a) {
    const char* name = mj_id2name(&m, mjOBJ_ACTUATOR, a);
    action_space_.names.push_back(name ? name : fmt::format("actuator{}", a));
    action_space_.low.push_back(m.actuator_ctrlrange[2 * a]);
    action_space_.high.push_back(m.actuator_ctrlrange[2 * a + 1]);
  }

  // signals, in the order of the Signal enum
  signal_names_ = {"forward_velocity", "x_position",      "height",
                   "trunk_pitch",      "control_squared", "healthy"};
  for (const char* joint : kJointNames) {
    signal_names_.push_back(fmt::format("joint_velocity.{}", joint));
  }
  for (const char* joint : kJointNames) {
    signal_names_.push_back(fmt::format("actuator_force.{}", joint));
  }
  signal_names_.push_back("foot_contact.right");
  signal_names_.push_back("foot_contact.left");
  signal_names_.push_back("foot_velocity.right");
  signal_names_.push_back("foot_velocity.left");
  signal_names_.push_back("fell");
  signal_names_.push_back("body_contact");
}

std::vector<EpisodeMetric> BipedEnv::episode_metrics() const {
  return {
      {"distance", "forward_velocity", Aggregate::kIntegral, "metres the trunk moved forward"},
      {"forward_speed", "forward_velocity", Aggregate::kMean,
       "mean forward velocity of the trunk, m/s"},
      {"fell", "fell", Aggregate::kMax, "1 if the episode ended in a fall, else 0"},
      {"lowest_trunk_height", "height", Aggregate::kMin, "lowest trunk height (rootz), m"},
      {"mean_trunk_height", "height", Aggregate::kMean, "mean trunk height (rootz), m"},
      {"ground_contact_fraction", "body_contact", Aggregate::kMean,
       "fraction of steps in which a body other than a foot touched the floor"},
  };
}

BipedEnv::~BipedEnv() = default;

std::vector<Perturbation> BipedEnv::perturbations() const {
  return environments::MujocoPerturbations::Declared();
}

void BipedEnv::SetPerturbations(const std::vector<PerturbationValue>& values) {
  perturbations_.Set(values);
}

void BipedEnv::Reset(uint64_t seed, float* observation) {
  const mjModel* m = perturbations_.BeginEpisode(seed);
  mjData* d = data_.get();
  warnings_.Count(*d);
  mj_resetData(m, d);
  warnings_.Restart();

  rng_.seed(seed);
  for (int i = 0; i < m->nq; ++i) d->qpos[i] += config_.reset_noise * UniformSymmetric(rng_);
  for (int i = 0; i < m->nv; ++i) d->qvel[i] += config_.reset_noise * UniformSymmetric(rng_);
  mj_forward(m, d);
  warnings_.Count(*d);

  steps_ = 0;
  WriteObservation(observation);
  perturbations_.AddNoise(observation, observation_space_.size());
}

StepResult BipedEnv::Step(const float* action, float* observation, double* signals) {
  const mjModel* m = perturbations_.model();
  mjData* d = data_.get();
  action = perturbations_.Delay(action);

  // clipped actions drive the actuators; MuJoCo ignores a NaN control and
  // counts mjWARN_BADCTRL, so it counts as 0 here too
  double control_squared = 0.0;
  for (int a = 0; a < m->nu; ++a) {
    const double u = std::clamp(static_cast<double>(action[a]), m->actuator_ctrlrange[2 * a],
                                m->actuator_ctrlrange[2 * a + 1]);
    d->ctrl[a] = u;
    if (!std::isnan(u)) control_squared += u * u;
  }

  // simulate; MuJoCo resets the data itself when the state diverges
  const double x_before = d->qpos[layout_.rootx_qpos];
  perturbations_.Push(steps_, d);
  bool diverged = false;
  for (int k = 0; k < config_.frame_skip && !diverged; ++k) {
    mj_step(m, d);
    diverged = environments::Diverged(*d);
  }
  diverged = diverged || !environments::FiniteState(*m, *d);
  warnings_.Count(*d);
  ++steps_;

  StepResult result;
  if (diverged) {
    // a finite observation and signals, and a finite state to continue from
    ++numerical_failures_;
    mj_resetData(m, d);
    warnings_.Restart();
    std::fill(observation, observation + observation_space_.size(), 0.0f);
    std::fill(signals, signals + kNumSignals, 0.0);
    signals[kXPosition] = x_before;
    signals[kFell] = 1.0;
    result.numerical_failure = true;
    result.terminated = true;
    return result;
  }

  // terminate on a fall
  const bool healthy = Healthy(d->qpos[layout_.rootz_qpos], d->qpos[layout_.rooty_qpos]);
  result.terminated = !healthy;
  result.truncated = !result.terminated && steps_ >= config_.max_episode_steps;

  WriteObservation(observation);
  perturbations_.AddNoise(observation, observation_space_.size());
  WriteSignals(x_before, control_squared, healthy, signals);
  return result;
}

// every fall condition the configuration enables
bool BipedEnv::Healthy(double height, double pitch) const {
  bool healthy = std::fabs(pitch) <= max_pitch_ && height >= config_.min_trunk_height;
  if (config_.healthy_ranges) {
    healthy = healthy && height > config_.healthy_z_min && height < config_.healthy_z_max &&
              std::fabs(pitch) < config_.healthy_pitch_max;
  }
  return healthy;
}

void BipedEnv::WriteObservation(float* observation) const {
  const mjData* d = data_.get();
  const BipedLayout& l = layout_;
  float* out = observation;
  if (config_.observation == ObservationMode::kSeed14) {
    *out++ = static_cast<float>(d->qpos[l.rooty_qpos]);
    for (int j = 0; j < kNumJoints; ++j) *out++ = static_cast<float>(d->qpos[l.joint_qpos[j]]);
    *out++ = static_cast<float>(d->qvel[l.rooty_dof]);
    for (int j = 0; j < kNumJoints; ++j) *out++ = static_cast<float>(d->qvel[l.joint_dof[j]]);
    return;
  }
  *out++ = static_cast<float>(d->qpos[l.rootz_qpos]);
  *out++ = static_cast<float>(d->qpos[l.rooty_qpos]);
  for (int j = 0; j < kNumJoints; ++j) *out++ = static_cast<float>(d->qpos[l.joint_qpos[j]]);
  *out++ = static_cast<float>(Clip(d->qvel[l.rootx_dof], kVelocityClip));
  *out++ = static_cast<float>(Clip(d->qvel[l.rootz_dof], kVelocityClip));
  *out++ = static_cast<float>(Clip(d->qvel[l.rooty_dof], kVelocityClip));
  for (int j = 0; j < kNumJoints; ++j) {
    *out++ = static_cast<float>(Clip(d->qvel[l.joint_dof[j]], kVelocityClip));
  }
}

void BipedEnv::WriteSignals(double x_before, double control_squared, bool healthy,
                            double* signals) const {
  const mjModel* m = perturbations_.model();
  const mjData* d = data_.get();
  const BipedLayout& l = layout_;
  const double x_after = d->qpos[l.rootx_qpos];
  signals[kForwardVelocity] = (x_after - x_before) / dt_;
  signals[kXPosition] = x_after;
  signals[kHeight] = d->qpos[l.rootz_qpos];
  signals[kTrunkPitch] = d->qpos[l.rooty_qpos];
  signals[kControlSquared] = control_squared;
  signals[kHealthy] = healthy ? 1.0 : 0.0;
  signals[kFell] = healthy ? 0.0 : 1.0;
  for (int j = 0; j < kNumJoints; ++j) {
    signals[kJointVelocity + j] = d->qvel[l.joint_dof[j]];
    signals[kActuatorForce + j] = d->actuator_force[l.actuator[j]];
  }

  // a geom touches the floor when it is in contact with a geom of the world body;
  // a touch inside a foot's heel cap (within the foot's radius of the ankle)
  // is the foot's, whichever geom it is reported for: the shin's end cap lies
  // inside the heel's, and a hard heel strike presses both into the floor
  auto at_heel = [&](const mjContact& contact, int foot_geom) {
    const double* ankle = d->xpos + 3 * m->geom_bodyid[foot_geom];
    double squared = 0.0;
    for (int k = 0; k < 3; ++k) squared += (contact.pos[k] - ankle[k]) * (contact.pos[k] - ankle[k]);
    return squared <= m->geom_size[3 * foot_geom] * m->geom_size[3 * foot_geom];
  };
  bool right = false;
  bool left = false;
  bool other = false;
  for (int c = 0; c < d->ncon; ++c) {
    const mjContact& contact = d->contact[c];
    const int g1 = contact.geom1;
    const int g2 = contact.geom2;
    const int toucher = m->geom_bodyid[g1] == 0 ? g2 : m->geom_bodyid[g2] == 0 ? g1 : -1;
    if (toucher < 0) continue;
    const bool right_foot = toucher == l.right_foot_geom || at_heel(contact, l.right_foot_geom);
    const bool left_foot = toucher == l.left_foot_geom || at_heel(contact, l.left_foot_geom);
    right |= right_foot;
    left |= left_foot;
    other |= !right_foot && !left_foot;
  }
  signals[kRightFootContact] = right ? 1.0 : 0.0;
  signals[kLeftFootContact] = left ? 1.0 : 0.0;
  signals[kBodyContact] = other ? 1.0 : 0.0;

  // the feet's forward velocity, in the simulation state of those contacts
  signals[kRightFootVelocity] = ForwardVelocityOfGeom(*m, *d, l.right_foot_geom);
  signals[kLeftFootVelocity] = ForwardVelocityOfGeom(*m, *d, l.left_foot_geom);
}

std::vector<std::string> BipedEnv::Warnings() const {
  std::vector<std::string> lines = warnings_.Lines();
  if (numerical_failures_ > 0) {
    lines.push_back(fmt::format("numerical failure: {} steps ended an episode in divergence",
                                numerical_failures_));
  }
  return lines;
}

std::vector<uint8_t> BipedEnv::SaveState() const {
  const mjModel* m = model_.get();
  std::ostringstream rng;
  rng << rng_;

  environments::StateWriter out(kStateVersion);
  environments::SimulationState::Capture(*m, *data_).Write(*m, &out);
  out.Put(static_cast<int64_t>(steps_));
  out.PutText(rng.str());
  perturbations_.Save(&out);
  return out.Take();
}

void BipedEnv::LoadState(const std::vector<uint8_t>& state) {
  const mjModel* m = model_.get();

  // read and check everything before touching the simulation
  environments::StateReader in(state, "biped", kStateVersion);
  const auto simulation = environments::SimulationState::Read(*m, &in);
  const auto steps = in.Get<int64_t>();
  std::istringstream rng_in(in.GetText());
  perturbations_.Load(&in);
  in.Finish();
  std::mt19937_64 rng;
  if (!(rng_in >> rng)) throw RuntimeError("the biped state holds no valid RNG state");

  simulation.Restore(*m, data_.get());
  steps_ = static_cast<int>(steps);
  rng_ = rng;
  warnings_.Count(*data_);
}

}  // namespace stride::biped
