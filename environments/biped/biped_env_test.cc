// The biped, loaded from its library as stride loads it.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <mujoco/mujoco.h>
#include <unistd.h>

#include "stride/durable_file.h"
#include "stride/environment.h"
#include "stride/error.h"
#include "stride/registry.h"
#include "stride/success.h"
#include "stride/vec_env.h"

namespace stride::environments::biped {
namespace {

constexpr double kPi = 3.14159265358979323846;

// the actuated joints, in the documented order of actions and joint signals
constexpr int kNumJoints = 6;
constexpr std::array<const char*, kNumJoints> kJointNames = {
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle"};

const PluginEntry& Entry() {
  static const PluginRegistry* registry = [] {
    auto* loaded = new PluginRegistry();
    loaded->LoadLibrary(PLUGIN_LIBRARY);
    return loaded;
  }();
  return *registry->Find(PluginKind::kEnvironment, "biped").entry;
}

// the text of the built-in biped.xml
const std::string& BuiltinModelXml() {
  static const std::string* xml = new std::string(ReadFile(STRIDE_BIPED_XML));
  return *xml;
}

// every declared parameter at its default
Params DefaultParams(const std::vector<ParamSpec>& specs) {
  Params params;
  for (const ParamSpec& spec : specs) params.Set(spec.name, *spec.default_value);
  return params;
}

// a biped built through the plugin's factory, with some parameters changed
std::unique_ptr<Environment> MakeBiped(const std::map<std::string, ParamValue>& changes = {}) {
  const PluginEntry& entry = Entry();
  Params params = DefaultParams(entry.params);
  for (const auto& [name, value] : changes) {
    if (!params.Has(name)) throw std::logic_error("undeclared parameter " + name);
    params.Set(name, value);
  }
  return std::get<EnvironmentFactory>(entry.factory)(params);
}

int SignalAt(const Environment& env, const std::string& name) {
  const std::vector<std::string>& names = env.signal_names();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) throw std::logic_error("no signal " + name);
  return static_cast<int>(it - names.begin());
}

std::vector<float> RandomActions(int steps, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> actions(static_cast<size_t>(steps) * kNumJoints);
  for (float& a : actions) a = uniform(rng);
  return actions;
}

// observations, signals and flags of every step, as bytes
std::vector<uint8_t> Record(Environment& env, const std::vector<float>& actions) {
  std::vector<float> obs(env.observation_space().size());
  std::vector<double> signals(env.signal_names().size());
  std::vector<uint8_t> bytes;
  auto append = [&bytes](const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes.insert(bytes.end(), p, p + size);
  };
  for (size_t t = 0; t * kNumJoints < actions.size(); ++t) {
    const StepResult r = env.Step(actions.data() + t * kNumJoints, obs.data(), signals.data());
    append(obs.data(), obs.size() * sizeof(float));
    append(signals.data(), signals.size() * sizeof(double));
    const uint8_t flags[3] = {r.terminated, r.truncated, r.numerical_failure};
    append(flags, sizeof flags);
    if (r.terminated || r.truncated) break;
  }
  return bytes;
}

// a model file private to this process
std::string WriteTempModel(const std::string& name, const std::string& xml) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / fmt::format("{}_{}", getpid(), name);
  std::ofstream(path) << xml;
  return path.string();
}

// the built-in model with pieces of text replaced, each (from, to) once
std::string EditedModel(const std::vector<std::pair<std::string, std::string>>& edits) {
  std::string xml = BuiltinModelXml();
  for (const auto& [from, to] : edits) {
    const size_t at = xml.find(from);
    if (at == std::string::npos) throw std::logic_error("biped.xml has no " + from);
    xml.replace(at, from.size(), to);
  }
  return xml;
}

TEST(BipedEnvTest, ReadmeListsEveryParameterAsDeclared) {
  std::ifstream file(STRIDE_BIPED_README);
  const std::string readme((std::istreambuf_iterator<char>(file)), {});
  ASSERT_FALSE(readme.empty());
  for (const ParamSpec& spec : Entry().params) {
    const std::string row = ParamTableRow(spec);
    EXPECT_NE(readme.find(row), std::string::npos) << "README.md lacks the row\n" << row;
  }
}

TEST(BipedEnvTest, SeededResetIsReproducible) {
  auto a = MakeBiped();
  auto b = MakeBiped();
  std::vector<float> obs_a(14), obs_b(14);
  a->Reset(7, obs_a.data());
  b->Reset(7, obs_b.data());
  EXPECT_EQ(std::memcmp(obs_a.data(), obs_b.data(), sizeof(float) * 14), 0);
  b->Reset(8, obs_b.data());
  EXPECT_NE(std::memcmp(obs_a.data(), obs_b.data(), sizeof(float) * 14), 0);
}

TEST(BipedEnvTest, SameActionsGiveSameTrajectory) {
  auto a = MakeBiped();
  auto b = MakeBiped();
  std::vector<float> obs(14);
  a->Reset(3, obs.data());
  b->Reset(3, obs.data());
  const std::vector<float> actions = RandomActions(300, 1);
  const std::vector<uint8_t> first = Record(*a, actions);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, Record(*b, actions));
}

