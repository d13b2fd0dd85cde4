// [[variant]] x [sweep] x seeds: expansion order, run directories, the values
// each run gets, and errors that name file:line:col.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stride/error.h"
#include "stride/experiment.h"
#include "stride/registry.h"
#include "stride/runner.h"

namespace stride {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// a pendulum experiment; line numbers matter to the tests below
std::string Base() {
  return "[experiment]\n"      // 1
         "name = \"sweep\"\n"  // 2
         "seeds = [0, 1]\n"    // 3
         "plugin_dirs = [\"" STRIDE_BUILTIN_PLUGIN_DIR
         "\"]\n"                       // 4
         "[environment]\n"             // 5
         "plugin = \"pendulum\"\n"     // 6
         "[[reward]]\n"                // 7
         "plugin = \"alive_bonus\"\n"  // 8
         "[[reward]]\n"                // 9
         "plugin = \"ctrl_cost\"\n"    // 10
         "weight = 0.01\n"             // 11
         "[algorithm]\n"               // 12
         "plugin = \"ppo\"\n"          // 13
         "clip_epsilon = 0.2\n";       // 14
}

std::vector<Experiment> Expand(const std::string& extra,
                               const std::vector<std::string>& overrides = {},
                               const std::string& variant = "") {
  PluginRegistry registry;
  return ParseExperiments(Base() + extra, "exp.toml", overrides, registry, variant);
}

std::string ErrorOf(const std::string& extra) {
  try {
    Expand(extra);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

std::vector<std::string> Variants(const std::vector<Experiment>& experiments) {
  std::vector<std::string> names;
  for (const Experiment& experiment : experiments) names.push_back(experiment.variant);
  return names;
}

TEST(SweepTest, PlainFileIsOneExperimentWithoutVariant) {
  const std::vector<Experiment> experiments = Expand("");
  ASSERT_EQ(experiments.size(), 1u);
  EXPECT_EQ(experiments[0].variant, "");
  EXPECT_EQ(RunDirectory(experiments[0], "runs", 1), "runs/sweep/seed_1");
}

TEST(SweepTest, VariantsTimesGridInFileOrderFirstKeySlowest) {
  const std::vector<Experiment> experiments = Expand(
      "[sweep]\n"
      "\"algorithm.gamma\" = [0.9, 0.99]\n"
      "\"algorithm.clip_epsilon\" = [0.1, 0.2, 0.3]\n"
      "[[variant]]\n"
      "name = \"base\"\n"
      "[[variant]]\n"
      "name = \"big\"\n"
      "set = { \"algorithm.hidden_sizes\" = [128, 128] }\n");
  ASSERT_EQ(experiments.size(), 12u);
  EXPECT_EQ(experiments[0].variant, "base,algorithm.gamma=0.9,algorithm.clip_epsilon=0.1");
  EXPECT_EQ(experiments[1].variant, "base,algorithm.gamma=0.9,algorithm.clip_epsilon=0.2");
  EXPECT_EQ(experiments[3].variant, "base,algorithm.gamma=0.99,algorithm.clip_epsilon=0.1");
  EXPECT_EQ(experiments[11].variant, "big,algorithm.gamma=0.99,algorithm.clip_epsilon=0.3");
  EXPECT_DOUBLE_EQ(experiments[4].algorithm.params.GetDouble("clip_epsilon"), 0.2);
  EXPECT_DOUBLE_EQ(experiments[4].algorithm.params.GetDouble("gamma"), 0.99);
  EXPECT_THAT(experiments[0].algorithm.params.GetIntList("hidden_sizes"), ElementsAre(64, 64));
  EXPECT_THAT(experiments[6].algorithm.params.GetIntList("hidden_sizes"), ElementsAre(128, 128));
  EXPECT_THAT(experiments[6].variant_settings,
              ElementsAre("algorithm.hidden_sizes = [128, 128]", "algorithm.gamma = 0.9",
                          "algorithm.clip_epsilon = 0.1"));
  for (const Experiment& experiment : experiments) {
    EXPECT_THAT(experiment.seeds, ElementsAre(0, 1));
  }
  EXPECT_EQ(RunDirectory(experiments[11], "runs", 1),
            "runs/sweep/big,algorithm.gamma=0.99,algorithm.clip_epsilon=0.3/seed_1");
}

TEST(SweepTest, VariantReplacesTablesRemovesAndSets) {
  const std::vector<Experiment> experiments = Expand(
      "[[variant]]\n"
      "name = \"vpg\"\n"
      "algorithm = { plugin = \"vpg\", pi_lr = 0.001 }\n"
      "[[variant]]\n"
      "name = \"no_alive\"\n"
      "remove = [\"reward.alive_bonus\", \"algorithm.clip_epsilon\"]\n"
      "set = { \"reward.ctrl_cost.weight\" = 0.5 }\n"
      "[[variant]]\n"
      "name = \"one_term\"\n"
      "[[variant.reward]]\n"
      "plugin = \"energy\"\n");
  EXPECT_THAT(Variants(experiments), ElementsAre("vpg", "no_alive", "one_term"));
  EXPECT_EQ(experiments[0].algorithm.plugin, "vpg");
  EXPECT_DOUBLE_EQ(experiments[0].algorithm.params.GetDouble("pi_lr"), 0.001);
  ASSERT_EQ(experiments[1].rewards.size(), 1u);
  EXPECT_EQ(experiments[1].rewards[0].plugin, "ctrl_cost");
  EXPECT_DOUBLE_EQ(experiments[1].rewards[0].weight, 0.5);
  // removed: back to the plugin's default
  EXPECT_DOUBLE_EQ(experiments[1].algorithm.params.GetDouble("clip_epsilon"), 0.2);
  ASSERT_EQ(experiments[2].rewards.size(), 1u);
  EXPECT_EQ(experiments[2].rewards[0].plugin, "energy");
}

TEST(SweepTest, OverridesApplyToEveryRun) {
  const std::vector<Experiment> experiments =
      Expand("[sweep]\n\"algorithm.gamma\" = [0.9, 0.99]\n", {"algorithm.clip_epsilon=0.3"});
  ASSERT_EQ(experiments.size(), 2u);
  for (const Experiment& experiment : experiments) {
    EXPECT_DOUBLE_EQ(experiment.algorithm.params.GetDouble("clip_epsilon"), 0.3);
  }
}

TEST(SweepTest, SelectVariantByNameOrFullName) {
  const std::string file =
      "[sweep]\n\"algorithm.gamma\" = [0.9, 0.99]\n"
      "[[variant]]\nname = \"a\"\n[[variant]]\nname = \"b\"\n";
  EXPECT_THAT(Variants(Expand(file, {}, "b")),
              ElementsAre("b,algorithm.gamma=0.9", "b,algorithm.gamma=0.99"));
  EXPECT_THAT(Variants(Expand(file, {}, "a,algorithm.gamma=0.99")),
              ElementsAre("a,algorithm.gamma=0.99"));
  try {
    Expand(file, {}, "c");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("exp.toml: no variant 'c'; variants: a,algorithm.gamma=0.9, "));
  }
}

TEST(SweepTest, OverridesReachOnlyTheSelectedVariant) {
  // only variant b's algorithm has the key
  const std::string file =
      "[[variant]]\nname = \"a\"\n"
      "[[variant]]\nname = \"b\"\n[variant.algorithm]\nplugin = \"vpg\"\n";
  const std::vector<std::string> set = {"algorithm.train_v_iters=3"};
  const std::vector<Experiment> b = Expand(file, set, "b");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].algorithm.params.GetInt("train_v_iters"), 3);
  try {
    Expand(file, set);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown key 'algorithm.train_v_iters'"));
    EXPECT_THAT(e.what(), HasSubstr("(in variant 'a')"));
  }
}

