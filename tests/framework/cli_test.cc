// The stride executable: every configuration and plugin error names where it
// is and exits with code 2; runtime failures exit with 1.
#include <filesystem>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"
#include "stride/build_info.h"
#include "stride/plugin.h"
#include "tensorboard_events.h"

namespace stride::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// a small valid experiment; line numbers matter to the tests below
std::string Experiment(const std::string& experiment_extra = "",
                       const std::string& algorithm_extra = "") {
  return "[experiment]\n"                // 1
         "name = \"tiny\"\n"             // 2
         "total_steps = 256\n"           // 3
         "checkpoint_every_steps = 0\n"  // 4
         + experiment_extra +            //
         "\n[environment]\n"
         "plugin = \"pendulum\"\n"
         "num_envs = 2\n"
         "\n[[reward]]\n"
         "plugin = \"alive_bonus\"\n"
         "\n[algorithm]\n"
         "plugin = \"ppo\"\n"
         "num_steps = 64\n"
         "num_minibatches = 2\n"
         "update_epochs = 1\n" +
         algorithm_extra +
         "\n[evaluation]\n"
         "episodes = 2\n";
}

std::string WriteExperiment(const std::string& name, const std::string& text) {
  const std::string path = TempDir(name) + "/experiment.toml";
  WriteFile(path, text);
  return path;
}

// the line of the first occurrence of needle, 1-based
int LineOf(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

TEST(CliTest, HelpAndVersionSucceed) {
  CliResult help = RunStride("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("usage: stride"));
  CliResult version = RunStride("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("mujoco 2.2.2"));
}

TEST(CliTest, UnknownCommandAndOptionAreUsageErrors) {
  CliResult command = RunStride("rnu x.toml");
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_THAT(command.err, HasSubstr("unknown command 'rnu' (did you mean 'run'?)"));
  CliResult option = RunStride("run x.toml --forse");
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_THAT(option.err, HasSubstr("unknown option '--forse' (did you mean '--force'?)"));
  CliResult missing = RunStride("validate");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("missing experiment file"));
}

TEST(CliTest, ValidExperimentValidates) {
  const std::string path = WriteExperiment("valid", Experiment());
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("ok"));
  EXPECT_THAT(result.out, HasSubstr("tiny/seed_0"));
}

TEST(CliTest, MissingFileNamesIt) {
  CliResult result = RunStride("validate /nonexistent/x.toml");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("/nonexistent/x.toml: cannot read the experiment file"));
}

TEST(CliTest, TomlSyntaxErrorHasLineAndColumn) {
  const std::string path = WriteExperiment("syntax", "[experiment]\nname = \"tiny\nseeds = [0]\n");
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(path + ":2:"));
  EXPECT_THAT(result.err, HasSubstr("TOML syntax error"));
}

TEST(CliTest, UnknownKeySuggestsTheNearestName) {
  const std::string text = Experiment("", "clip_epsiln = 0.1\n");
  const std::string path = WriteExperiment("unknown_key", text);
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err,
              HasSubstr(path + ":" + std::to_string(LineOf(text, "clip_epsiln")) +
                        ":1: unknown key 'algorithm.clip_epsiln' (did you mean 'clip_epsilon'?)"));
}

TEST(CliTest, UnknownTableSuggestsTheNearestName) {
  const std::string text = Experiment() + "\n[evalaution]\nepisodes = 3\n";
  const std::string path = WriteExperiment("unknown_table", text);
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("unknown table 'evalaution' (did you mean 'evaluation'?)"));
}

TEST(CliTest, WrongTypeSaysWhatWasExpected) {
  const std::string text = Experiment("", "clip_epsilon = \"wide\"\n");
  const std::string path = WriteExperiment("wrong_type", text);
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(path + ":" + std::to_string(LineOf(text, "clip_epsilon")) +
                                    ":16: 'algorithm.clip_epsilon' must be a float, got string "
                                    "\"wide\""));
}

TEST(CliTest, OutOfRangeSaysTheRange) {
  const std::string text = Experiment("", "gamma = 1.5\n");
  const std::string path = WriteExperiment("out_of_range", text);
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(":" + std::to_string(LineOf(text, "gamma")) +
                                    ":9: 'algorithm.gamma' = 1.5 is out of range: must be in [0"));
}

