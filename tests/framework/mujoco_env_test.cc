// What MujocoEnv does for every MuJoCo environment: actions from the
// actuators, clipping, reset noise, divergence, warnings and saved state.
#include "stride/mujoco_env.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stride/error.h"

namespace stride {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// a box on a rail, pushed by one motor with gear 10
constexpr char kXml[] = R"(<mujoco>
  <option timestep="0.01"/>
  <worldbody>
    <body name="box">
      <joint name="rail" type="slide" axis="1 0 0"/>
      <geom type="box" size="0.1 0.1 0.1" mass="1"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="push" joint="rail" ctrllimited="true" ctrlrange="-1 1" gear="10"/>
  </actuator>
</mujoco>)";

std::shared_ptr<const mjModel> Model() {
  return SharedMujocoModel("box", [] { return CompileMujocoText("box.xml", kXml, "box model"); });
}

// observes position and velocity, measures position, ends past x = 1
class BoxEnv : public MujocoEnv {
 public:
  explicit BoxEnv(const MujocoSettings& settings, const std::string& push_body = "box")
      : MujocoEnv("box", Model(), settings, push_body) {
    AddObservation("x");
    AddObservation("x_velocity", 5.0);
    AddSignal("x");
    AddSignal("control_squared");
  }

 protected:
  void Observe(float* observation) const override {
    observation[0] = static_cast<float>(data().qpos[0]);
    observation[1] = static_cast<float>(data().qvel[0]);
  }
  bool Terminated() const override { return data().qpos[0] > 1.0; }
  void Measure(double* signals) const override {
    signals[0] = data().qpos[0];
    signals[1] = control_squared();
  }
  void MeasureFailure(double* signals) const override { signals[0] = -1.0; }
};

MujocoSettings Settings(int frame_skip, double reset_noise, int max_episode_steps) {
  MujocoSettings settings;
  settings.frame_skip = frame_skip;
  settings.reset_noise = reset_noise;
  settings.max_episode_steps = max_episode_steps;
  return settings;
}

TEST(MujocoEnvTest, SpacesComeFromTheDeclarationsAndTheActuators) {
  BoxEnv env(Settings(3, 0.0, 10));
  EXPECT_THAT(env.observation_space().names, ElementsAre("x", "x_velocity"));
  EXPECT_EQ(env.observation_space().high[0], std::numeric_limits<double>::infinity());
  EXPECT_EQ(env.observation_space().low[1], -5.0);
  EXPECT_THAT(env.action_space().names, ElementsAre("push"));
  EXPECT_EQ(env.action_space().low[0], -1.0);
  EXPECT_EQ(env.action_space().high[0], 1.0);
  EXPECT_THAT(env.signal_names(), ElementsAre("x", "control_squared"));
  EXPECT_DOUBLE_EQ(env.dt(), 0.03);
  EXPECT_EQ(env.perturbations().size(), MujocoPerturbations::Declared().size());
}

TEST(MujocoEnvTest, ResetNoiseIsSeededAndBounded) {
  BoxEnv a(Settings(1, 0.1, 10));
  BoxEnv b(Settings(1, 0.1, 10));
  float obs_a[2], obs_b[2], obs_c[2];
  a.Reset(7, obs_a);
  b.Reset(7, obs_b);
  EXPECT_EQ(std::memcmp(obs_a, obs_b, sizeof obs_a), 0);
  b.Reset(8, obs_c);
  EXPECT_NE(std::memcmp(obs_a, obs_c, sizeof obs_a), 0);
  for (float x : obs_a) EXPECT_LE(std::fabs(x), 0.1f);
}

TEST(MujocoEnvTest, ActionsAreClippedAndANanControlCountsAsZero) {
  BoxEnv env(Settings(1, 0.0, 10));
  float obs[2];
  double signals[2];
  env.Reset(0, obs);
  const float big = 5.0f;
  env.Step(&big, obs, signals);
  EXPECT_EQ(signals[1], 1.0);
  const float nan = std::nanf("");
  env.Step(&nan, obs, signals);
  EXPECT_EQ(signals[1], 0.0);
  EXPECT_THAT(env.Warnings(), ElementsAre(HasSubstr("mjWARN_BADCTRL: 1 times")));
}

