// The pendulum: a cart on a rail balancing a hinged pole, as Gymnasium's
// InvertedPendulum-v4. Small and quick to learn, so algorithm tests finish in
// seconds. README.md lists the parameters and the signals Step() writes.
#include <cmath>
#include <memory>
#include <vector>

#include "stride/mujoco_env.h"
#include "stride/plugin.h"

namespace stride::environments::pendulum {

// the text of pendulum.xml, compiled into the library
extern const char kModelXml[];

namespace {

// qpos and qvel positions of the two joints
constexpr int kCart = 0;
constexpr int kPole = 1;

// every parameter's field, with its default
struct PendulumConfig {
  MujocoSettings mujoco = {/*frame_skip=*/2, /*reset_noise=*/0.01, /*max_episode_steps=*/1000};
  double max_pole_angle = 0.2;
};

const ParamBindings<PendulumConfig>& PendulumTable() {
  using C = PendulumConfig;
  static const auto* table = new ParamBindings<C>(
      Concat(Nest(&C::mujoco, MujocoParamTable()),
             {InRange(Bind(&C::max_pole_angle, "max_pole_angle",
                           "terminate when the pole leans further than this either way, in rad"),
                      0.0, std::nullopt)}));
  return *table;
}

class PendulumEnv : public MujocoEnv {
 public:
  explicit PendulumEnv(const PendulumConfig& config)
      : MujocoEnv("pendulum", SharedMujocoModel("pendulum", Compile), config.mujoco, "pole"),
        max_pole_angle_(config.max_pole_angle) {
    for (const char* name :
         {"cart_position", "pole_angle", "cart_velocity", "pole_angular_velocity"}) {
      AddObservation(name);
    }
    for (const char* name : {"cart_position", "pole_angle", "control_squared"}) AddSignal(name);
  }

 protected:
  void Observe(float* observation) const override {
    observation[0] = static_cast<float>(data().qpos[kCart]);
    observation[1] = static_cast<float>(data().qpos[kPole]);
    observation[2] = static_cast<float>(data().qvel[kCart]);
    observation[3] = static_cast<float>(data().qvel[kPole]);
  }

  bool Terminated() const override { return std::fabs(data().qpos[kPole]) > max_pole_angle_; }

  void Measure(double* signals) const override {
    signals[0] = data().qpos[kCart];
    signals[1] = data().qpos[kPole];
    signals[2] = control_squared();
  }

 private:
  static MujocoModelPtr Compile() {
    return CompileMujocoText("pendulum.xml", kModelXml, "pendulum model");
  }

  double max_pole_angle_;
};

std::vector<PluginEntry> Entries() {
  return {EnvironmentEntry(
      "pendulum", "cart-pole balance like InvertedPendulum-v4 (MuJoCo), learned in seconds",
      SpecsOf(PendulumTable()), [](const Params& params) -> std::unique_ptr<Environment> {
        return std::make_unique<PendulumEnv>(ReadConfig(PendulumTable(), params));
      })};
}

}  // namespace
}  // namespace stride::environments::pendulum

STRIDE_PLUGIN(stride::environments::pendulum::Entries)
