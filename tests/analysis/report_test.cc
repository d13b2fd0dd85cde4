// stride compare's report from hand-written run directories with known scores.
#include "report.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_data.h"
#include "stride/error.h"
#include "svg_plot.h"
#include "time_to_success.h"

namespace stride::analysis {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// a finished run whose final evaluation returns score
void WriteRun(const fs::path& dir, double score, bool finished = true) {
  Write(dir / "metrics.csv",
        "step,time_s,train_time_s,steps_per_second,episodes,episode_return,return/alive_bonus\n"
        "100,1,1,100,2,nan,nan\n"
        "200,2,2,100,2," +
            std::to_string(score / 2) +
            ",4\n"
            "1000,10,9,100,2," +
            std::to_string(score) + ",8\n");
  Write(dir / "eval.csv",
        "step,episodes,mean_return,std_return,train_time_s,distance,fell\n"
        "500,10,1,0,5,0.5,1\n"
        "1000,10," +
            std::to_string(score) + ",0,9,2.5,0.5\n");
  Write(dir / "config.toml", "[experiment]\nseeds = [" + dir.filename().string().substr(5) + "]\n");
  if (finished) Write(dir / "policy.pt", "");
}

// under a directory of the test's own: ctest runs tests in parallel
fs::path Experiment() {
  const fs::path root = fs::path(::testing::TempDir()) / "compare_test" /
                        ::testing::UnitTest::GetInstance()->current_test_info()->name() / "exp";
  fs::remove_all(root);
  WriteRun(root / "ppo" / "seed_0", 40);
  WriteRun(root / "ppo" / "seed_1", 50);
  WriteRun(root / "ppo" / "seed_2", 60);
  WriteRun(root / "vpg" / "seed_0", 10);
  WriteRun(root / "vpg" / "seed_1", 30);
  WriteRun(root / "vpg" / "seed_2", 20);
  WriteRun(root / "vpg" / "seed_3", 99, false);
  return root;
}

TEST(ReportTest, GroupsRunsByVariantAndLeavesOutUnfinishedOnes) {
  const std::vector<Group> groups = FindGroups({Experiment().string()});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].label, "ppo");
  EXPECT_EQ(groups[1].label, "vpg");
  EXPECT_EQ(groups[1].runs.size(), 3u);
  ASSERT_EQ(groups[1].unfinished.size(), 1u);
  EXPECT_THAT(groups[1].unfinished[0], HasSubstr("vpg/seed_3"));
  // one variant's directory, or several experiments side by side
  EXPECT_EQ(FindGroups({(Experiment() / "vpg").string()})[0].label, "vpg");
  EXPECT_EQ(FindGroups({(Experiment() / "vpg" / "seed_1").string()})[0].label, "vpg");
}

TEST(ReportTest, SummaryMatchesHandComputedStatistics) {
  const std::vector<VariantSummary> summaries =
      Summarize(FindGroups({Experiment().string()}), "vpg", 2000);
  const VariantSummary& ppo = summaries[0];
  EXPECT_THAT(ppo.scores, ElementsAre(40, 50, 60));
  EXPECT_DOUBLE_EQ(ppo.mean, 50.0);
  EXPECT_DOUBLE_EQ(ppo.std, 10.0);
  EXPECT_DOUBLE_EQ(ppo.median, 50.0);
  EXPECT_DOUBLE_EQ(ppo.iqm, 50.0);
  EXPECT_DOUBLE_EQ(ppo.iqm_interval.low, 40.0);
  EXPECT_DOUBLE_EQ(ppo.iqm_interval.high, 60.0);
  // every ppo run beats every vpg run
  EXPECT_DOUBLE_EQ(ppo.improvement, 1.0);
  EXPECT_DOUBLE_EQ(ppo.improvement_interval.low, 1.0);
  // the environment's metrics from the final evaluations: 15 falls in 30 episodes
  ASSERT_EQ(ppo.metrics.size(), 2u);
  EXPECT_EQ(ppo.metrics[0].first, "distance");
  EXPECT_THAT(ppo.metrics[0].second, ElementsAre(2.5, 2.5, 2.5));
  EXPECT_EQ(ppo.metrics[1].first, "fell");
  EXPECT_THAT(ppo.metrics[1].second, ElementsAre(0.5, 0.5, 0.5));
  EXPECT_TRUE(std::isnan(summaries[1].improvement));
}