TEST(MujocoEnvTest, EpisodesEndByTheTaskOrTheStepLimit) {
  BoxEnv pushed(Settings(10, 0.0, 1000));
  float obs[2];
  double signals[2];
  pushed.Reset(0, obs);
  const float full = 1.0f;
  StepResult result;
  while (!result.terminated && !result.truncated) result = pushed.Step(&full, obs, signals);
  EXPECT_TRUE(result.terminated);
  EXPECT_GT(signals[0], 1.0);

  BoxEnv idle(Settings(1, 0.0, 4));
  idle.Reset(0, obs);
  const float zero = 0.0f;
  for (int t = 1; t <= 4; ++t) {
    result = idle.Step(&zero, obs, signals);
    EXPECT_EQ(result.truncated, t == 4) << t;
    EXPECT_FALSE(result.terminated);
  }
}

TEST(MujocoEnvTest, SavedStateContinuesBitwise) {
  BoxEnv env(Settings(2, 0.05, 100));
  env.SetPerturbations({{"observation_noise", 0.1}});
  float obs[2];
  double signals[2];
  env.Reset(3, obs);
  const float action = 0.3f;
  env.Step(&action, obs, signals);
  const std::vector<uint8_t> saved = env.SaveState();

  float expected[2], resumed[2];
  env.Step(&action, expected, signals);
  BoxEnv other(Settings(2, 0.05, 100));
  other.LoadState(saved);
  other.Step(&action, resumed, signals);
  EXPECT_EQ(std::memcmp(expected, resumed, sizeof expected), 0);

  std::vector<uint8_t> truncated(saved.begin(), saved.end() - 1);
  EXPECT_THAT([&] { other.LoadState(truncated); },
              testing::ThrowsMessage<RuntimeError>(HasSubstr("the box state is truncated")));
  // a state written by an earlier format
  std::vector<uint8_t> old = saved;
  old[0] = 2;
  EXPECT_THAT([&] { other.LoadState(old); },
              testing::ThrowsMessage<RuntimeError>(HasSubstr("box state version 2 is not 3")));
}

TEST(MujocoEnvTest, ADivergedStepEndsTheEpisodeAsANumericalFailure) {
  BoxEnv env(Settings(1, 0.0, 10));
  float obs[2];
  double signals[2];
  env.Reset(0, obs);
  // a non-finite state, as an unstable simulation leaves it
  const_cast<mjData*>(static_cast<const mjData*>(env.mujoco_data()))->qvel[0] = NAN;
  const float zero = 0.0f;
  const StepResult result = env.Step(&zero, obs, signals);
  EXPECT_TRUE(result.numerical_failure);
  EXPECT_TRUE(result.terminated);
  EXPECT_EQ(obs[0], 0.0f);
  EXPECT_EQ(signals[0], -1.0);
  EXPECT_EQ(signals[1], 0.0);
  EXPECT_THAT(env.Warnings(), testing::Contains(HasSubstr("numerical failure: 1 steps")));
}

TEST(MujocoEnvTest, ModelErrorsNameTheModel) {
  EXPECT_THAT([] { CompileMujocoText("bad.xml", "<mujoco><bad/></mujoco>", "bad model"); },
              testing::ThrowsMessage<RuntimeError>(HasSubstr("the bad model does not compile")));
  EXPECT_THAT([] { CompileMujocoFile("/nonexistent/model.xml", "test model"); },
              testing::ThrowsMessage<ConfigError>(
                  HasSubstr("cannot load the test model '/nonexistent/model.xml'")));
  EXPECT_THAT([] { BoxEnv env(Settings(1, 0.0, 10), "wheel"); },
              testing::ThrowsMessage<RuntimeError>(HasSubstr("the box model has no body 'wheel'")));
}

// an environment's config that nests the settings with its own defaults
struct NestingConfig {
  MujocoSettings mujoco = {/*frame_skip=*/4, /*reset_noise=*/0.005, /*max_episode_steps=*/500};
};

TEST(MujocoEnvTest, NestedParametersAreDeclaredWithTheEnvironmentsDefaults) {
  const ParamBindings<NestingConfig> table = Nest(&NestingConfig::mujoco, MujocoParamTable());
  Params params;
  for (const ParamSpec& spec : SpecsOf(table)) params.Set(spec.name, *spec.default_value);
  const MujocoSettings settings = ReadConfig(table, params).mujoco;
  EXPECT_EQ(settings.frame_skip, 4);
  EXPECT_EQ(settings.reset_noise, 0.005);
  EXPECT_EQ(settings.max_episode_steps, 500);
  params.Set("frame_skip", int64_t{2});
  EXPECT_EQ(MujocoSettings::FromParams(params).frame_skip, 2);
}

}  // namespace
}  // namespace stride