TEST(CliTest, MissingRequiredKeyNamesIt) {
  std::string text = Experiment();
  text.replace(text.find("name = \"tiny\"\n"), 14, "");
  const std::string path = WriteExperiment("missing_key", text);
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(path + ":1:1: missing required key 'experiment.name'"));
}

TEST(CliTest, UnsafeExperimentNameIsRefused) {
  std::string text = Experiment();
  text.replace(text.find("\"tiny\""), 6, "\"../escape\"");
  const std::string path = WriteExperiment("unsafe_name", text);
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("'experiment.name' = \"../escape\" must be a plain name"));
}

TEST(CliTest, OverridesAreValidatedAndNamed) {
  const std::string path = WriteExperiment("overrides", Experiment());
  CliResult wrong_type = RunStride("validate " + path + " --set algorithm.clip_epsilon=wide");
  EXPECT_EQ(wrong_type.exit_code, 2);
  EXPECT_THAT(wrong_type.err,
              HasSubstr("--set algorithm.clip_epsilon=wide: 'algorithm.clip_epsilon' "
                        "must be a float, got string \"wide\""));
  CliResult unknown = RunStride("validate " + path + " --set algorithm.clip_epsiln=0.1");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("--set algorithm.clip_epsiln=0.1: unknown key "
                                     "'algorithm.clip_epsiln' (did you mean 'clip_epsilon'?)"));
  CliResult reward = RunStride("validate " + path +
                               " --set reward.alive_bonus.weight=2 "
                               "--set algorithm.clip_epsilon=0.3");
  EXPECT_EQ(reward.exit_code, 0) << reward.err;
  CliResult no_reward = RunStride("validate " + path + " --set reward.ctrl_cost.weight=2");
  EXPECT_EQ(no_reward.exit_code, 2);
  EXPECT_THAT(no_reward.err, HasSubstr("no [[reward]] 'ctrl_cost'"));
}

TEST(CliTest, RepeatedSeedIsLocated) {
  const std::string text = Experiment("seeds = [3, 0, 3]\n");
  const std::string path = WriteExperiment("repeated_seed", text);
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(path + ":" + std::to_string(LineOf(text, "seeds")) +
                                    ":9: 'experiment.seeds' lists seed 3 twice"));
}

// a check a plugin's factory makes (one parameter against another) points at
// the parameter it names
TEST(CliTest, FactoryErrorsAreLocated) {
  std::string text = Experiment();
  text.replace(text.find("plugin = \"pendulum\""), 19, "plugin = \"biped\"\nhealthy_z_min = 2.5");
  const std::string path = WriteExperiment("factory_error", text);
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr(path + ":" + std::to_string(LineOf(text, "healthy_z_min")) +
                                    ":17: environment plugin 'biped' ("));
  EXPECT_THAT(result.err, HasSubstr("failed to start: healthy_z_min (2.5) must be below "
                                    "healthy_z_max (2)"));
}

// domain randomization and robustness name perturbations the environment
// declares, with numbers in their ranges
TEST(CliTest, PerturbationErrorsAreLocated) {
  const struct {
    std::string environment, evaluation, expected;
  } cases[] = {
      {"randomize = { mass_scal = [0.8, 1.2] }\n", "",
       ":15: 'environment.randomize.mass_scal': the environment has no perturbation 'mass_scal' "
       "(did you mean 'mass_scale'?)"},
      {"randomize = { mass_scale = [0.8] }\n", "",
       ":15: 'environment.randomize.mass_scale' must be a pair [low, high] of numbers"},
      {"randomize = { mass_scale = [1.2, 0.8] }\n", "",
       ":15: 'environment.randomize.mass_scale': low 1.2 is above high 0.8"},
      {"randomize = [0.8, 1.2]\n", "", ":13: 'environment.randomize' must be a table"},
      {"", "robustness = { push_impulse = [0, -5] }\n",
       ":16: 'evaluation.robustness.push_impulse' = -5 is out of range: must be in [0, 1000]"},
      {"", "robustness = { push_impulse = [\"hard\"] }\n",
       ":16: 'evaluation.robustness.push_impulse' must be a list of numbers"},
  };
  for (const auto& c : cases) {
    std::string text = Experiment() + c.evaluation;
    text.replace(text.find("num_envs = 2\n"), 13, "num_envs = 2\n" + c.environment);
    const std::string path = WriteExperiment("perturbation_errors", text);
    CliResult result = RunStride("validate " + path);
    EXPECT_EQ(result.exit_code, 2) << c.expected;
    const std::string key = c.environment.empty() ? "robustness" : "randomize";
    EXPECT_THAT(result.err, HasSubstr(path + ":" + std::to_string(LineOf(text, key)) + c.expected));
  }
}