TEST(SweepTest, UnknownSweepKeyNamesItsLineAndColumn) {
  EXPECT_THAT(ErrorOf("[sweep]\n\"algorithm.clip_epsilom\" = [0.1, 0.3]\n"),
              HasSubstr("exp.toml:16:29: unknown key 'algorithm.clip_epsilom' (did you mean "
                        "'clip_epsilon'?) (in variant 'algorithm.clip_epsilom=0.1')"));
  EXPECT_THAT(ErrorOf("[sweep]\n\"algoritm.gamma\" = [0.9]\n"),
              HasSubstr("exp.toml:16:1: unknown table 'algoritm' (did you mean 'algorithm'?)"));
  EXPECT_THAT(ErrorOf("[sweep]\n\"algorithm.gamma\" = [0.9, \"high\"]\n"),
              HasSubstr("exp.toml:16:27: 'algorithm.gamma' must be a float, got string \"high\""));
}

TEST(SweepTest, MalformedSweepsAreRefused) {
  EXPECT_THAT(ErrorOf("[sweep]\n\"algorithm.gamma\" = 0.9\n"),
              HasSubstr("exp.toml:16:1: sweep 'algorithm.gamma' must be a non-empty array of "
                        "values, got float 0.9"));
  EXPECT_THAT(ErrorOf("[sweep]\n\"algorithm.gamma\" = []\n"),
              HasSubstr("must be a non-empty array"));
  EXPECT_THAT(ErrorOf("[[sweep]]\n"), HasSubstr("exp.toml:15:1: 'sweep' must be a table"));
  EXPECT_THAT(ErrorOf("[sweep]\n\"experiment.seeds\" = [[0], [1]]\n"),
              HasSubstr("exp.toml:16:1: [sweep] cannot change 'experiment.seeds'"));
  EXPECT_THAT(ErrorOf("[sweep]\n\"environment.model\" = [\"a/b.xml\"]\n"),
              HasSubstr("exp.toml:16:24: sweep value \"a/b.xml\" cannot name a run directory"));
}