TEST(BipedEnvTest, InstancesShareOneCompiledModel) {
  auto a = MakeBiped();
  auto b = MakeBiped({{"observation", std::string("walker17")}});
  auto slippery = MakeBiped({{"left_foot_friction", 0.3}});
  EXPECT_EQ(a->mujoco_model(), b->mujoco_model());
  EXPECT_NE(a->mujoco_model(), slippery->mujoco_model());
  EXPECT_NE(a->mujoco_data(), b->mujoco_data());

  const mjModel* m = slippery->mujoco_model();
  const int foot = mj_name2id(m, mjOBJ_GEOM, "left_foot");
  const int shin = mj_name2id(m, mjOBJ_GEOM, "left_shin");
  EXPECT_EQ(m->geom_friction[3 * foot], 0.3);
  EXPECT_EQ(m->geom_friction[3 * shin], 0.9);
}

TEST(BipedEnvTest, EachFootHasItsOwnFrictionWalker2dV4sByDefault) {
  const auto friction = [](const Environment& env, const char* geom) {
    const mjModel* m = env.mujoco_model();
    return m->geom_friction[3 * mj_name2id(m, mjOBJ_GEOM, geom)];
  };
  auto v4 = MakeBiped();
  EXPECT_EQ(friction(*v4, "right_foot"), 0.9);
  EXPECT_EQ(friction(*v4, "left_foot"), 1.9);
  auto v5 = MakeBiped({{"right_foot_friction", 1.9}});
  EXPECT_EQ(friction(*v5, "right_foot"), 1.9);
  EXPECT_EQ(friction(*v5, "left_foot"), 1.9);
  EXPECT_NE(v4->mujoco_model(), v5->mujoco_model());
}

TEST(BipedEnvTest, Seed14Layout) {
  auto env = MakeBiped();
  const Space& space = env->observation_space();
  ASSERT_EQ(space.size(), 14);
  EXPECT_EQ(space.names[0], "trunk_pitch");
  EXPECT_EQ(space.names[2], "right_knee_angle");
  EXPECT_EQ(space.names[6], "left_ankle_angle");
  EXPECT_EQ(space.names[7], "trunk_pitch_rate");
  EXPECT_EQ(space.names[13], "left_ankle_velocity");
  // soft joint limits: angles are not bounded by the joint ranges
  for (int i = 0; i < 14; ++i) {
    EXPECT_EQ(space.low[i], -std::numeric_limits<double>::infinity()) << space.names[i];
    EXPECT_EQ(space.high[i], std::numeric_limits<double>::infinity()) << space.names[i];
  }

  std::vector<float> obs(14);
  env->Reset(0, obs.data());
  const mjData* d = env->mujoco_data();
  EXPECT_EQ(obs[0], static_cast<float>(d->qpos[2]));
  EXPECT_EQ(obs[1], static_cast<float>(d->qpos[3]));
  EXPECT_EQ(obs[7], static_cast<float>(d->qvel[2]));
  EXPECT_EQ(obs[13], static_cast<float>(d->qvel[8]));
  for (float x : obs) EXPECT_LE(std::fabs(x), 0.005);
}

TEST(BipedEnvTest, Walker17Layout) {
  auto env = MakeBiped({{"observation", std::string("walker17")}});
  const Space& space = env->observation_space();
  ASSERT_EQ(space.size(), 17);
  EXPECT_EQ(space.names[0], "trunk_height");
  EXPECT_EQ(space.names[1], "trunk_pitch");
  EXPECT_EQ(space.names[8], "x_velocity");
  EXPECT_EQ(space.names[9], "z_velocity");
  EXPECT_EQ(space.names[10], "trunk_pitch_rate");
  EXPECT_EQ(space.names[16], "left_ankle_velocity");
  EXPECT_EQ(space.low[8], -10.0);
  EXPECT_EQ(space.high[16], 10.0);

  std::vector<float> obs(17);
  env->Reset(0, obs.data());
  EXPECT_NEAR(obs[0], 1.25, 0.01);
  const mjData* d = env->mujoco_data();
  EXPECT_EQ(obs[1], static_cast<float>(d->qpos[2]));
  EXPECT_EQ(obs[8], static_cast<float>(d->qvel[0]));
}