// the final policy under each magnitude, at the end of training and again by
// stride eval --robustness, with the same numbers
TEST(CliTest, RobustnessIsEvaluatedAtTheEndAndAgainByEval) {
  const std::string dir = TempDir("robustness");
  const std::string path = WriteExperiment(
      "robustness_src",
      Experiment() + "robustness = { push_impulse = [0, 20], mass_scale = [0.5, 1] }\n");
  ASSERT_EQ(RunStride("run " + path + " --out " + dir).exit_code, 0);
  const std::string csv = ReadFile(dir + "/tiny/seed_0/robustness.csv");
  EXPECT_THAT(csv, HasSubstr("perturbation,magnitude,episodes,mean_return,std_return,"));
  EXPECT_THAT(csv, HasSubstr("\nmass_scale,0.5,2,"));
  EXPECT_THAT(csv, HasSubstr("\npush_impulse,20,2,"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  CliResult again = RunStride("eval " + dir + "/tiny/seed_0 --robustness");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(ReadFile(dir + "/tiny/seed_0/robustness.csv"), csv);
}

TEST(CliTest, UnknownPluginListsTheAvailableOnes) {
  std::string text = Experiment();
  text.replace(text.find("\"ppo\""), 5, "\"ppp\"");
  const std::string path = WriteExperiment("unknown_plugin", text);
  CliResult result = RunStride("validate " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(
      result.err,
      HasSubstr(
          ":" + std::to_string(LineOf(text, "\"ppp\"")) +
          ":10: unknown algorithm plugin 'ppp' (did you mean 'ppo'?); "
          "available: ars, ppo, random, sac, td3, vpg, zero (searched " STRIDE_BUILTIN_PLUGIN_DIR
          "; add a directory or library with "
          "plugin_dirs = [\"...\"] in the experiment's [experiment] "
          "table or with STRIDE_PLUGIN_PATH=DIR[:DIR...])"));
  // a plugin named on the command line is not blamed on --set
  CliResult check = RunStride("check-env cheetah");
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_THAT(check.err, HasSubstr("error: unknown environment plugin 'cheetah'; available: "));
  EXPECT_THAT(check.err, HasSubstr("STRIDE_PLUGIN_PATH=DIR"));
}

// an experiment whose plugin_dirs holds one test-only plugin directory
CliResult ValidateWithPluginDir(const std::string& name, const std::string& dir,
                                const std::string& reward = "alive_bonus") {
  std::string text = Experiment("plugin_dirs = [\"" + dir + "\"]\n");
  text.replace(text.find("\"alive_bonus\""), 13, "\"" + reward + "\"");
  return RunStride("validate " + WriteExperiment(name, text));
}

TEST(CliTest, LibraryWithoutManifestIsNamed) {
  CliResult result = ValidateWithPluginDir("no_manifest", STRIDE_TEST_PLUGIN_DIR "/no_manifest");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("stride_test_no_manifest.so' is not a stride plugin: it "
                                    "exports no 'stride_plugin_manifest'"));
}

// the ABI version tests/plugins/wrong_abi.cc claims
std::string WrongAbiVersion() { return std::to_string(kPluginAbiVersion + 98); }

TEST(CliTest, AbiMismatchNamesFileAndBothVersions) {
  CliResult result = ValidateWithPluginDir("wrong_abi", STRIDE_TEST_PLUGIN_DIR "/wrong_abi");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(
      result.err,
      HasSubstr("stride_test_wrong_abi.so' was built against stride " STRIDE_VERSION " (gcc "));
  // the test plugin claims this build's ABI version + 98
  EXPECT_THAT(result.err, HasSubstr(") with plugin ABI version " + WrongAbiVersion() +
                                    ", but this is stride " STRIDE_VERSION " (gcc "));
  EXPECT_THAT(result.err,
              HasSubstr(") with plugin ABI version " + std::to_string(kPluginAbiVersion) +
                        "; rebuild it against the installed SDK"));
}

TEST(CliTest, FingerprintMismatchNamesBothBuilds) {
  CliResult result =
      ValidateWithPluginDir("wrong_fingerprint", STRIDE_TEST_PLUGIN_DIR "/wrong_fingerprint");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(
      result.err,
      HasSubstr("stride_test_wrong_fingerprint.so' was built against stride "
                "0.0.1 (gcc 4.8, cxx11abi 0), but this is stride " STRIDE_VERSION " (gcc "));
}

TEST(CliTest, PluginBuiltAgainstAnotherSdkVersionNamesBothVersions) {
  CliResult result =
      ValidateWithPluginDir("other_sdk_version", STRIDE_TEST_PLUGIN_DIR "/other_sdk_version");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("stride_test_other_sdk_version.so' was built against stride "
                                    "0.0.1 (gcc "));
  EXPECT_THAT(result.err, HasSubstr("), but this is stride " STRIDE_VERSION " (gcc "));
  EXPECT_THAT(result.err, HasSubstr("); rebuild it against the installed SDK"));
}

TEST(CliTest, PluginBuiltAgainstAnotherLibtorchNamesBothVersions) {
  CliResult result =
      ValidateWithPluginDir("wrong_libtorch", STRIDE_TEST_PLUGIN_DIR "/wrong_libtorch");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("stride_test_wrong_libtorch.so' was built against LibTorch "
                                    "0.4.0, but this stride runs LibTorch " STRIDE_TORCH_VERSION
                                    "; rebuild it against the installed SDK and its LibTorch"));
}

