// hopper: Gymnasium's Hopper-v4 on the SDK's MuJoCo base (docs/plugins.md).
// Observations are qpos without x and qvel clipped to +-10; an episode ends when
// the torso is below healthy_z_min, pitches past healthy_angle_max, or a joint
// state passes 100.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "stride/mujoco_env.h"
#include "stride/plugin.h"

namespace embedded {
extern const char kModelXml[];  // hopper.xml
}  // namespace embedded

namespace {

// every parameter's field, with its default
struct HopperConfig {
  stride::MujocoSettings mujoco = {/*frame_skip=*/4, /*reset_noise=*/0.005,
                                   /*max_episode_steps=*/1000};
  double healthy_z_min = 0.7;
  double healthy_angle_max = 0.2;
};

const stride::ParamBindings<HopperConfig>& HopperTable() {
  using C = HopperConfig;
  static const auto* table = new stride::ParamBindings<C>(stride::Concat(
      stride::Nest(&C::mujoco, stride::MujocoParamTable()),
      {stride::Bind(&C::healthy_z_min, "healthy_z_min", "lowest healthy torso height, m"),
       stride::Bind(&C::healthy_angle_max, "healthy_angle_max",
                    "largest healthy torso pitch either way, rad")}));
  return *table;
}

class Hopper : public stride::MujocoEnv {
 public:
  explicit Hopper(const HopperConfig& config)
      : MujocoEnv("hopper", Model(), config.mujoco, /*push_body=*/"torso"), config_(config) {
    for (const char* name : {"z", "pitch", "thigh", "leg", "foot"}) AddObservation(name);
    for (const char* name : {"x_velocity", "z_velocity", "pitch_rate", "thigh_velocity",
                             "leg_velocity", "foot_velocity"}) {
      AddObservation(name, 10.0);
    }
    for (const char* name : {"forward_velocity", "height", "control_squared"}) AddSignal(name);
  }

  std::vector<stride::EpisodeMetric> episode_metrics() const override {
    return {{"distance", "forward_velocity", stride::Aggregate::kIntegral, "metres hopped, m"}};
  }

 protected:
  void BeforePhysics() override { x_before_ = data().qpos[0]; }

  void Observe(float* observation) const override {
    for (int i = 1; i < model().nq; ++i) *observation++ = static_cast<float>(data().qpos[i]);
    for (int i = 0; i < model().nv; ++i) {
      *observation++ = static_cast<float>(std::clamp(data().qvel[i], -10.0, 10.0));
    }
  }

  bool Terminated() const override {
    const mjData& d = data();
    const auto bounded = [](double x) { return std::fabs(x) < 100.0; };
    return !(std::all_of(d.qpos + 2, d.qpos + model().nq, bounded) &&
             std::all_of(d.qvel, d.qvel + model().nv, bounded) &&
             d.qpos[1] > config_.healthy_z_min && std::fabs(d.qpos[2]) < config_.healthy_angle_max);
  }

  void Measure(double* signals) const override {
    signals[0] = (data().qpos[0] - x_before_) / dt();
    signals[1] = data().qpos[1];
    signals[2] = control_squared();
  }

 private:
  static std::shared_ptr<const mjModel> Model() {
    return stride::SharedMujocoModel("hopper", [] {
      return stride::CompileMujocoText("hopper.xml", embedded::kModelXml, "hopper model");
    });
  }

  HopperConfig config_;
  double x_before_ = 0.0;
};

std::vector<stride::PluginEntry> Entries() {
  return {stride::EnvironmentEntry(
      "hopper", "Gymnasium's Hopper-v4 (MuJoCo)", stride::SpecsOf(HopperTable()),
      [](const stride::Params& params) -> std::unique_ptr<stride::Environment> {
        return std::make_unique<Hopper>(stride::ReadConfig(HopperTable(), params));
      })};
}

}  // namespace

STRIDE_PLUGIN(Entries)