TEST(ReportTest, WritesMarkdownCsvAndFigures) {
  CompareOptions options;
  options.dirs = {Experiment().string()};
  options.out_dir = (Experiment().parent_path() / "report").string();
  options.reps = 1000;
  options.command = "stride compare exp";
  WriteComparison(options);
  const std::string report = Read(fs::path(options.out_dir) / "report.md");
  EXPECT_THAT(report, HasSubstr("# Comparison: ppo vs vpg"));
  EXPECT_THAT(report, HasSubstr("reference `ppo`"));
  EXPECT_THAT(report, HasSubstr("| vpg | 3 | 20.0 ± 10.0 | 20.0 | 20.0 [10.0, 30.0] | "
                                "0.00 [0.00, 0.00] |\n"));
  EXPECT_THAT(report, HasSubstr("| variant | distance | fell |\n|---|---|---|\n"
                                "| ppo | 2.5 ± 0 | 0.5 ± 0 |\n"));
  // without a success criterion there is no time to success
  EXPECT_THAT(report, Not(HasSubstr("Time to success")));
  EXPECT_FALSE(fs::exists(fs::path(options.out_dir) / "time_to_success.csv"));
  EXPECT_THAT(report, HasSubstr("vpg/seed_3 has not finished (no policy.pt): left out"));
  // terms over the last 10% of training: the last row only
  EXPECT_THAT(report, HasSubstr("| ppo | 50.0 ± 10.0 | 8.0 ± 0.0 |"));
  EXPECT_THAT(Read(fs::path(options.out_dir) / "summary.csv"),
              HasSubstr("p_high,distance_mean,distance_std,fell_mean,fell_std\n"
                        "ppo,3,50,10,50,50,40,60,nan,nan,nan,2.5,0,0.5,0\n"));
  for (const char* figure :
       {"final_return.svg", "return_vs_steps.svg", "return_vs_time.svg", "eval_vs_steps.svg"}) {
    const std::string svg = Read(fs::path(options.out_dir) / figure);
    EXPECT_THAT(svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\"")) << figure;
    EXPECT_THAT(svg, HasSubstr("</svg>")) << figure;
    EXPECT_THAT(svg, HasSubstr(">vpg</text>")) << figure;
  }
}

// a finished run with a success criterion; success_at[k] is whether the
// evaluation at steps 250, 500 and 1000 (2, 4 and 9 training seconds) succeeded
void WriteSuccessRun(const fs::path& dir, const std::vector<int>& success_at) {
  WriteRun(dir, 10);
  std::string eval =
      "step,episodes,mean_return,std_return,train_time_s,distance,successes,success\n";
  const int steps[] = {250, 500, 1000};
  const int seconds[] = {2, 4, 9};
  for (size_t k = 0; k < success_at.size(); ++k) {
    eval += fmt::format("{},10,10,0,{},1,{},{}\n", steps[k], seconds[k], success_at[k] ? 10 : 3,
                        success_at[k]);
  }
  Write(dir / "eval.csv", eval);
}

fs::path SuccessExperiment() {
  const fs::path root = fs::path(::testing::TempDir()) / "compare_test" /
                        ::testing::UnitTest::GetInstance()->current_test_info()->name() / "exp";
  fs::remove_all(root);
  WriteSuccessRun(root / "fast" / "seed_0", {0, 1, 1});
  WriteSuccessRun(root / "fast" / "seed_1", {1, 1, 1});
  WriteSuccessRun(root / "fast" / "seed_2", {0, 0, 0});
  WriteSuccessRun(root / "slow" / "seed_0", {0, 0, 1});
  WriteSuccessRun(root / "slow" / "seed_1", {0, 0, 0});
  WriteSuccessRun(root / "slow" / "seed_2", {0, 0, 0});
  return root;
}