TEST(CliTest, DuplicateNamesNameBothFiles) {
  CliResult result = ValidateWithPluginDir("duplicate", STRIDE_TEST_PLUGIN_DIR "/duplicate");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("reward plugin 'duplicate_term' is registered twice: by '"));
  EXPECT_THAT(result.err, HasSubstr("stride_test_duplicate_first.so' and by '"));
  EXPECT_THAT(result.err, HasSubstr("stride_test_duplicate_second.so'"));
}

TEST(CliTest, ThrowingFactoryNamesPluginAndMessage) {
  CliResult result = ValidateWithPluginDir("throwing", STRIDE_TEST_PLUGIN_DIR "/throwing_factory",
                                           "throwing_term");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("reward plugin 'throwing_term' ("));
  EXPECT_THAT(result.err, HasSubstr("failed to start: the sensor calibration is missing"));
}

TEST(CliTest, PluginPathThatIsNotARegularFileIsRefused) {
  const std::string dir = TempDir("not_regular");
  fs::create_directories(dir + "/looks_like_a_library.so");
  CliResult in_dir = ValidateWithPluginDir("not_regular_dir", dir);
  EXPECT_EQ(in_dir.exit_code, 2);
  EXPECT_THAT(in_dir.err, HasSubstr("looks_like_a_library.so' is not a regular file"));
  CliResult device = ValidateWithPluginDir("not_regular_device", "/dev/null");
  EXPECT_EQ(device.exit_code, 2);
  EXPECT_THAT(device.err, HasSubstr("'/dev/null' is neither a directory nor a regular file"));
  EXPECT_THAT(device.err, HasSubstr("experiment.toml:5:15: plugin path '/dev/null'"));
  CliResult missing = ValidateWithPluginDir("missing_dir", "no/such/dir");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("plugin directory '"));
  EXPECT_THAT(missing.err, HasSubstr("no/such/dir' does not exist"));
}

TEST(CliTest, PluginPathEnvironmentVariableIsSearched) {
  const std::string path = WriteExperiment("env_path", Experiment());
  CliResult result = RunStride("validate " + path);
  ASSERT_EQ(result.exit_code, 0);
  CliResult broken =
      RunStride("validate " + path, "STRIDE_PLUGIN_PATH=" STRIDE_TEST_PLUGIN_DIR "/wrong_abi");
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_THAT(broken.err, HasSubstr("with plugin ABI version " + WrongAbiVersion()));
}

