// Success criteria through the stride executable: their configuration errors,
// time to success in eval.csv and manifest.json, and stop_on_success.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace stride::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// PPO on the pendulum; evaluation holds the [evaluation] table's lines
std::string PendulumExperiment(const std::string& evaluation, int64_t total_steps = 256) {
  return "[experiment]\n"
         "name = \"tiny\"\n"
         "total_steps = " +
         std::to_string(total_steps) +
         "\n"
         "checkpoint_every_steps = 0\n"
         "\n[environment]\n"
         "plugin = \"pendulum\"\n"
         "num_envs = 8\n"
         "\n[[reward]]\n"
         "plugin = \"alive_bonus\"\n"
         "\n[algorithm]\n"
         "plugin = \"ppo\"\n"
         "num_steps = 256\n"
         "num_minibatches = 8\n"
         "\n[evaluation]\n" +
         evaluation;
}

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = TempDir(name) + "/experiment.toml";
  WriteFile(path, text);
  return path;
}

// a CSV file as columns of numbers by name
std::map<std::string, std::vector<double>> Columns(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> names;
  std::stringstream header(line);
  for (std::string name; std::getline(header, name, ',');) names.push_back(name);
  std::map<std::string, std::vector<double>> columns;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::string cell;
    for (const std::string& name : names) {
      std::getline(cells, cell, ',');
      columns[name].push_back(cell.empty() ? std::nan("") : std::stod(cell));
    }
  }
  return columns;
}

TEST(SuccessCliTest, UnknownMetricIsAConfigErrorAtItsLineAndColumn) {
  const std::string text = PendulumExperiment(
      "episodes = 2\n"
      "success = [\"return >= 10\", \"distance >= 1\"]\n");
  const CliResult result = RunStride("validate " + Write("unknown_metric", text));
  EXPECT_EQ(result.exit_code, 2);
  // line 20, where the second condition starts
  EXPECT_THAT(result.err, HasSubstr("experiment.toml:20:28: 'evaluation.success': unknown metric "
                                    "'distance'; the episode metrics of 'pendulum' are return\n"));
}

TEST(SuccessCliTest, MisspelledBipedMetricSuggestsTheNearestAndListsThemAll) {
  const CliResult result =
      RunStride("validate " + std::string(STRIDE_SOURCE_DIR) + "/experiments/quickstart.toml" +
                " --set 'evaluation.success=[\"lowest_trunk_hieght >= 0.8\"]'");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err,
              HasSubstr("--set evaluation.success=[\"lowest_trunk_hieght >= 0.8\"]: "
                        "'evaluation.success': unknown metric 'lowest_trunk_hieght' (did you "
                        "mean 'lowest_trunk_height'?); the episode metrics of 'biped' are return, "
                        "distance, forward_speed, fell, lowest_trunk_height, mean_trunk_height, "
                        "ground_contact_fraction"));
}

TEST(SuccessCliTest, MalformedCriteriaAreConfigErrors) {
  const auto error_of = [](const std::string& name, const std::string& evaluation) {
    const CliResult result = RunStride("validate " + Write(name, PendulumExperiment(evaluation)));
    EXPECT_EQ(result.exit_code, 2) << evaluation;
    return result.err;
  };
  EXPECT_THAT(error_of("bad_condition", "success = [\"return => 10\"]\n"),
              HasSubstr(":19:12: 'evaluation.success': 'return => 10' is not a condition"));
  EXPECT_THAT(
      error_of("too_many", "episodes = 3\nsuccess = [\"return >= 10\"]\nmin_successes = 4\n"),
      HasSubstr(":21:17: 'evaluation.min_successes' = 4 is more than the 3 evaluation "
                "episodes"));
  EXPECT_THAT(error_of("stop_alone", "stop_on_success = true\n"),
              HasSubstr(":19:19: 'evaluation.stop_on_success' needs a success criterion: "
                        "evaluation.success"));
  EXPECT_THAT(error_of("min_alone", "min_successes = 2\n"),
              HasSubstr("'evaluation.min_successes' needs a success criterion"));
  EXPECT_THAT(error_of("not_strings", "success = [10]\n"),
              HasSubstr("'evaluation.success' must be an array of strings"));
}

