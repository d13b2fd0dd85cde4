// stride compare's report from hand-written run directories with known scores.
#include "report.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_data.h"
#include "stride/error.h"
#include "svg_plot.h"

namespace stride::analysis {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

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
        "step,time_s,steps_per_second,episodes,episode_return,return/alive_bonus\n"
        "100,1,100,2,nan,nan\n"
        "200,2,100,2," + std::to_string(score / 2) + ",4\n"
        "1000,10,100,2," + std::to_string(score) + ",8\n");
  Write(dir / "eval.csv",
        "step,episodes,mean_return,std_return,mean_distance,falls\n"
        "500,10,1,0,0.5,10\n"
        "1000,10," + std::to_string(score) + ",0,2.5,1\n");
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
  EXPECT_DOUBLE_EQ(ppo.distance_mean, 2.5);
  EXPECT_EQ(ppo.falls, 3);
  EXPECT_EQ(ppo.episodes, 30);
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
                                "0.00 [0.00, 0.00] | 2.5 ± 0.0 | 3/30 |"));
  EXPECT_THAT(report, HasSubstr("vpg/seed_3 has not finished (no policy.pt): left out"));
  // terms over the last 10% of training: the last row only
  EXPECT_THAT(report, HasSubstr("| ppo | 50.0 ± 10.0 | 8.0 ± 0.0 |"));
  EXPECT_THAT(Read(fs::path(options.out_dir) / "summary.csv"),
              HasSubstr("\nppo,3,50,10,50,50,40,60,nan,nan,nan,2.5,0,3,30\n"));
  for (const char* figure : {"final_return.svg", "return_vs_steps.svg", "return_vs_time.svg",
                             "eval_vs_steps.svg"}) {
    const std::string svg = Read(fs::path(options.out_dir) / figure);
    EXPECT_THAT(svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\"")) << figure;
    EXPECT_THAT(svg, HasSubstr("</svg>")) << figure;
    EXPECT_THAT(svg, HasSubstr(">vpg</text>")) << figure;
  }
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
  EXPECT_THAT(NiceTicks(0, 1'000'000, 5), ElementsAre(0, 200'000, 400'000, 600'000, 800'000, 1'000'000));
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