TEST(CliTest, PluginsListsAndDescribesEveryPlugin) {
  CliResult list = RunStride("plugins");
  ASSERT_EQ(list.exit_code, 0);
  for (const char* name :
       {"biped", "pendulum", "alive_bonus", "forward_velocity", "ctrl_cost", "trunk_upright",
        "energy", "ppo", "vpg", "ars", "sac", "td3", "random", "zero"}) {
    EXPECT_THAT(list.out, HasSubstr(name));
    CliResult describe = RunStride(std::string("plugins describe ") + name);
    EXPECT_EQ(describe.exit_code, 0) << name << ": " << describe.err;
    EXPECT_THAT(describe.out, HasSubstr("parameters of its"));
  }
  CliResult ppo = RunStride("plugins describe ppo");
  EXPECT_THAT(ppo.out, HasSubstr("clip_epsilon"));
  EXPECT_THAT(ppo.out, HasSubstr("float"));
  EXPECT_THAT(ppo.out, HasSubstr("0.2"));
  // the table of the plugin's README
  CliResult markdown = RunStride("plugins describe ppo --markdown");
  EXPECT_EQ(markdown.exit_code, 0);
  EXPECT_THAT(markdown.out,
              ::testing::StartsWith("| name | type | default | allowed | description |\n"
                                    "| --- | --- | --- | --- | --- |\n"));
  EXPECT_THAT(markdown.out,
              HasSubstr("| `clip_epsilon` | float | `0.2` | >= 0 | probability ratios are "
                        "clipped to [1 - clip_epsilon, 1 + clip_epsilon] (a large value: no "
                        "clipping) |\n"));
  CliResult unknown = RunStride("plugins describe bipd");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown plugin 'bipd' (did you mean 'biped'?)"));
}

TEST(CliTest, RunWritesResolvedConfigThatReproducesTheRun) {
  const std::string dir = TempDir("reproduce");
  const std::string path = WriteExperiment("reproduce_src", Experiment());
  CliResult first = RunStride("run " + path + " --out " + dir + "/a");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string run_a = dir + "/a/tiny/seed_0";
  for (const char* file :
       {"config.toml", "manifest.json", "metrics.csv", "eval.csv", "policy.pt"}) {
    EXPECT_TRUE(fs::exists(run_a + "/" + file)) << file;
  }
  const std::string manifest = ReadFile(run_a + "/manifest.json");
  for (const char* key : {"\"config_hash\"", "\"build_id\"", "\"mujoco\"", "\"libtorch\"",
                          "\"host\"", "\"start_time\"", "pendulum", "alive_bonus"}) {
    EXPECT_THAT(manifest, HasSubstr(key));
  }

  // the resolved config, fed back, gives the same resolved config and metrics
  CliResult second = RunStride("run " + run_a + "/config.toml --out " + dir + "/b");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const std::string run_b = dir + "/b/tiny/seed_0";
  EXPECT_EQ(ReadFile(run_a + "/config.toml"), ReadFile(run_b + "/config.toml"));
  EXPECT_THAT(ReadFile(run_a + "/config.toml"), HasSubstr("clip_epsilon = 0.2"));
}

TEST(CliTest, SameSeedGivesBitwiseIdenticalMetricsAndPolicy) {
  const std::string dir = TempDir("determinism");
  const std::string path = WriteExperiment("determinism_src", Experiment());
  ASSERT_EQ(
      RunStride("run " + path + " --out " + dir + "/a --set experiment.total_steps=1024").exit_code,
      0);
  ASSERT_EQ(
      RunStride("run " + path + " --out " + dir + "/b --set experiment.total_steps=1024").exit_code,
      0);
  const std::string a = dir + "/a/tiny/seed_0", b = dir + "/b/tiny/seed_0";
  const std::string metrics = DeterministicColumns(a + "/metrics.csv");
  EXPECT_THAT(metrics, HasSubstr("policy_loss"));
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 9);  // header + 8 updates
  EXPECT_EQ(metrics, DeterministicColumns(b + "/metrics.csv"));
  EXPECT_EQ(DeterministicColumns(a + "/eval.csv"), DeterministicColumns(b + "/eval.csv"));
  EXPECT_TRUE(ReadFile(a + "/policy.pt") == ReadFile(b + "/policy.pt"));
}

// a run's TensorBoard scalars in file order, without the wall-clock ones
std::vector<std::tuple<int64_t, std::string, float>> DeterministicEvents(
    const std::string& run_dir) {
  const std::vector<std::string> files = EventFilesIn(run_dir);
  EXPECT_EQ(files.size(), 1u) << run_dir;
  std::vector<std::tuple<int64_t, std::string, float>> scalars;
  for (const std::string& file : files) {
    for (const TensorBoardEvent& event : ReadEventFile(file).events) {
      for (const auto& [tag, value] : event.scalars) {
        if (!IsWallClock(tag.substr(tag.find('/') + 1))) {
          scalars.emplace_back(event.step, tag, value);
        }
      }
    }
  }
  return scalars;
}