TEST(SuccessCliTest, StopOnSuccessEndsTrainingAtTheFirstSuccessfulEvaluation) {
  const std::string dir = TempDir("stop_on_success");
  const std::string path =
      Write("stop_on_success_src", PendulumExperiment("every_steps = 2048\n"
                                                      "episodes = 10\n"
                                                      "success = [\"return >= 1000\"]\n"
                                                      "stop_on_success = true\n",
                                                      60'000));
  const CliResult run = RunStride("run " + path + " --out " + dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string run_dir = dir + "/tiny/seed_0";
  EXPECT_THAT(run.err,
              HasSubstr("finished at the first evaluation that met the success criterion"));
  EXPECT_TRUE(fs::exists(run_dir + "/policy.pt"));

  // every evaluation before the last failed; the last succeeded, and training ended there
  auto eval = Columns(run_dir + "/eval.csv");
  const std::vector<double>& success = eval["success"];
  ASSERT_GE(success.size(), 2u);
  for (size_t k = 0; k + 1 < success.size(); ++k) {
    EXPECT_EQ(success[k], 0.0) << k;
    EXPECT_LT(eval["successes"][k], 10.0) << k;
  }
  EXPECT_EQ(success.back(), 1.0);
  EXPECT_EQ(eval["successes"].back(), 10.0);
  const double stop_step = eval["step"].back();
  EXPECT_LT(stop_step, 60'000);
  auto metrics = Columns(run_dir + "/metrics.csv");
  EXPECT_EQ(metrics["step"].back(), stop_step);
  // training time leaves the evaluations out
  EXPECT_LT(metrics["train_time_s"].back(), metrics["time_s"].back());

  // the manifest records the same time to success
  const std::string manifest = ReadFile(run_dir + "/manifest.json");
  char expected[128];
  std::snprintf(expected, sizeof expected,
                "\"time_to_success\": {\"steps\": %.0f, \"train_seconds\": %.3f}", stop_step,
                eval["train_time_s"].back());
  EXPECT_THAT(manifest, HasSubstr(expected));

  // the run has finished: run again skips it, and its policy meets the criterion
  const CliResult again = RunStride("run " + path + " --out " + dir);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("all 1 runs have finished; nothing to train"));
  const CliResult evaluated = RunStride("eval " + run_dir);
  EXPECT_EQ(evaluated.exit_code, 0) << evaluated.err;
  EXPECT_THAT(evaluated.out,
              HasSubstr("return 1000.0 +- 0.0; success: 10 of 10 episodes met the criterion "
                        "(10 needed)"));
}

TEST(SuccessCliTest, WithoutACriterionNothingIsRecorded) {
  const std::string dir = TempDir("no_criterion");
  const CliResult run = RunStride(
      "run " + Write("no_criterion_src", PendulumExperiment("episodes = 2\n")) + " --out " + dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string run_dir = dir + "/tiny/seed_0";
  const std::string eval = ReadFile(run_dir + "/eval.csv");
  EXPECT_EQ(eval.substr(0, eval.find('\n')), "step,episodes,mean_return,std_return,train_time_s");
  EXPECT_THAT(ReadFile(run_dir + "/manifest.json"), Not(HasSubstr("time_to_success")));
}

// a run that balances the pole at its second evaluation and forgets by the
// third keeps the policy that balanced it, beside its last
TEST(SuccessCliTest, ARunThatSucceedsThenDegradesKeepsThePolicyThatSucceeded) {
  const std::string dir = TempDir("kept_policies");
  std::string text = PendulumExperiment(
      "every_steps = 128\n"
      "episodes = 2\n"
      "success = [\"return >= 15\"]\n",
      512);
  const std::string experiment = "[experiment]\n";
  text.replace(text.find(experiment), experiment.size(),
               experiment + "plugin_dirs = [\"" STRIDE_TEST_PLUGIN_DIR "/scripted\"]\n");
  const std::string ppo = "plugin = \"ppo\"\nnum_steps = 256\nnum_minibatches = 8\n";
  text.replace(text.find(ppo), ppo.size(), "plugin = \"scripted\"\npush_percent = [100, 0, 100]\n");
  const CliResult run = RunStride("run " + Write("kept_policies_src", text) + " --out " + dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string run_dir = dir + "/tiny/seed_0";
  const auto eval = Columns(run_dir + "/eval.csv");
  ASSERT_EQ(eval.at("success"), (std::vector<double>{0, 1, 0, 0}))
      << ReadFile(run_dir + "/eval.csv");

  // the manifest names each policy and its evaluation
  const std::string manifest = ReadFile(run_dir + "/manifest.json");
  EXPECT_THAT(manifest, HasSubstr("\"best_policy\": {\"file\": \"policy_best.pt\", \"step\": 256, "
                                  "\"success_fraction\": 1, "));
  EXPECT_THAT(manifest, HasSubstr("\"first_success_policy\": {\"file\": "
                                  "\"policy_first_success.pt\", \"step\": 256, "));
  // the kept policies succeed, the last does not
  for (const char* kept : {"policy_best.pt", "policy_first_success.pt"}) {
    const CliResult evaluated = RunStride("eval " + run_dir + "/" + kept);
    EXPECT_EQ(evaluated.exit_code, 0) << evaluated.err;
    EXPECT_THAT(evaluated.out, HasSubstr("; success: 2 of 2 episodes met the criterion")) << kept;
  }
  const CliResult last = RunStride("eval " + run_dir + "/policy.pt");
  EXPECT_EQ(last.exit_code, 0) << last.err;
  EXPECT_THAT(last.out, HasSubstr("no success: 0 of 2 episodes met the criterion"));
}

}  // namespace
}  // namespace stride::testing