TEST(TimeToSuccessTest, FirstSuccessfulEvaluationOrCensoredAtTheBudget) {
  const std::vector<Group> groups = FindGroups({SuccessExperiment().string()});
  const std::optional<RunSuccess> first = SuccessOf(groups[0].runs[0]);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->succeeded);
  EXPECT_EQ(first->steps, 500);
  EXPECT_EQ(first->seconds, 4);
  const std::optional<RunSuccess> never = SuccessOf(groups[0].runs[2]);
  ASSERT_TRUE(never);
  EXPECT_FALSE(never->succeeded);
  EXPECT_EQ(never->steps, 1000);
  EXPECT_EQ(never->seconds, 9);
  // a run without a criterion has no time to success
  EXPECT_FALSE(SuccessOf(FindGroups({Experiment().string()})[0].runs[0]));

  const std::vector<VariantSuccess> variants = SummarizeSuccess(groups, 2000, 7);
  ASSERT_EQ(variants.size(), 2u);
  const VariantSuccess& fast = variants[0];
  EXPECT_EQ(fast.succeeded, 2);
  EXPECT_TRUE(fast.censored);
  // steps 500, 250 and 1000 (censored); seconds 4, 2 and 9
  EXPECT_EQ(fast.median_steps.value, 500);
  EXPECT_DOUBLE_EQ(fast.iqm_steps.value, 1750.0 / 3);
  EXPECT_EQ(fast.median_steps.interval.low, 250);
  EXPECT_EQ(fast.median_steps.interval.high, 1000);
  EXPECT_EQ(fast.median_seconds.value, 4);
  EXPECT_DOUBLE_EQ(fast.iqm_seconds.value, 5);
  EXPECT_EQ(variants[1].succeeded, 1);
  EXPECT_EQ(variants[1].median_steps.value, 1000);
}

TEST(TimeToSuccessTest, ReportStatesTheCensoringAndDrawsTheFractionSucceeded) {
  CompareOptions options;
  options.dirs = {SuccessExperiment().string()};
  options.out_dir = (SuccessExperiment().parent_path() / "report").string();
  options.reps = 1000;
  options.command = "stride compare exp";
  const Comparison comparison = WriteComparison(options);
  ASSERT_EQ(comparison.successes.size(), 2u);
  const std::string report = Read(fs::path(options.out_dir) / "report.md");
  EXPECT_THAT(report, HasSubstr("## Time to success"));
  EXPECT_THAT(report, HasSubstr("**censored at their budget**"));
  EXPECT_THAT(report, HasSubstr("| fast | 2/3 (0.67) | ≥ 500 [250, 1k] |"));
  EXPECT_THAT(report, HasSubstr("| slow | 1/3 (0.33) | ≥ 1k [1k, 1k] |"));
  EXPECT_THAT(report, HasSubstr("fast/seed_0` | 500 | 4.0 |"));
  EXPECT_THAT(report, HasSubstr("fast/seed_2` | never: censored at 1000 | 9.0 |"));
  EXPECT_THAT(Read(fs::path(options.out_dir) / "time_to_success.csv"),
              HasSubstr("\nfast,3,2,1,500,250,1000,"));
  for (const char* figure : {"success_vs_steps.svg", "success_vs_time.svg"}) {
    const std::string svg = Read(fs::path(options.out_dir) / figure);
    EXPECT_THAT(svg, HasSubstr("fraction of runs succeeded")) << figure;
    EXPECT_THAT(svg, HasSubstr(">slow</text>")) << figure;
  }
  // the fraction rises at each success: fast reaches 1/3 at 250 and 2/3 at 500 steps
  const LinePlot curves = SuccessCurves(comparison.successes, false);
  EXPECT_THAT(curves.series[0].x, ElementsAre(0, 250, 250, 500, 500, 1000));
  EXPECT_THAT(curves.series[0].y, ElementsAre(0, 0, 1.0 / 3, 1.0 / 3, 2.0 / 3, 2.0 / 3));
}

