// hopper: Gymnasium's Hopper-v4 as a stride environment, built on the SDK's
// MuJoCo base (docs/plugins.md). Observations are qpos without x and qvel
// clipped to +-10; an episode ends when the hopper is unhealthy: torso below
// healthy_z_min, pitch beyond healthy_angle_max, or a joint state beyond 100.
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

class Hopper : public stride::MujocoEnv {
 public:
  Hopper(const stride::MujocoSettings& settings, double healthy_z_min, double healthy_angle_max)
      : MujocoEnv("hopper", Model(), settings, /*push_body=*/"torso"),
        healthy_z_min_(healthy_z_min),
        healthy_angle_max_(healthy_angle_max) {
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
    const bool healthy = std::all_of(d.qpos + 2, d.qpos + model().nq, bounded) &&
                         std::all_of(d.qvel, d.qvel + model().nv, bounded) &&
                         d.qpos[1] > healthy_z_min_ && std::fabs(d.qpos[2]) < healthy_angle_max_;
    return !healthy;
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

  double healthy_z_min_, healthy_angle_max_;
  double x_before_ = 0.0;
};

std::vector<stride::PluginEntry> Entries() {
  std::vector<stride::ParamSpec> params = stride::MujocoParamSpecs(
      /*frame_skip=*/4, /*reset_noise=*/0.005, /*max_episode_steps=*/1000);
  params.push_back(stride::DoubleParam("healthy_z_min", 0.7, "lowest healthy torso height, m"));
  params.push_back(
      stride::DoubleParam("healthy_angle_max", 0.2, "largest healthy torso pitch either way, rad"));
  return {stride::EnvironmentEntry(
      "hopper", "Gymnasium's Hopper-v4 (MuJoCo)", params,
      [](const stride::Params& params) -> std::unique_ptr<stride::Environment> {
        return std::make_unique<Hopper>(stride::MujocoSettings::FromParams(params),
                                        params.GetDouble("healthy_z_min"),
                                        params.GetDouble("healthy_angle_max"));
      })};
}

}  // namespace

STRIDE_PLUGIN(Entries)
