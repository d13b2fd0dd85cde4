// The biped: a planar Walker2d-like walker simulated in MuJoCo.
//
// Observations come in two layouts: "seed14" (trunk pitch, six joint angles,
// then the seven matching velocities) and "walker17" (Gymnasium Walker2d-v4:
// trunk height, pitch, six joint angles, then nine velocities clipped to
// +-10). README.md lists the parameters, the signals Step() writes and the
// episode metrics.
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "stride/error.h"
#include "stride/mujoco_env.h"
#include "stride/plugin.h"

namespace stride::environments::biped {

// the text of biped.xml, compiled into the library
extern const char kBuiltinModelXml[];

namespace {

// the actuated joints, in the order of actions and joint signals
constexpr int kNumJoints = 6;
constexpr std::array<const char*, kNumJoints> kJointNames = {
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle"};

constexpr double kPi = 3.14159265358979323846;
// walker17 clips every velocity to this magnitude, as Walker2d-v4 does
constexpr double kVelocityClip = 10.0;
constexpr const char* kBuiltinFileName = "biped.xml";

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

int RequireJoint(const mjModel& model, const char* name, int type, const std::string& source) {
  const int id = mj_name2id(&model, mjOBJ_JOINT, name);
  if (model.jnt_type[id] != type) {
    throw ConfigError(fmt::format("the biped model {}: joint '{}' must be a {} joint", source, name,
                                  type == mjJNT_SLIDE ? "slide" : "hinge"));
  }
  return id;
}

double Clip(double x, double limit) { return std::clamp(x, -limit, limit); }

// every parameter's field; BipedTable() binds them, with their defaults here
struct BipedConfig {
  MujocoSettings mujoco = {/*frame_skip=*/4, /*reset_noise=*/0.005, /*max_episode_steps=*/1000};
  std::string model;
  std::string observation = "seed14";
  double right_foot_friction = 0.9;
  double left_foot_friction = 1.9;
  double max_trunk_angle_deg = 50.0;
  double min_trunk_height = 0.0;
  bool healthy_ranges = false;
  double healthy_z_min = 0.8;
  double healthy_z_max = 2.0;
  double healthy_pitch_max = 1.0;

  // throws ConfigError for inconsistent values
  static BipedConfig FromParams(const Params& params);
};

// where the biped's quantities live in a model
struct BipedLayout {
  int rootx_qpos, rootz_qpos, rooty_qpos;
  int rootx_dof, rootz_dof, rooty_dof;
  std::array<int, kNumJoints> joint_qpos, joint_dof;
  // the actuator driving each joint
  std::array<int, kNumJoints> actuator;
  int right_foot_geom, left_foot_geom;

  // throws ConfigError saying what was expected and what the model has
  static BipedLayout FromModel(const mjModel& model, const std::string& source);
};

// every parameter, bound to its field of BipedConfig
const ParamBindings<BipedConfig>& BipedTable() {
  using C = BipedConfig;
  constexpr std::nullopt_t kNone = std::nullopt;
  static const auto* table = new ParamBindings<C>(Concat(
      Concat(
          ParamBindings<C>{
              Bind(&C::model, "model",
                   "MJCF file of a biped with the built-in joint, actuator and foot names; "
                   "empty: the built-in biped.xml"),
              OneOf(Bind(&C::observation, "observation",
                         "seed14: trunk pitch, 6 joint angles and their 7 velocities; "
                         "walker17: the Gymnasium Walker2d-v4 layout"),
                    {"seed14", "walker17"}),
          },
          Nest(&C::mujoco, MujocoParamTable())),
      ParamBindings<C>{
          InRange(Bind(&C::right_foot_friction, "right_foot_friction",
                       "sliding friction of the right foot geom, replacing the model's "
                       "(Walker2d-v4; v5: 1.9)"),
                  0.0, kNone),
          InRange(Bind(&C::left_foot_friction, "left_foot_friction",
                       "sliding friction of the left foot geom, replacing the model's "
                       "(Walker2d-v4 and v5)"),
                  0.0, kNone),
          InRange(
              Bind(&C::max_trunk_angle_deg, "max_trunk_angle_deg",
                   "terminate when the trunk pitches more than this many degrees either way (> 0)"),
              0.0, 180.0),
          InRange(Bind(&C::min_trunk_height, "min_trunk_height",
                       "terminate when the trunk height drops below this many m (0: never)"),
                  0.0, kNone),
          Bind(&C::healthy_ranges, "healthy_ranges",
               "also terminate outside Walker2d's healthy trunk height and pitch"),
          Bind(&C::healthy_z_min, "healthy_z_min",
               "lowest healthy trunk height in m (healthy_ranges)"),
          Bind(&C::healthy_z_max, "healthy_z_max",
               "highest healthy trunk height in m (healthy_ranges)"),
          InRange(Bind(&C::healthy_pitch_max, "healthy_pitch_max",
                       "largest healthy trunk pitch either way in rad (healthy_ranges)"),
                  0.0, kNone),
      }));
  return *table;
}

BipedConfig BipedConfig::FromParams(const Params& params) {
  const BipedConfig config = ReadConfig(BipedTable(), params);
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

// the compiled model for a source and foot frictions, once per process
std::shared_ptr<const mjModel> LoadModel(const BipedConfig& config) {
  const std::string source =
      config.model.empty() ? config.model
                           : std::filesystem::absolute(config.model).lexically_normal().string();
  const std::string key =
      fmt::format("{}|{}|{}", source, config.right_foot_friction, config.left_foot_friction);
  return SharedMujocoModel(key, [&config] {
    MujocoModelPtr model =
        config.model.empty()
            ? CompileMujocoText(kBuiltinFileName, kBuiltinModelXml, "built-in biped model")
            : CompileMujocoFile(config.model, "biped model");
    const BipedLayout layout = BipedLayout::FromModel(*model, Describe(config.model));
    model->geom_friction[3 * layout.right_foot_geom] = config.right_foot_friction;
    model->geom_friction[3 * layout.left_foot_geom] = config.left_foot_friction;
    return model;
  });
}

// the body of the root joints, which push_impulse pushes
std::string TrunkBody(const mjModel& model) {
  const int rootx = mj_name2id(&model, mjOBJ_JOINT, "rootx");
  const char* name = mj_id2name(&model, mjOBJ_BODY, model.jnt_bodyid[rootx]);
  if (!name) throw ConfigError("the biped model must name the body of joint rootx");
  return name;
}

class BipedEnv : public MujocoEnv {
 public:
  explicit BipedEnv(const BipedConfig& config) : BipedEnv(config, LoadModel(config)) {}

  // the gait: distance, forward speed, fell, lowest and mean trunk height, and
  // the fraction of steps with a body other than a foot on the floor
  std::vector<EpisodeMetric> episode_metrics() const override;

 protected:
  void BeforePhysics() override { x_before_ = data().qpos[layout_.rootx_qpos]; }
  void Observe(float* observation) const override;
  bool Terminated() const override { return !Healthy(); }
  void Measure(double* signals) const override;
  void MeasureFailure(double* signals) const override {
    signals[kXPosition] = x_before_;
    signals[kFell] = 1.0;
  }

 private:
  BipedEnv(const BipedConfig& config, std::shared_ptr<const mjModel> model);
  bool Healthy() const;

  BipedConfig config_;
  BipedLayout layout_;
  double max_pitch_;
  // the Walker2d-v4 observation layout, else seed14
  bool walker17_;
  // the trunk's x before this step's physics
  double x_before_ = 0.0;
};

BipedEnv::BipedEnv(const BipedConfig& config, std::shared_ptr<const mjModel> model)
    : MujocoEnv("biped", model, config.mujoco, TrunkBody(*model)),
      config_(config),
      layout_(BipedLayout::FromModel(*model, Describe(config.model))),
      max_pitch_(config.max_trunk_angle_deg * kPi / 180.0),
      walker17_(config.observation == "walker17") {
  // observations: MuJoCo's joint limits are soft and full torque pushes the
  // joints well past them, so only the clipped velocities are bounded
  const double velocity_bound = walker17_ ? kVelocityClip : kUnbounded;
  if (walker17_) AddObservation("trunk_height");
  AddObservation("trunk_pitch");
  for (const char* joint : kJointNames) AddObservation(fmt::format("{}_angle", joint));
  if (walker17_) {
    AddObservation("x_velocity", velocity_bound);
    AddObservation("z_velocity", velocity_bound);
  }
  AddObservation("trunk_pitch_rate", velocity_bound);
  for (const char* joint : kJointNames) {
    AddObservation(fmt::format("{}_velocity", joint), velocity_bound);
  }

  // signals, in the order of the Signal enum
  for (const char* name :
       {"forward_velocity", "x_position", "height", "trunk_pitch", "control_squared", "healthy"}) {
    AddSignal(name);
  }
  for (const char* joint : kJointNames) AddSignal(fmt::format("joint_velocity.{}", joint));
  for (const char* joint : kJointNames) AddSignal(fmt::format("actuator_force.{}", joint));
  for (const char* name : {"foot_contact.right", "foot_contact.left", "foot_velocity.right",
                           "foot_velocity.left", "fell", "body_contact"}) {
    AddSignal(name);
  }
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

// every fall condition the configuration enables
bool BipedEnv::Healthy() const {
  const double height = data().qpos[layout_.rootz_qpos];
  const double pitch = data().qpos[layout_.rooty_qpos];
  bool healthy = std::fabs(pitch) <= max_pitch_ && height >= config_.min_trunk_height;
  if (config_.healthy_ranges) {
    healthy = healthy && height > config_.healthy_z_min && height < config_.healthy_z_max &&
              std::fabs(pitch) < config_.healthy_pitch_max;
  }
  return healthy;
}

void BipedEnv::Observe(float* observation) const {
  const mjData* d = &data();
  const BipedLayout& l = layout_;
  float* out = observation;
  if (!walker17_) {
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

void BipedEnv::Measure(double* signals) const {
  const mjModel* m = &model();
  const mjData* d = &data();
  const BipedLayout& l = layout_;
  const bool healthy = Healthy();
  const double x_after = d->qpos[l.rootx_qpos];
  signals[kForwardVelocity] = (x_after - x_before_) / dt();
  signals[kXPosition] = x_after;
  signals[kHeight] = d->qpos[l.rootz_qpos];
  signals[kTrunkPitch] = d->qpos[l.rooty_qpos];
  signals[kControlSquared] = control_squared();
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
    for (int k = 0; k < 3; ++k)
      squared += (contact.pos[k] - ankle[k]) * (contact.pos[k] - ankle[k]);
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

std::vector<PluginEntry> Entries() {
  return {EnvironmentEntry("biped", "planar Walker2d-like biped that learns to walk (MuJoCo)",
                           SpecsOf(BipedTable()),
                           [](const Params& params) -> std::unique_ptr<Environment> {
                             return std::make_unique<BipedEnv>(BipedConfig::FromParams(params));
                           })};
}

}  // namespace
}  // namespace stride::environments::biped

STRIDE_PLUGIN(stride::environments::biped::Entries)