TEST(SweepTest, MalformedVariantsAreRefused) {
  EXPECT_THAT(ErrorOf("[[variant]]\nset = {}\n"),
              HasSubstr("exp.toml:15:1: missing required key 'variant.name'"));
  EXPECT_THAT(ErrorOf("[[variant]]\nname = \"a\"\n[[variant]]\nname = \"a\"\n"),
              HasSubstr("exp.toml:18:8: variant 'a' is declared twice"));
  EXPECT_THAT(ErrorOf("[[variant]]\nname = \"a b\"\n"),
              HasSubstr("exp.toml:16:8: 'variant.name' must be a plain name"));
  EXPECT_THAT(ErrorOf("[[variant]]\nname = \"a\"\nremvoe = [\"reward.ctrl_cost\"]\n"),
              HasSubstr("exp.toml:17:1: unknown key 'variant.remvoe' (did you mean 'remove'?)"));
  EXPECT_THAT(ErrorOf("[[variant]]\nname = \"a\"\nremove = [\"reward.energy\"]\n"),
              HasSubstr("exp.toml:17:11: no [[reward]] 'energy'; rewards: alive_bonus, ctrl_cost"));
  EXPECT_THAT(ErrorOf("[[variant]]\nname = \"a\"\nset = { \"algorithm.gamma\" = \"x\" }\n"),
              HasSubstr("exp.toml:17:29: 'algorithm.gamma' must be a float, got string \"x\" (in "
                        "variant 'a')"));
  EXPECT_THAT(ErrorOf("[[variant]]\nname = \"a\"\nset = { \"experiment.name\" = \"b\" }\n"),
              HasSubstr("exp.toml:17:9: a variant cannot change 'experiment.name'"));
  EXPECT_THAT(ErrorOf("[[variant]]\nname = \"a\"\nalgorithm = 3\n"),
              HasSubstr("exp.toml:17:13: 'variant.algorithm' must be a table; it replaces "
                        "[algorithm]"));
}

TEST(SweepTest, RunsThatWouldShareADirectoryAreRefused) {
  const std::vector<Experiment> experiments =
      Expand("[sweep]\n\"algorithm.gamma\" = [0.9, 0.90]\n");
  RunOptions options;
  options.output_dir = ::testing::TempDir() + "/share";
  try {
    PlanRuns(experiments, options);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("variants 'algorithm.gamma=0.9' and 'algorithm.gamma=0.9' "
                                    "would share the run directory"));
  }
}

}  // namespace
}  // namespace stride