// SIGINT checkpoints and stops; --resume continues to the uninterrupted result
TEST(CliTest, InterruptedRunResumesBitwise) {
  const std::string dir = TempDir("resume");
  const std::string experiment = std::string(STRIDE_SOURCE_DIR) + "/experiments/pendulum_vpg.toml";
  ASSERT_EQ(RunStride("run " + experiment + " --out " + dir + "/full").exit_code, 0);
  const std::string cut = dir + "/cut/pendulum_vpg/seed_0",
                    full = dir + "/full/pendulum_vpg/seed_0";
  // the stop comes once an update is logged: a background job of the shell starts with SIGINT
  // ignored until stride installs its handlers, which a loaded machine can take seconds to reach
  const std::string interrupted = "run " + experiment + " --out " + dir +
                                  "/cut & pid=$!; until [ -s '" + cut +
                                  "/metrics.csv' ]; do sleep 0.1; done; kill -INT $pid; "
                                  "wait $pid; echo $? > " +
                                  dir + "/status; true";
  RunStride(interrupted);
  EXPECT_EQ(ReadFile(dir + "/status"), "130\n");  // 128 + SIGINT
  ASSERT_TRUE(fs::exists(cut + "/checkpoints/checkpoint.pt"));
  ASSERT_FALSE(fs::exists(cut + "/policy.pt"));
  CliResult resumed = RunStride("run --resume " + cut);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(DeterministicColumns(cut + "/metrics.csv"),
            DeterministicColumns(full + "/metrics.csv"));
  EXPECT_EQ(DeterministicColumns(cut + "/eval.csv"), DeterministicColumns(full + "/eval.csv"));
  // the criterion first held at the same step, or in neither run
  const auto first_success = [](const std::string& run_dir) {
    const std::string manifest = ReadFile(run_dir + "/manifest.json");
    const size_t at = manifest.find("\"time_to_success\": ");
    return manifest.substr(at, manifest.find_first_of(",}", at) - at);
  };
  EXPECT_THAT(first_success(full), HasSubstr("\"time_to_success\": "));
  EXPECT_EQ(first_success(cut), first_success(full));
  EXPECT_TRUE(ReadFile(cut + "/policy.pt") == ReadFile(full + "/policy.pt"));
  EXPECT_EQ(DeterministicEvents(cut), DeterministicEvents(full));
  CliResult again = RunStride("run --resume " + cut);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("has already finished"));
}

// a sweep in two processes: SIGINT checkpoints both; the same command resumes
// them, and once they have finished skips them
TEST(CliTest, InterruptedSweepResumesAndFinishedRunsAreSkipped) {
  const std::string dir = TempDir("sweep_resume");
  const std::string path =
      WriteExperiment("sweep_resume_src",
                      ReadFile(std::string(STRIDE_SOURCE_DIR) + "/experiments/pendulum_vpg.toml") +
                          "\n[sweep]\n\"algorithm.gamma\" = [0.99, 0.98]\n");
  const std::string options = " --out " + dir + " --set experiment.total_steps=40000";
  CliResult validate = RunStride("validate " + path + options);
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_THAT(validate.out, HasSubstr("ok, 2 variants x 1 seed = 2 runs"));
  EXPECT_THAT(validate.out, HasSubstr("pendulum_vpg/algorithm.gamma=0.98/seed_0  (new)"));

  const std::string run = "run " + path + options + " --jobs 2";
  // both runs have logged an update when the stop arrives
  const std::string logged = dir + "/pendulum_vpg/algorithm.gamma=0.9";
  RunStride(run + " & pid=$!; until [ -s '" + logged + "9/seed_0/metrics.csv' ] && [ -s '" +
            logged +
            "8/seed_0/metrics.csv' ]; do sleep 0.1; done; kill -INT $pid; wait $pid; echo $? > " +
            dir + "/status; true");
  EXPECT_EQ(ReadFile(dir + "/status"), "130\n");  // 128 + SIGINT
  for (const char* gamma : {"0.99", "0.98"}) {
    const std::string run_dir = dir + "/pendulum_vpg/algorithm.gamma=" + gamma + "/seed_0";
    EXPECT_TRUE(fs::exists(run_dir + "/checkpoints/checkpoint.pt")) << run_dir;
    EXPECT_FALSE(fs::exists(run_dir + "/policy.pt")) << run_dir;
  }
  validate = RunStride("validate " + path + options);
  EXPECT_THAT(validate.out, HasSubstr("(interrupted: resumes from its checkpoint)"));

  CliResult resumed = RunStride(run);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("algorithm.gamma=0.99/seed_0] resuming"));
  EXPECT_THAT(resumed.err, HasSubstr("algorithm.gamma=0.98/seed_0] resuming"));
  const std::string policy = ReadFile(dir + "/pendulum_vpg/algorithm.gamma=0.98/seed_0/policy.pt");

  CliResult again = RunStride(run);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("all 2 runs have finished; nothing to train"));
  EXPECT_TRUE(ReadFile(dir + "/pendulum_vpg/algorithm.gamma=0.98/seed_0/policy.pt") == policy);
}

