// The biped: a planar Walker2d-like walker simulated in MuJoCo.
//
// Observations come in two layouts: "seed14" (trunk pitch, six joint angles,
// then the seven matching velocities) and "walker17" (Gymnasium Walker2d-v4:
// trunk height, pitch, six joint angles, then nine velocities clipped to
// +-10). README.md lists the parameters, the signals Step() writes and the
// episode metrics.
#ifndef STRIDE_ENVIRONMENTS_BIPED_BIPED_ENV_H_
#define STRIDE_ENVIRONMENTS_BIPED_BIPED_ENV_H_

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <mujoco/mujoco.h>

#include "common/mujoco_support.h"
#include "common/perturbations.h"
#include "stride/environment.h"
#include "stride/params.h"
#include "stride/plugin.h"

namespace stride::biped {

// the text of biped.xml, compiled into the library
extern const char kBuiltinModelXml[];

// the actuated joints, in the order of actions and joint signals
inline constexpr int kNumJoints = 6;
inline constexpr std::array<const char*, kNumJoints> kJointNames = {
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle"};

enum class ObservationMode { kSeed14, kWalker17 };

struct BipedConfig {
  // MJCF file; empty: the built-in biped.xml
  std::string model;
  ObservationMode observation = ObservationMode::kSeed14;
  // physics steps per environment step
  int frame_skip = 4;
  // sliding friction of each foot geom, replacing the model's; Walker2d-v4's
  // values (v5 uses 1.9 for both)
  double right_foot_friction = 0.9;
  double left_foot_friction = 1.9;
  // half-width of the uniform noise added to qpos and qvel at reset
  double reset_noise = 0.005;
  int max_episode_steps = 1000;
  // terminate when |trunk pitch| exceeds this
  double max_trunk_angle_deg = 50.0;
  // terminate when the trunk height drops below this; 0: never
  double min_trunk_height = 0.0;
  // also terminate outside Walker2d's healthy height and pitch ranges
  bool healthy_ranges = false;
  double healthy_z_min = 0.8;
  double healthy_z_max = 2.0;
  double healthy_pitch_max = 1.0;

  // reads validated parameters; throws ConfigError for inconsistent values
  static BipedConfig FromParams(const Params& params);
};

// the declared parameters, and the plugin entry "biped" built on them
std::vector<ParamSpec> BipedParamSpecs();
PluginEntry BipedEntry();

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

class BipedEnv : public Environment {
 public:
  explicit BipedEnv(const BipedConfig& config);
  ~BipedEnv() override;

  const Space& observation_space() const override { return observation_space_; }
  const Space& action_space() const override { return action_space_; }
  const std::vector<std::string>& signal_names() const override { return signal_names_; }
  // the gait: distance, forward speed, fell, lowest and mean trunk height, and
  // the fraction of steps with a body other than a foot on the floor
  std::vector<EpisodeMetric> episode_metrics() const override;
  double dt() const override { return dt_; }
  int max_episode_steps() const override { return config_.max_episode_steps; }

  // MuJoCo's perturbations (common/perturbations.h), pushes on the trunk
  std::vector<Perturbation> perturbations() const override;
  void SetPerturbations(const std::vector<PerturbationValue>& values) override;

  void Reset(uint64_t seed, float* observation) override;
  StepResult Step(const float* action, float* observation, double* signals) override;

  std::vector<std::string> Warnings() const override;
  const mjModel_* mujoco_model() const override { return perturbations_.model(); }
  const mjData_* mujoco_data() const override { return data_.get(); }

  std::vector<uint8_t> SaveState() const override;
  void LoadState(const std::vector<uint8_t>& state) override;

 private:
  void WriteObservation(float* observation) const;
  bool Healthy(double height, double pitch) const;
  void WriteSignals(double x_before, double control_squared, bool healthy, double* signals) const;

  BipedConfig config_;
  std::shared_ptr<const mjModel> model_;
  std::unique_ptr<mjData, void (*)(mjData*)> data_;
  BipedLayout layout_;
  double dt_;
  double max_pitch_;
  Space observation_space_;
  Space action_space_;
  std::vector<std::string> signal_names_;

  environments::MujocoPerturbations perturbations_;

  int steps_ = 0;
  std::mt19937_64 rng_;

  // MuJoCo's warnings since construction
  environments::WarningCounter warnings_;
  int64_t numerical_failures_ = 0;
};

}  // namespace stride::biped

#endif  // STRIDE_ENVIRONMENTS_BIPED_BIPED_ENV_H_