TEST(BipedEnvTest, ActionSpaceNamesTheActuators) {
  auto env = MakeBiped();
  const Space& space = env->action_space();
  ASSERT_EQ(space.size(), kNumJoints);
  for (int j = 0; j < kNumJoints; ++j) {
    EXPECT_EQ(space.names[j], kJointNames[j]);
    EXPECT_EQ(space.low[j], -1.0);
    EXPECT_EQ(space.high[j], 1.0);
  }
}

TEST(BipedEnvTest, SignalNamesInOrder) {
  auto env = MakeBiped();
  std::vector<std::string> expected = {"forward_velocity", "x_position",      "height",
                                       "trunk_pitch",      "control_squared", "healthy"};
  for (const char* joint : kJointNames) expected.push_back(fmt::format("joint_velocity.{}", joint));
  for (const char* joint : kJointNames) expected.push_back(fmt::format("actuator_force.{}", joint));
  expected.push_back("foot_contact.right");
  expected.push_back("foot_contact.left");
  expected.push_back("foot_velocity.right");
  expected.push_back("foot_velocity.left");
  expected.push_back("fell");
  expected.push_back("body_contact");
  EXPECT_EQ(env->signal_names(), expected);
}

TEST(BipedEnvTest, ActionsAreClippedToTheControlRange) {
  auto clipped = MakeBiped();
  auto exact = MakeBiped();
  std::vector<float> obs(14);
  clipped->Reset(1, obs.data());
  exact->Reset(1, obs.data());
  const std::vector<float> wild = {10, -10, 3, -3, 1.5f, -100};
  const std::vector<float> limits = {1, -1, 1, -1, 1, -1};
  EXPECT_EQ(Record(*clipped, wild), Record(*exact, limits));

  std::vector<double> signals(clipped->signal_names().size());
  clipped->Step(wild.data(), obs.data(), signals.data());
  EXPECT_EQ(signals[SignalAt(*clipped, "control_squared")], 6.0);
}

TEST(BipedEnvTest, NanActionsAreIgnoredAndReported) {
  void (*previous)(const char*) = mju_user_warning;
  mju_user_warning = [](const char*) {};
  auto env = MakeBiped();
  std::vector<float> obs(14);
  std::vector<double> signals(env->signal_names().size());
  env->Reset(0, obs.data());
  const std::vector<float> action = {std::nanf(""), 1, 0, 0, 0, 0};
  const StepResult result = env->Step(action.data(), obs.data(), signals.data());
  mju_user_warning = previous;

  EXPECT_FALSE(result.numerical_failure);
  EXPECT_EQ(signals[SignalAt(*env, "control_squared")], 1.0);
  for (double s : signals) EXPECT_TRUE(std::isfinite(s));
  const std::vector<std::string> warnings = env->Warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("mjWARN_BADCTRL: ", 0), 0u) << warnings[0];
}

TEST(BipedEnvTest, TerminatesWhenTheTrunkTiltsBeyondTheLimit) {
  auto env = MakeBiped();
  std::vector<float> obs(14);
  std::vector<double> signals(env->signal_names().size());
  const int pitch = SignalAt(*env, "trunk_pitch");
  const int healthy = SignalAt(*env, "healthy");
  const double limit = 50 * kPi / 180;
  env->Reset(0, obs.data());
  const std::vector<float> action = {-1, 0, 0, -1, 0, 0};
  int steps = 0;
  StepResult result;
  while (steps < 1000 && !result.terminated) {
    result = env->Step(action.data(), obs.data(), signals.data());
    ++steps;
    if (!result.terminated) {
      ASSERT_LE(std::fabs(signals[pitch]), limit) << "step " << steps;
    }
  }
  ASSERT_TRUE(result.terminated) << "still standing after 1000 steps";
  EXPECT_GT(std::fabs(signals[pitch]), limit);
  EXPECT_EQ(signals[healthy], 0.0);
  EXPECT_FALSE(result.truncated);
  EXPECT_FALSE(result.numerical_failure);
}

TEST(BipedEnvTest, HealthyRangesTerminateOnHeight) {
  auto env = MakeBiped({{"healthy_ranges", true}, {"healthy_z_min", 1.3}});
  std::vector<float> obs(14);
  std::vector<double> signals(env->signal_names().size());
  env->Reset(0, obs.data());
  const std::vector<float> zero(kNumJoints, 0.0f);
  EXPECT_TRUE(env->Step(zero.data(), obs.data(), signals.data()).terminated);
}

