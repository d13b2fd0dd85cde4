// Each perturbation changes the model or the step as it says and nothing
// else, and the same episode seed gives the same perturbation.
#include "stride/mujoco_perturbations.h"

#include <cmath>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "stride/error.h"
#include "stride/mujoco_env.h"

namespace stride {
namespace {

// a sliding, hinged, actuated, damped two-body model
constexpr char kXml[] = R"(<mujoco>
  <option timestep="0.01"/>
  <worldbody>
    <geom name="floor" type="plane" size="5 5 0.1" friction="0.8 0.1 0.1"/>
    <body name="cart" pos="0 0 0.2">
      <joint name="slide" type="slide" axis="1 0 0" damping="2"/>
      <geom type="box" size="0.1 0.1 0.1" friction="1.5 0.1 0.1" mass="2"/>
      <body name="pole">
        <joint name="hinge" type="hinge" axis="0 1 0" damping="0.5"/>
        <geom type="capsule" fromto="0 0 0 0 0 0.5" size="0.03" mass="0.5"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="slide" gear="40"/>
    <motor joint="hinge" gear="5"/>
  </actuator>
</mujoco>)";

constexpr double kEnvDt = 0.04;

std::shared_ptr<const mjModel> Model() {
  static const std::shared_ptr<const mjModel> model(
      CompileMujocoText("test.xml", kXml, "test model").release(), mj_deleteModel);
  return model;
}

MujocoPerturbations Make(const std::vector<PerturbationValue>& values) {
  MujocoPerturbations p(Model(), /*push_body=*/1, kEnvDt);
  p.Set(values);
  return p;
}

// the arrays the scales touch, each compared with the base model's
struct Scales {
  double friction, mass, inertia, gear, damping;
};

// how model differs from the base, as a factor per array (1: unchanged),
// checked to be one factor over every element
Scales FactorsOf(const mjModel& m) {
  const mjModel& b = *Model();
  const auto factor = [](const mjtNum* a, const mjtNum* base, int n, int stride) {
    double f = std::nan("");
    for (int i = 0; i < n; ++i) {
      if (base[i * stride] == 0.0) continue;
      const double r = a[i * stride] / base[i * stride];
      if (std::isnan(f)) f = r;
      EXPECT_NEAR(r, f, 1e-12) << "element " << i;
    }
    return f;
  };
  return {factor(m.geom_friction, b.geom_friction, b.ngeom, 3),
          factor(m.body_mass, b.body_mass, b.nbody, 1),
          factor(m.body_inertia, b.body_inertia, 3 * b.nbody, 1),
          factor(m.actuator_gear, b.actuator_gear, b.nu, mjNGAIN),
          factor(m.dof_damping, b.dof_damping, b.nv, 1)};
}

TEST(PerturbationsTest, NeutralEpisodesUseTheSharedModel) {
  MujocoPerturbations p = Make({});
  EXPECT_EQ(p.BeginEpisode(1), Model().get());
  MujocoPerturbations scaled = Make({{"mass_scale", 1.0}, {"push_impulse", 0.0}});
  EXPECT_EQ(scaled.BeginEpisode(1), Model().get());
}

TEST(PerturbationsTest, EachScaleChangesItsArrayOnly) {
  const struct {
    const char* name;
    double Scales::*changed;
  } cases[] = {{"friction_scale", &Scales::friction},
               {"actuator_scale", &Scales::gear},
               {"damping_scale", &Scales::damping}};
  for (const auto& c : cases) {
    MujocoPerturbations p = Make({{c.name, 1.7}});
    const mjModel* m = p.BeginEpisode(3);
    ASSERT_NE(m, Model().get()) << c.name;
    Scales factors = FactorsOf(*m);
    EXPECT_DOUBLE_EQ(factors.*c.changed, 1.7) << c.name;
    factors.*c.changed = 1.0;
    EXPECT_DOUBLE_EQ(factors.friction, 1.0) << c.name;
    EXPECT_DOUBLE_EQ(factors.mass, 1.0) << c.name;
    EXPECT_DOUBLE_EQ(factors.inertia, 1.0) << c.name;
    EXPECT_DOUBLE_EQ(factors.gear, 1.0) << c.name;
    EXPECT_DOUBLE_EQ(factors.damping, 1.0) << c.name;
  }
  // mass scales inertia with it
  MujocoPerturbations p = Make({{"mass_scale", 0.8}});
  const Scales factors = FactorsOf(*p.BeginEpisode(3));
  EXPECT_DOUBLE_EQ(factors.mass, 0.8);
  EXPECT_DOUBLE_EQ(factors.inertia, 0.8);
  EXPECT_DOUBLE_EQ(factors.friction, 1.0);
  EXPECT_DOUBLE_EQ(factors.gear, 1.0);
  // the next episode goes back to the base when the scale is unset
  p.Set({});
  EXPECT_EQ(p.BeginEpisode(4), Model().get());
}

// the push force along x on the pushed body at each of steps steps
std::vector<double> PushForces(MujocoPerturbations& p, uint64_t seed, int steps) {
  std::unique_ptr<mjData, void (*)(mjData*)> data(mj_makeData(Model().get()), mj_deleteData);
  p.BeginEpisode(seed);
  std::vector<double> forces;
  for (int step = 0; step < steps; ++step) {
    p.Push(step, data.get());
    for (int k = 0; k < 6 * Model()->nbody; ++k) {
      if (k != 6 * 1) {
        EXPECT_EQ(data->xfrc_applied[k], 0.0);
      }
    }
    forces.push_back(data->xfrc_applied[6 * 1]);
  }
  return forces;
}

TEST(PerturbationsTest, PushesComeEveryOneToThreeSecondsWithTheirImpulse) {
  MujocoPerturbations p = Make({{"push_impulse", 12.0}});
  const int steps = static_cast<int>(30.0 / kEnvDt);
  const std::vector<double> forces = PushForces(p, 5, steps);
  std::vector<int> pushes;
  for (int step = 0; step < steps; ++step) {
    if (forces[step] == 0.0) continue;
    EXPECT_DOUBLE_EQ(std::fabs(forces[step]) * kEnvDt, 12.0);
    pushes.push_back(step);
  }
  ASSERT_GE(pushes.size(), 10u);
  EXPECT_GE(pushes[0] * kEnvDt, 1.0 - 1e-9);
  EXPECT_LE(pushes[0] * kEnvDt, 3.0 + 1e-9);
  for (size_t i = 1; i < pushes.size(); ++i) {
    EXPECT_GE((pushes[i] - pushes[i - 1]) * kEnvDt, 1.0 - 1e-9);
    EXPECT_LE((pushes[i] - pushes[i - 1]) * kEnvDt, 3.0 + 1e-9);
  }
  // the same seed, the same pushes; another seed, others
  EXPECT_EQ(PushForces(p, 5, steps), forces);
  EXPECT_NE(PushForces(p, 6, steps), forces);
  // without the perturbation, no force at all
  MujocoPerturbations none = Make({});
  EXPECT_EQ(PushForces(none, 5, steps), std::vector<double>(steps, 0.0));
}

TEST(PerturbationsTest, ObservationNoiseHasItsStdAndItsSeed) {
  MujocoPerturbations p = Make({{"observation_noise", 0.2}});
  const auto noise = [&p](uint64_t seed) {
    p.BeginEpisode(seed);
    std::vector<float> observation(20000, 1.0f);
    p.AddNoise(observation.data(), static_cast<int>(observation.size()));
    return observation;
  };
  const std::vector<float> a = noise(9);
  double sum = 0.0, sum_squares = 0.0;
  for (float x : a) {
    sum += x - 1.0;
    sum_squares += (x - 1.0) * (x - 1.0);
  }
  const double mean = sum / a.size();
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(std::sqrt(sum_squares / a.size() - mean * mean), 0.2, 0.005);
  EXPECT_EQ(noise(9), a);
  EXPECT_NE(noise(10), a);
  MujocoPerturbations none = Make({});
  none.BeginEpisode(9);
  std::vector<float> clean(5, 1.0f);
  none.AddNoise(clean.data(), 5);
  EXPECT_EQ(clean, std::vector<float>(5, 1.0f));
}

TEST(PerturbationsTest, ActionDelayAppliesActionsLate) {
  const float a0[2] = {1, 2}, a1[2] = {3, 4}, a2[2] = {5, 6};
  // two steps of zeros, then the actions in order
  MujocoPerturbations q = Make({{"action_delay", 2.0}});
  q.BeginEpisode(1);
  const float* d0 = q.Delay(a0);
  EXPECT_EQ(d0[0], 0.0f);
  EXPECT_EQ(d0[1], 0.0f);
  const float* d1 = q.Delay(a1);
  EXPECT_EQ(d1[0], 0.0f);
  const float* d2 = q.Delay(a2);
  EXPECT_EQ(d2[0], 1.0f);
  EXPECT_EQ(d2[1], 2.0f);
  const float* d3 = q.Delay(a0);
  EXPECT_EQ(d3[0], 3.0f);
  EXPECT_EQ(d3[1], 4.0f);
  // a new episode starts with zeros again; no delay passes actions through
  q.BeginEpisode(2);
  EXPECT_EQ(q.Delay(a2)[0], 0.0f);
  MujocoPerturbations none = Make({});
  none.BeginEpisode(1);
  EXPECT_EQ(none.Delay(a1), a1);
}

TEST(PerturbationsTest, SavedStateContinuesIdentically) {
  MujocoPerturbations p = Make({{"push_impulse", 3.0},
                                {"observation_noise", 0.1},
                                {"action_delay", 1.0},
                                {"friction_scale", 0.5}});
  std::unique_ptr<mjData, void (*)(mjData*)> data(mj_makeData(Model().get()), mj_deleteData);
  p.BeginEpisode(21);
  const float action[2] = {0.5f, -0.5f};
  for (int step = 0; step < 40; ++step) p.Push(step, data.get());
  p.Delay(action);
  StateWriter out(1);
  p.Save(&out);
  const std::vector<uint8_t> state = out.Take();

  MujocoPerturbations q = Make({});
  StateReader in(state, "test", 1);
  q.Load(&in);
  in.Finish();
  EXPECT_EQ(FactorsOf(*q.model()).friction, 0.5);
  for (int step = 40; step < 400; ++step) {
    p.Push(step, data.get());
    const double expected = data->xfrc_applied[6];
    q.Push(step, data.get());
    EXPECT_EQ(data->xfrc_applied[6], expected) << step;
  }
  float a[3] = {0, 0, 0}, b[3] = {0, 0, 0};
  p.AddNoise(a, 3);
  q.AddNoise(b, 3);
  EXPECT_EQ(std::vector<float>(a, a + 3), std::vector<float>(b, b + 3));
  EXPECT_EQ(p.Delay(action)[0], q.Delay(action)[0]);
}

TEST(PerturbationsTest, UnknownNameIsAConfigError) {
  MujocoPerturbations p(Model(), 1, kEnvDt);
  EXPECT_THROW(p.Set({{"gravity_scale", 2.0}}), ConfigError);
}

}  // namespace
}  // namespace stride