// a small PPO-against-VPG sweep, end to end: run, then compare
TEST(CliTest, SweepThenCompareWritesAReport) {
  const std::string dir = TempDir("sweep_compare");
  const std::string path = WriteExperiment(
      "sweep_compare_src",
      Experiment("seeds = [0, 1, 2]\n") +
          "\n[[variant]]\nname = \"ppo\"\n"
          "\n[[variant]]\nname = \"vpg\"\nalgorithm = { plugin = \"vpg\", num_steps = 64 }\n");
  CliResult run = RunStride("run " + path + " --out " + dir + " --jobs 2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("6 runs: 6 to train, 0 finished; 2 at a time"));
  for (const char* variant : {"ppo", "vpg"}) {
    for (int seed = 0; seed < 3; ++seed) {
      EXPECT_TRUE(
          fs::exists(dir + "/tiny/" + variant + "/seed_" + std::to_string(seed) + "/policy.pt"));
    }
  }
  CliResult compare = RunStride("compare " + dir + "/tiny --reference vpg --reps 1000");
  ASSERT_EQ(compare.exit_code, 0) << compare.err;
  EXPECT_THAT(compare.out, HasSubstr("report: " + dir + "/tiny/report/report.md"));
  const std::string report = ReadFile(dir + "/tiny/report/report.md");
  EXPECT_THAT(report, HasSubstr("# Comparison: ppo vs vpg"));
  EXPECT_THAT(report, HasSubstr("| ppo | 3 | "));
  EXPECT_THAT(report, HasSubstr("| P(> vpg) [95% CI] |"));
  EXPECT_THAT(report, HasSubstr("| variant | total | alive_bonus |"));
  EXPECT_TRUE(fs::exists(dir + "/tiny/report/return_vs_steps.svg"));

  CliResult unknown = RunStride("compare " + dir + "/tiny --reference ppq");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("(did you mean 'ppo'?)"));
  CliResult missing = RunStride("compare " + dir + "/nothing");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("is not a directory of runs"));
}

TEST(CliTest, ExportAndEvalUseTheRunsPolicy) {
  const std::string dir = TempDir("export");
  const std::string path = WriteExperiment("export_src", Experiment());
  ASSERT_EQ(RunStride("run " + path + " --out " + dir).exit_code, 0);
  const std::string run = dir + "/tiny/seed_0";
  // TorchScript archives embed their file name: export under the same name
  const std::string exported_policy = dir + "/exported/policy.pt";
  CliResult exported = RunStride("export " + run + " --out " + exported_policy);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  // the checkpoint after the last update holds the policy training wrote
  EXPECT_TRUE(ReadFile(exported_policy) == ReadFile(run + "/policy.pt"));
  CliResult from_file = RunStride("eval " + exported_policy + " --episodes 3");
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_THAT(from_file.out, HasSubstr("3 episodes: return"));
  CliResult from_run = RunStride("eval " + run + " --episodes 3");
  EXPECT_EQ(from_run.exit_code, 0) << from_run.err;
  EXPECT_EQ(from_run.out.substr(from_run.out.find(':')),
            from_file.out.substr(from_file.out.find(':')));
  CliResult pushed = RunStride("eval " + run + " --episodes 3 --perturb actuator_scale=0");
  EXPECT_EQ(pushed.exit_code, 0) << pushed.err;
  EXPECT_THAT(pushed.out, HasSubstr("3 episodes under actuator_scale=0: "));
  EXPECT_NE(pushed.out.substr(pushed.out.find("return")),
            from_run.out.substr(from_run.out.find("return")));
  CliResult no_tests = RunStride("eval " + run + " --robustness");
  EXPECT_EQ(no_tests.exit_code, 2);
  EXPECT_THAT(no_tests.err, HasSubstr("lists no [evaluation] robustness"));
  CliResult misspelled = RunStride("eval " + run + " --perturb push=1");
  EXPECT_EQ(misspelled.exit_code, 2);
  EXPECT_THAT(misspelled.err, HasSubstr("--perturb push=1: expected NAME=VALUE"));
  CliResult not_a_policy = RunStride("eval " + path);
  EXPECT_EQ(not_a_policy.exit_code, 2);
  EXPECT_THAT(not_a_policy.err, HasSubstr("is not a TorchScript policy"));
  CliResult not_a_run = RunStride("export " + dir);
  EXPECT_EQ(not_a_run.exit_code, 2);
  EXPECT_THAT(not_a_run.err, HasSubstr("is not a run directory"));
}