TEST(BipedEnvTest, MinTrunkHeightTerminatesBelowIt) {
  auto env = MakeBiped({{"min_trunk_height", 1.3}});
  std::vector<float> obs(14);
  std::vector<double> signals(env->signal_names().size());
  env->Reset(0, obs.data());
  const std::vector<float> zero(kNumJoints, 0.0f);
  EXPECT_TRUE(env->Step(zero.data(), obs.data(), signals.data()).terminated);
  EXPECT_EQ(signals[SignalAt(*env, "fell")], 1.0);
  EXPECT_EQ(signals[SignalAt(*env, "healthy")], 0.0);
  // the standing height (1.25) is above 1.2
  auto lower = MakeBiped({{"min_trunk_height", 1.2}});
  lower->Reset(0, obs.data());
  EXPECT_FALSE(lower->Step(zero.data(), obs.data(), signals.data()).terminated);
  EXPECT_EQ(signals[SignalAt(*lower, "fell")], 0.0);
}

TEST(BipedEnvTest, TruncatesAtMaxEpisodeSteps) {
  auto env = MakeBiped({{"max_episode_steps", int64_t{5}}});
  EXPECT_EQ(env->max_episode_steps(), 5);
  std::vector<float> obs(14);
  std::vector<double> signals(env->signal_names().size());
  const std::vector<float> zero(kNumJoints, 0.0f);
  for (int episode = 0; episode < 2; ++episode) {
    env->Reset(episode, obs.data());
    for (int t = 1; t <= 5; ++t) {
      const StepResult r = env->Step(zero.data(), obs.data(), signals.data());
      EXPECT_FALSE(r.terminated);
      EXPECT_EQ(r.truncated, t == 5) << "step " << t;
    }
  }
}

