// The base of MuJoCo environments, so an environment writes only its task.
//
// MujocoEnv does what every MuJoCo environment repeats: a model compiled once
// per process and shared read-only, frame skip, uniform reset noise, clipped
// actions (one per actuator), divergence detection and MuJoCo's warnings, the
// perturbations of stride/mujoco_perturbations.h, a saved state that resumes
// bitwise, and the model and data for rendering. A subclass declares its
// observations and signals in its constructor and writes the task:
//
//   class Hopper : public stride::MujocoEnv {
//    public:
//     explicit Hopper(const stride::MujocoSettings& settings)
//         : MujocoEnv("hopper", stride::SharedMujocoModel("hopper", Compile), settings, "torso") {
//       AddObservation("height");
//       AddSignal("forward_velocity");
//     }
//    protected:
//     void BeforePhysics() override { x_before_ = data().qpos[0]; }
//     void Observe(float* observation) const override { observation[0] = data().qpos[1]; }
//     bool Terminated() const override { return data().qpos[1] < 0.7; }
//     void Measure(double* signals) const override {
//       signals[0] = (data().qpos[0] - x_before_) / dt();
//     }
//     double x_before_ = 0.0;
//   };
//
// Link stride::mujoco (find_package(stride) defines it). docs/plugins.md has
// the whole guide.
#ifndef STRIDE_MUJOCO_ENV_H_
#define STRIDE_MUJOCO_ENV_H_

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <mujoco/mujoco.h>

#include "stride/environment.h"
#include "stride/mujoco_perturbations.h"
#include "stride/mujoco_state.h"
#include "stride/param_binding.h"
#include "stride/params.h"

namespace stride {

// a compiled model that deletes itself
using MujocoModelPtr = std::unique_ptr<mjModel, void (*)(mjModel*)>;

// compiles MJCF text as the virtual file file_name; throws RuntimeError
// "the <what> does not compile: ..."
MujocoModelPtr CompileMujocoText(const std::string& file_name, const char* xml,
                                 const std::string& what);
// compiles an MJCF file; throws ConfigError "cannot load the <what> '<path>': ..."
MujocoModelPtr CompileMujocoFile(const std::string& path, const std::string& what);
// the model of key: compiled by compile on first use, then shared read-only by
// every instance in the process; thread-safe
std::shared_ptr<const mjModel> SharedMujocoModel(const std::string& key,
                                                 const std::function<MujocoModelPtr()>& compile);

// what every MuJoCo environment is configured with
struct MujocoSettings {
  // physics steps per environment step
  int frame_skip = 1;
  // half-width of the uniform noise added to every qpos and qvel at reset
  double reset_noise = 0.0;
  int max_episode_steps = 1000;

  // reads the parameters MujocoParamTable declares
  static MujocoSettings FromParams(const Params& params);
};

// frame_skip, reset_noise and max_episode_steps, bound to MujocoSettings; an
// environment's config nests them (Nest) with its own defaults
const ParamBindings<MujocoSettings>& MujocoParamTable();

class MujocoEnv : public Environment {
 public:
  // name: the environment, in error messages; push_body: the body that the
  // push_impulse perturbation pushes
  MujocoEnv(std::string name, std::shared_ptr<const mjModel> model, const MujocoSettings& settings,
            const std::string& push_body);
  ~MujocoEnv() override;

  const Space& observation_space() const override { return observation_space_; }
  // one action per actuator, in ctrl order, bounded by its control range
  const Space& action_space() const override { return action_space_; }
  const std::vector<std::string>& signal_names() const override { return signal_names_; }
  double dt() const override { return dt_; }
  int max_episode_steps() const override { return settings_.max_episode_steps; }

  std::vector<Perturbation> perturbations() const override;
  void SetPerturbations(const std::vector<PerturbationValue>& values) override;

  // resets the data, adds reset noise from the seed, then Observe()
  void Reset(uint64_t seed, float* observation) override;
  // clips the action, BeforePhysics(), frame_skip physics steps, then
  // Terminated(), Observe() and Measure(); a state that diverges ends the
  // episode as a numerical failure, with zero observation and signals
  StepResult Step(const float* action, float* observation, double* signals) override;

  // MuJoCo's warnings and the numerical failures since construction
  std::vector<std::string> Warnings() const override;
  const mjModel_* mujoco_model() const override { return perturbations_.model(); }
  const mjData_* mujoco_data() const override { return data_.get(); }

  std::vector<uint8_t> SaveState() const override;
  void LoadState(const std::vector<uint8_t>& state) override;

 protected:
  static constexpr double kUnbounded = std::numeric_limits<double>::infinity();

  // the declarations of a subclass's constructor, in observation and signal order
  void AddObservation(std::string name, double bound = kUnbounded);
  void AddSignal(std::string name);

  // the model of this episode (perturbations may scale it) and the simulation
  const mjModel& model() const { return *perturbations_.model(); }
  const mjData& data() const { return *data_; }
  // the sum of this step's squared controls (a NaN control counts as 0)
  double control_squared() const { return control_squared_; }

  // the task
  // writes observation_space().size() values from data()
  virtual void Observe(float* observation) const = 0;
  // the episode ends in a state not to bootstrap from, such as a fall
  virtual bool Terminated() const = 0;
  // writes signal_names().size() values after the physics steps
  virtual void Measure(double* signals) const = 0;
  // before the physics steps of a Step(): remember what Measure() compares against
  virtual void BeforePhysics() {}
  // the signals of a step that diverged, over zeros; the data was reset
  virtual void MeasureFailure(double* /*signals*/) const {}

 private:
  // adds the warnings raised since the last count
  void CountWarnings();

  std::string name_;
  std::shared_ptr<const mjModel> base_model_;
  std::unique_ptr<mjData, void (*)(mjData*)> data_;
  MujocoSettings settings_;
  double dt_;
  MujocoPerturbations perturbations_;
  Space observation_space_;
  Space action_space_;
  std::vector<std::string> signal_names_;

  int steps_ = 0;
  double control_squared_ = 0.0;
  int64_t numerical_failures_ = 0;
  // MuJoCo's warning counters as last seen in the data, and totals since construction
  std::array<int, mjNWARNING> warnings_seen_{};
  std::array<int64_t, mjNWARNING> warning_totals_{};
  std::array<int, mjNWARNING> warning_last_info_{};
};

}  // namespace stride

#endif  // STRIDE_MUJOCO_ENV_H_
