// The pendulum: a cart on a rail balancing a hinged pole, as Gymnasium's
// InvertedPendulum-v4. Small and quick to learn, so algorithm tests finish in
// seconds. README.md lists the parameters and the signals Step() writes.
#ifndef STRIDE_ENVIRONMENTS_PENDULUM_PENDULUM_ENV_H_
#define STRIDE_ENVIRONMENTS_PENDULUM_PENDULUM_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <mujoco/mujoco.h>

#include "common/perturbations.h"
#include "stride/environment.h"
#include "stride/params.h"
#include "stride/plugin.h"

namespace stride::pendulum {

// the text of pendulum.xml, compiled into the library
extern const char kModelXml[];

struct PendulumConfig {
  // physics steps per environment step
  int frame_skip = 2;
  // half-width of the uniform noise added to qpos and qvel at reset
  double reset_noise = 0.01;
  int max_episode_steps = 1000;
  // terminate when the pole leans further than this, in rad
  double max_pole_angle = 0.2;

  static PendulumConfig FromParams(const Params& params);
};

// the declared parameters, and the plugin entry "pendulum" built on them
std::vector<ParamSpec> PendulumParamSpecs();
PluginEntry PendulumEntry();

class PendulumEnv : public Environment {
 public:
  explicit PendulumEnv(const PendulumConfig& config);
  ~PendulumEnv() override;

  const Space& observation_space() const override { return observation_space_; }
  const Space& action_space() const override { return action_space_; }
  const std::vector<std::string>& signal_names() const override { return signal_names_; }
  double dt() const override { return dt_; }
  int max_episode_steps() const override { return config_.max_episode_steps; }

  // MuJoCo's perturbations (common/perturbations.h), pushes on the pole
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

  PendulumConfig config_;
  std::shared_ptr<const mjModel> model_;
  std::unique_ptr<mjData, void (*)(mjData*)> data_;
  double dt_;
  environments::MujocoPerturbations perturbations_;
  Space observation_space_;
  Space action_space_;
  std::vector<std::string> signal_names_;
  int steps_ = 0;
  int64_t numerical_failures_ = 0;
};

}  // namespace stride::pendulum

#endif  // STRIDE_ENVIRONMENTS_PENDULUM_PENDULUM_ENV_H_