TEST(CliTest, CheckEnvValidatesItsParameters) {
  CliResult ok = RunStride("check-env pendulum --steps 2000");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("0 failed"));
  CliResult mode = RunStride("check-env biped --set observation=seed15");
  EXPECT_EQ(mode.exit_code, 2);
  EXPECT_THAT(mode.err,
              HasSubstr("--set environment.observation=seed15: 'environment.observation' = "
                        "\"seed15\" is not allowed (did you mean 'seed14'?): must be one "
                        "of: seed14, walker17"));
  CliResult model = RunStride("check-env biped --set model=/nonexistent/biped.xml");
  EXPECT_EQ(model.exit_code, 2);
  EXPECT_THAT(model.err, HasSubstr("/nonexistent/biped.xml"));
}

TEST(CliTest, ExistingRunIsNeverOverwrittenSilently) {
  const std::string dir = TempDir("no_overwrite");
  const std::string path = WriteExperiment("no_overwrite_src", Experiment());
  ASSERT_EQ(RunStride("run " + path + " --out " + dir).exit_code, 0);
  const std::string metrics = ReadFile(dir + "/tiny/seed_0/metrics.csv");

  // the same experiment again: its finished run is skipped
  CliResult again = RunStride("run " + path + " --out " + dir);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("tiny/seed_0] finished: skipped"));
  EXPECT_EQ(ReadFile(dir + "/tiny/seed_0/metrics.csv"), metrics);

  // another configuration into the same directory is refused
  CliResult changed = RunStride("run " + path + " --out " + dir + " --set algorithm.gamma=0.9");
  EXPECT_EQ(changed.exit_code, 2);
  EXPECT_THAT(changed.err, HasSubstr("holds a run of another configuration (config.toml line"));
  EXPECT_THAT(changed.err, HasSubstr("'gamma = 0.99' there, 'gamma = 0.9' now"));
  EXPECT_THAT(changed.err, HasSubstr("pass --force to replace it"));
  EXPECT_EQ(ReadFile(dir + "/tiny/seed_0/metrics.csv"), metrics);

  CliResult forced =
      RunStride("run " + path + " --out " + dir + " --force --set algorithm.gamma=0.9");
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(ReadFile(dir + "/tiny/seed_0/config.toml"), HasSubstr("gamma = 0.9\n"));
}

TEST(CliTest, UnwritableOutputDirectoryIsAConfigError) {
  const std::string path = WriteExperiment("unwritable", Experiment());
  CliResult result = RunStride("run " + path + " --out /proc/stride_cannot_write_here");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(
      result.err,
      HasSubstr("cannot create run directory '/proc/stride_cannot_write_here/tiny/seed_0'"));
}

TEST(CliTest, BenchTrainReportsTheRatioWhereTheTimeGoesAndMemory) {
  const std::string path = WriteExperiment("bench", Experiment());
  CliResult result = RunStride("bench train " + path + " --steps 512");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("training (512 steps, 2 envs"));
  // too short to owe a burst between updates: raw stepping runs after training
  EXPECT_THAT(result.out, HasSubstr("threads, after training"));
  for (const char* phase :
       {"environment stepping", "policy inference and rollout storage", "advantages (GAE)",
        "update: forward and backward", "update: optimizer", "other (setup, run bookkeeping)"}) {
    EXPECT_THAT(result.out, HasSubstr(phase));
  }
  EXPECT_THAT(result.out, HasSubstr("peak resident memory: "));
  // the ratio is training's rate over raw stepping's, both printed
  const size_t at = result.out.find("training / raw: ");
  ASSERT_NE(at, std::string::npos) << result.out;
  EXPECT_GT(std::stod(result.out.substr(at + 16)), 0.0);
}

}  // namespace
}  // namespace stride::testing