TEST(ReportTest, EveryRunsEvaluationsAndEachFiguresData) {
  const fs::path root = SuccessExperiment();
  // walks at 500 steps, forgets by 1000
  WriteSuccessRun(root / "forgets" / "seed_0", {0, 1, 0});
  CompareOptions options;
  options.dirs = {root.string()};
  options.out_dir = (root.parent_path() / "report").string();
  options.reps = 100;
  options.command = "stride compare exp";
  WriteComparison(options);
  const fs::path out = options.out_dir;

  const std::string runs = Read(out / "runs.csv");
  EXPECT_THAT(runs, HasSubstr("variant,seed,final_step,final_return,final_successes,final_episodes,"
                              "best_step,best_return,best_success_fraction,first_success_step,"
                              "first_success_seconds,final_distance\n"));
  // the final evaluation, the best (ties keep the earlier) and the first success
  EXPECT_THAT(runs, HasSubstr("\nfast,0,1000,10,10,10,500,10,1,500,4,1\n"));
  EXPECT_THAT(runs, HasSubstr("\nfast,2,1000,10,3,10,250,10,0.3,,,1\n"));
  EXPECT_THAT(runs, HasSubstr("\nforgets,0,1000,10,3,10,500,10,1,500,4,1\n"));
  const std::string report = Read(out / "report.md");
  EXPECT_THAT(report, HasSubstr("## Every run"));
  EXPECT_THAT(report,
              HasSubstr("| forgets | 0 | 1000 | 10 | 3 | 10 | 500 | 10 | 1 | 500 | 4 | 1 |"));

  // each figure's data beside it
  EXPECT_THAT(Read(out / "final_return.csv"), HasSubstr("label,point,low,high\nfast,10,"));
  for (const char* data : {"return_vs_steps.csv", "return_vs_time.csv", "eval_vs_steps.csv",
                           "success_vs_steps.csv", "success_vs_time.csv"}) {
    const std::string csv = Read(out / data);
    EXPECT_THAT(csv, HasSubstr("series,x,y,low,high\nfast,")) << data;
    EXPECT_THAT(csv, HasSubstr("\nforgets,")) << data;
    EXPECT_TRUE(fs::exists(out / (std::string(data).substr(0, std::strlen(data) - 4) + ".svg")))
        << data;
  }
  // the success curve's points: fast reaches 1/3 of its runs at 250 steps
  EXPECT_THAT(Read(out / "success_vs_steps.csv"), HasSubstr("\nfast,250,0.3333333333333333,"));
  // a swept variant's label is one quoted field
  EXPECT_EQ(CsvField("a,algorithm.gamma=0.9"), "\"a,algorithm.gamma=0.9\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(ReportTest, BadInputsAreNamed) {
  CompareOptions options;
  options.dirs = {Experiment().string()};
  options.out_dir = (Experiment().parent_path() / "bad").string();
  options.reference = "ppp";
  try {
    WriteComparison(options);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("--reference 'ppp' is not a variant with finished runs (did "
                                    "you mean 'ppo'?); variants: ppo, vpg"));
  }
  options.dirs = {"/nonexistent/runs"};
  EXPECT_THROW(WriteComparison(options), ConfigError);
  const fs::path broken = Experiment().parent_path() / "broken" / "seed_0";
  Write(broken / "metrics.csv", "step,time_s\n100,x\n");
  Write(broken / "eval.csv", "step\n");
  Write(broken / "policy.pt", "");
  try {
    FindGroups({broken.parent_path().string()});
    FAIL();
  } catch (const RuntimeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("metrics.csv:2: 'x' is not a number"));
  }
}

TEST(SvgPlotTest, TicksAreRoundAndLabelsEscaped) {
  EXPECT_THAT(NiceTicks(0, 1'000'000, 5),
              ElementsAre(0, 200'000, 400'000, 600'000, 800'000, 1'000'000));
  EXPECT_THAT(NiceTicks(-3, 7, 5), ElementsAre(-2, 0, 2, 4, 6));
  EXPECT_EQ(FormatSteps(1'500'000), "1.5M");
  EXPECT_EQ(FormatSteps(250'000), "250k");
  EXPECT_EQ(FormatSteps(0), "0");
  LinePlot plot{"a < b & c", "x", "y", {{"s\"1", {0, 1}, {0, 1}, {}, {}}}, nullptr};
  const std::string svg = RenderLinePlot(plot);
  EXPECT_THAT(svg, HasSubstr("a &lt; b &amp; c"));
  EXPECT_THAT(svg, HasSubstr("s&quot;1"));
  EXPECT_EQ(svg, RenderLinePlot(plot));
}

}  // namespace
}  // namespace stride::analysis