TEST(BipedEnvTest, MissingModelFileIsAConfigErrorNamingIt) {
  const std::string path = "/nonexistent/dir/walker.xml";
  try {
    MakeBiped({{"model", path}});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(BipedEnvTest, WrongActuatorsAreAConfigError) {
  const std::string path =
      WriteTempModel("stride_biped_five_motors.xml",
                     EditedModel({{"<motor name=\"left_ankle\" joint=\"left_ankle\"/>", ""}}));
  try {
    MakeBiped({{"model", path}});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("exactly 6 actuators"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("found 5"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(BipedEnvTest, MissingJointIsAConfigError) {
  const std::string path = WriteTempModel(
      "stride_biped_no_knee.xml", EditedModel({{"joint name=\"right_knee\"", "joint name=\"knee\""},
                                               {"joint=\"right_knee\"", "joint=\"knee\""}}));
  try {
    MakeBiped({{"model", path}});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("missing: right_knee"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(BipedEnvTest, UnnamedTrunkBodyIsAConfigError) {
  const std::string path = WriteTempModel("stride_biped_unnamed_trunk.xml",
                                          EditedModel({{"<body name=\"torso\"", "<body"}}));
  try {
    MakeBiped({{"model", path}});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("must name the body of joint rootx"), std::string::npos)
        << e.what();
  }
  std::remove(path.c_str());
}

TEST(BipedEnvTest, ModelFileLoads) {
  const std::string path = WriteTempModel("stride_biped_copy.xml", BuiltinModelXml());
  auto from_file = MakeBiped({{"model", path}});
  auto builtin = MakeBiped();
  EXPECT_NE(from_file->mujoco_model(), builtin->mujoco_model());
  std::vector<float> a(14), b(14);
  from_file->Reset(5, a.data());
  builtin->Reset(5, b.data());
  const std::vector<float> actions = RandomActions(50, 5);
  EXPECT_EQ(Record(*from_file, actions), Record(*builtin, actions));
  std::remove(path.c_str());
}

TEST(BipedEnvTest, SavedStateContinuesBitwise) {
  auto original = MakeBiped();
  std::vector<float> obs(14);
  original->Reset(11, obs.data());
  Record(*original, RandomActions(40, 2));
  const std::vector<uint8_t> state = original->SaveState();

  auto restored = MakeBiped();
  restored->Reset(99, obs.data());
  restored->LoadState(state);
  const std::vector<float> rest = RandomActions(200, 3);
  const std::vector<uint8_t> expected = Record(*original, rest);
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(Record(*restored, rest), expected);
}

TEST(BipedEnvTest, LoadStateRejectsAForeignState) {
  auto env = MakeBiped();
  std::vector<uint8_t> state = env->SaveState();
  EXPECT_THROW(env->LoadState({}), RuntimeError);
  EXPECT_THROW(env->LoadState(std::vector<uint8_t>(state.begin(), state.end() - 1)), RuntimeError);
  state[4] = 10;  // nq
  EXPECT_THROW(env->LoadState(state), RuntimeError);
}

TEST(BipedEnvTest, RandomStepsStayFiniteAndWithinBounds) {
  auto env = MakeBiped({{"observation", std::string("walker17")}});
  const Space& space = env->observation_space();
  std::vector<float> obs(space.size());
  std::vector<double> signals(env->signal_names().size());
  const std::vector<float> actions = RandomActions(5000, 4);
  env->Reset(0, obs.data());
  int episodes = 0;
  for (int t = 0; t < 5000; ++t) {
    const StepResult r = env->Step(actions.data() + t * kNumJoints, obs.data(), signals.data());
    ASSERT_FALSE(r.numerical_failure) << "step " << t;
    for (int i = 0; i < space.size(); ++i) {
      ASSERT_TRUE(std::isfinite(obs[i])) << space.names[i] << " at step " << t;
      ASSERT_GE(obs[i], space.low[i]) << space.names[i] << " at step " << t;
      ASSERT_LE(obs[i], space.high[i]) << space.names[i] << " at step " << t;
    }
    for (double s : signals) ASSERT_TRUE(std::isfinite(s)) << "step " << t;
    if (r.terminated || r.truncated) env->Reset(++episodes, obs.data());
  }
  EXPECT_GT(episodes, 0);
}

TEST(BipedEnvTest, ForwardVelocityIsDisplacementOverDt) {
  auto env = MakeBiped();
  EXPECT_DOUBLE_EQ(env->dt(), 0.008);
  std::vector<float> obs(14);
  std::vector<double> signals(env->signal_names().size());
  const int velocity = SignalAt(*env, "forward_velocity");
  const int position = SignalAt(*env, "x_position");
  env->Reset(2, obs.data());
  double x = env->mujoco_data()->qpos[0];
  const std::vector<float> actions = RandomActions(100, 6);
  for (int t = 0; t < 100; ++t) {
    const StepResult r = env->Step(actions.data() + t * kNumJoints, obs.data(), signals.data());
    EXPECT_DOUBLE_EQ(signals[velocity], (signals[position] - x) / env->dt());
    x = signals[position];
    if (r.terminated) break;
  }
}

TEST(BipedEnvTest, FeetTouchTheFloorAfterTheDrop) {
  auto env = MakeBiped();
  std::vector<float> obs(14);
  std::vector<double> signals(env->signal_names().size());
  const std::vector<float> zero(kNumJoints, 0.0f);
  env->Reset(0, obs.data());
  env->Step(zero.data(), obs.data(), signals.data());
  EXPECT_EQ(signals[SignalAt(*env, "foot_contact.right")], 0.0);
  for (int t = 0; t < 20; ++t) env->Step(zero.data(), obs.data(), signals.data());
  EXPECT_EQ(signals[SignalAt(*env, "foot_contact.right")], 1.0);
  EXPECT_EQ(signals[SignalAt(*env, "foot_contact.left")], 1.0);
}

TEST(BipedEnvTest, FootVelocityIsTheFootsForwardSpeed) {
  auto env = MakeBiped();
  std::vector<float> obs(14);
  std::vector<double> signals(env->signal_names().size());
  const int right = SignalAt(*env, "foot_velocity.right");
  const int left = SignalAt(*env, "foot_velocity.left");
  const mjModel* m = env->mujoco_model();
  const mjData* d = env->mujoco_data();
  const int right_geom = mj_name2id(m, mjOBJ_GEOM, "right_foot");
  const int left_geom = mj_name2id(m, mjOBJ_GEOM, "left_foot");
  env->Reset(0, obs.data());

  // in the air, the right hip swings its foot back and the left foot moves less;
  // each step's average speed lies between the speeds the step starts and ends with
  const std::vector<float> swing = {-1.0f, 0, 0, 0, 0, 0};
  double right_x = d->geom_xpos[3 * right_geom];
  double left_x = d->geom_xpos[3 * left_geom];
  double right_before = 0.0, left_before = 0.0;
  for (int t = 0; t < 6; ++t) {
    env->Step(swing.data(), obs.data(), signals.data());
    ASSERT_EQ(signals[SignalAt(*env, "foot_contact.right")], 0.0);
    const double right_moved = (d->geom_xpos[3 * right_geom] - right_x) / env->dt();
    const double left_moved = (d->geom_xpos[3 * left_geom] - left_x) / env->dt();
    if (t > 0) {
      EXPECT_LE(right_moved, std::max(right_before, signals[right]) + 1e-3) << t;
      EXPECT_GE(right_moved, std::min(right_before, signals[right]) - 1e-3) << t;
      EXPECT_LE(left_moved, std::max(left_before, signals[left]) + 1e-3) << t;
      EXPECT_GE(left_moved, std::min(left_before, signals[left]) - 1e-3) << t;
    }
    right_x = d->geom_xpos[3 * right_geom];
    left_x = d->geom_xpos[3 * left_geom];
    right_before = signals[right];
    left_before = signals[left];
  }
  EXPECT_LT(signals[right], -0.5);
  EXPECT_LT(std::fabs(signals[left]), 0.5 * std::fabs(signals[right]));

  // standing on the floor, both feet are still
  const std::vector<float> zero(kNumJoints, 0.0f);
  env->Reset(0, obs.data());
  for (int t = 0; t < 60; ++t) env->Step(zero.data(), obs.data(), signals.data());
  EXPECT_EQ(signals[SignalAt(*env, "foot_contact.right")], 1.0);
  EXPECT_LT(std::fabs(signals[right]), 0.05);
  EXPECT_LT(std::fabs(signals[left]), 0.05);
}

TEST(BipedEnvTest, ActuatorForceAndJointVelocitySignals) {
  auto env = MakeBiped();
  std::vector<float> obs(14);
  std::vector<double> signals(env->signal_names().size());
  env->Reset(0, obs.data());
  const std::vector<float> action = {0.5f, -0.25f, 0, 0, 0, 0.75f};
  env->Step(action.data(), obs.data(), signals.data());
  const mjData* d = env->mujoco_data();
  EXPECT_EQ(signals[SignalAt(*env, "actuator_force.right_hip")], d->actuator_force[0]);
  EXPECT_EQ(signals[SignalAt(*env, "actuator_force.left_ankle")], d->actuator_force[5]);
  EXPECT_EQ(signals[SignalAt(*env, "joint_velocity.right_knee")], d->qvel[4]);
  EXPECT_EQ(static_cast<float>(signals[SignalAt(*env, "joint_velocity.right_knee")]), obs[9]);
}

TEST(BipedEnvTest, DivergenceIsANumericalFailureNotACrash) {
  static std::vector<std::string>* messages = new std::vector<std::string>;
  void (*previous)(const char*) = mju_user_warning;
  mju_user_warning = [](const char* message) { messages->push_back(message); };

  const std::string path = WriteTempModel("stride_biped_huge_gear.xml",
                                          EditedModel({{"gear=\"100\"", "gear=\"1e15\""}}));
  auto env = MakeBiped({{"model", path}});
  std::vector<float> obs(14);
  std::vector<double> signals(env->signal_names().size());
  env->Reset(0, obs.data());
  const std::vector<float> action(kNumJoints, 1.0f);
  StepResult result;
  for (int t = 0; t < 10 && !result.numerical_failure; ++t) {
    result = env->Step(action.data(), obs.data(), signals.data());
  }
  mju_user_warning = previous;
  std::remove(path.c_str());

  ASSERT_TRUE(result.numerical_failure);
  EXPECT_TRUE(result.terminated);
  EXPECT_EQ(signals[SignalAt(*env, "fell")], 1.0);
  for (float x : obs) EXPECT_EQ(x, 0.0f);
  for (double s : signals) EXPECT_TRUE(std::isfinite(s));
  const std::vector<std::string> warnings = env->Warnings();
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].find("mjWARN_BAD"), std::string::npos) << warnings[0];
  EXPECT_FALSE(messages->empty());

  // the instance goes on after a reset
  env->Reset(1, obs.data());
  const std::vector<float> zero(kNumJoints, 0.0f);
  EXPECT_FALSE(env->Step(zero.data(), obs.data(), signals.data()).numerical_failure);
}

// ---- the gait: episode metrics of scripted episodes ----

using Controller = std::function<std::vector<float>(const float* observation)>;

// stands: every joint held at 0 (seed14 observations)
std::vector<float> Stand(const float* observation) {
  std::vector<float> action(kNumJoints);
  for (int j = 0; j < kNumJoints; ++j) {
    action[j] = static_cast<float>(-2.0 * observation[1 + j] - 0.05 * observation[8 + j]);
  }
  return action;
}

// hips forward, knees back: the walker sinks to its knees and stays there
std::vector<float> Kneel(const float*) { return {1, -1, 0, 1, -1, 0}; }

// what the metrics should be, measured from the simulation itself
struct Gait {
  int steps = 0;
  bool terminated = false;
  double distance = 0, lowest_height = 1e9, height_sum = 0;
  int steps_with_body_on_floor = 0;
};

// one episode of controller from a reset without noise, measured from mjData
Gait MeasuredGait(const std::map<std::string, ParamValue>& changes, const Controller& controller) {
  auto env = MakeBiped(changes);
  const mjModel* m = env->mujoco_model();
  const mjData* d = env->mujoco_data();
  const int rootx = m->jnt_qposadr[mj_name2id(m, mjOBJ_JOINT, "rootx")];
  const int rootz = m->jnt_qposadr[mj_name2id(m, mjOBJ_JOINT, "rootz")];
  const int right_foot = mj_name2id(m, mjOBJ_GEOM, "right_foot");
  const int left_foot = mj_name2id(m, mjOBJ_GEOM, "left_foot");
  std::vector<float> obs(env->observation_space().size());
  std::vector<double> signals(env->signal_names().size());
  env->Reset(0, obs.data());
  const double x_start = d->qpos[rootx];
  Gait gait;
  StepResult result;
  while (!result.terminated && !result.truncated) {
    result = env->Step(controller(obs.data()).data(), obs.data(), signals.data());
    ++gait.steps;
    gait.lowest_height = std::min(gait.lowest_height, d->qpos[rootz]);
    gait.height_sum += d->qpos[rootz];
    // a floor contact of a geom but the feet, unless inside a heel's cap
    bool body_on_floor = false;
    for (int c = 0; c < d->ncon; ++c) {
      bool in_heel = false;
      for (int foot : {right_foot, left_foot}) {
        const double* ankle = d->xpos + 3 * m->geom_bodyid[foot];
        const double* at = d->contact[c].pos;
        const double distance = std::hypot(at[0] - ankle[0], at[1] - ankle[1], at[2] - ankle[2]);
        in_heel |= distance <= m->geom_size[3 * foot];
      }
      for (const auto& [geom, other] : {std::pair(d->contact[c].geom1, d->contact[c].geom2),
                                        std::pair(d->contact[c].geom2, d->contact[c].geom1)}) {
        body_on_floor |= m->geom_bodyid[other] == 0 && m->geom_bodyid[geom] != 0 &&
                         geom != right_foot && geom != left_foot && !in_heel;
      }
    }
    gait.steps_with_body_on_floor += body_on_floor ? 1 : 0;
  }
  gait.terminated = result.terminated;
  gait.distance = d->qpos[rootx] - x_start;
  return gait;
}

// the same episode through a vectorized environment: its metrics by name
EpisodeValues RecordedGait(const std::map<std::string, ParamValue>& changes,
                           const Controller& controller) {
  std::vector<std::unique_ptr<Environment>> envs;
  envs.push_back(MakeBiped(changes));
  const std::vector<std::string> signal_names = envs[0]->signal_names();
  VecEnv env(
      std::move(envs),
      std::make_shared<const RewardFunction>(std::vector<RewardFunction::Term>{}, signal_names), 0,
      1);
  env.Reset();
  std::vector<EpisodeRecord> episodes;
  while (episodes.empty()) {
    env.Step(controller(env.observations()).data());
    episodes = env.TakeCompletedEpisodes();
  }
  EpisodeValues values;
  for (size_t m = 0; m < env.episode_metrics().size(); ++m) {
    values[env.episode_metrics()[m].name] = episodes[0].metrics[m];
  }
  return values;
}

// the experiments' walking criterion
SuccessCriterion Walking() {
  SuccessCriterion criterion;
  for (const char* text : {"distance >= 10", "fell == 0", "lowest_trunk_height >= 0.8",
                           "ground_contact_fraction == 0"}) {
    criterion.conditions.push_back(ParseMetricCondition(text));
  }
  return criterion;
}

void ExpectMetricsMeasure(const Gait& gait, const EpisodeValues& metrics) {
  const double dt = 0.008;
  EXPECT_NEAR(metrics.at("distance"), gait.distance, 1e-9);
  EXPECT_NEAR(metrics.at("forward_speed"), gait.distance / (gait.steps * dt), 1e-9);
  EXPECT_EQ(metrics.at("fell"), gait.terminated ? 1.0 : 0.0);
  EXPECT_EQ(metrics.at("lowest_trunk_height"), gait.lowest_height);
  EXPECT_NEAR(metrics.at("mean_trunk_height"), gait.height_sum / gait.steps, 1e-12);
  EXPECT_NEAR(metrics.at("ground_contact_fraction"),
              static_cast<double>(gait.steps_with_body_on_floor) / gait.steps, 1e-12);
}

TEST(BipedGaitTest, StandingUprightIsNoWalk) {
  const std::map<std::string, ParamValue> changes = {{"reset_noise", 0.0},
                                                     {"max_episode_steps", int64_t{200}}};
  const Gait gait = MeasuredGait(changes, Stand);
  const EpisodeValues metrics = RecordedGait(changes, Stand);
  ExpectMetricsMeasure(gait, metrics);
  EXPECT_EQ(gait.steps, 200);
  EXPECT_EQ(metrics.at("fell"), 0.0);
  EXPECT_GT(metrics.at("lowest_trunk_height"), 1.15);
  EXPECT_EQ(metrics.at("ground_contact_fraction"), 0.0);
  EXPECT_LT(std::fabs(metrics.at("distance")), 0.05);
  // upright, on its feet, but not 10 m
  EXPECT_FALSE(Walking().EpisodeSucceeds(metrics));
  EpisodeValues walked_far = metrics;
  walked_far["distance"] = 10.0;
  EXPECT_TRUE(Walking().EpisodeSucceeds(walked_far));
}

TEST(BipedGaitTest, OnItsKneesItNeverFallsByTiltButFailsTheCriterion) {
  // the seed's rule read literally has no height fall; 180 degrees: no tilt fall either
  const std::map<std::string, ParamValue> changes = {
      {"reset_noise", 0.0}, {"max_trunk_angle_deg", 180.0}, {"max_episode_steps", int64_t{300}}};
  const Gait gait = MeasuredGait(changes, Kneel);
  const EpisodeValues metrics = RecordedGait(changes, Kneel);
  ExpectMetricsMeasure(gait, metrics);
  EXPECT_EQ(gait.steps, 300);
  EXPECT_EQ(metrics.at("fell"), 0.0);
  EXPECT_LT(metrics.at("lowest_trunk_height"), 0.8);
  EXPECT_LT(metrics.at("mean_trunk_height"), 0.8);
  EXPECT_GT(metrics.at("ground_contact_fraction"), 0.5);
  // "no fall" holds, the trunk height and the knees on the floor fail it
  EpisodeValues walked_far = metrics;
  walked_far["distance"] = 10.0;
  EXPECT_FALSE(Walking().EpisodeSucceeds(walked_far));
  walked_far["lowest_trunk_height"] = 1.0;
  EXPECT_FALSE(Walking().EpisodeSucceeds(walked_far));
  walked_far["ground_contact_fraction"] = 0.0;
  EXPECT_TRUE(Walking().EpisodeSucceeds(walked_far));
}

TEST(BipedGaitTest, TheHeightFallEndsTheSameEpisodeAsAFall) {
  const std::map<std::string, ParamValue> changes = {{"reset_noise", 0.0},
                                                     {"max_trunk_angle_deg", 180.0},
                                                     {"min_trunk_height", 0.8},
                                                     {"max_episode_steps", int64_t{300}}};
  const Gait gait = MeasuredGait(changes, Kneel);
  const EpisodeValues metrics = RecordedGait(changes, Kneel);
  ExpectMetricsMeasure(gait, metrics);
  EXPECT_TRUE(gait.terminated);
  EXPECT_LT(gait.steps, 300);
  EXPECT_EQ(metrics.at("fell"), 1.0);
  // the step that fell is the only one below 0.8 m
  EXPECT_LT(metrics.at("lowest_trunk_height"), 0.8);
  EXPECT_GT(metrics.at("mean_trunk_height"), 0.8);
}

TEST(BipedGaitTest, DeclaresTheGaitMetrics) {
  std::vector<std::string> names;
  for (const EpisodeMetric& metric : MakeBiped()->episode_metrics()) names.push_back(metric.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"distance", "forward_speed", "fell", "lowest_trunk_height",
                                      "mean_trunk_height", "ground_contact_fraction"}));
  auto env = MakeBiped();
  EXPECT_EQ(EpisodeMetricsProblem(env->episode_metrics(), env->signal_names()), "");
}

TEST(BipedEnvTest, InvalidSettingsAreConfigErrors) {
  EXPECT_THROW(MakeBiped({{"max_trunk_angle_deg", 0.0}}), ConfigError);
  EXPECT_THROW(MakeBiped({{"healthy_z_min", 2.0}, {"healthy_z_max", 1.0}}), ConfigError);
}

}  // namespace
}  // namespace stride::environments::biped
