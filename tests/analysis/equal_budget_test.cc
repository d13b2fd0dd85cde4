// Equal budgets from hand-written runs: a fast variant with many steps and a
// slow one with few.
#include "equal_budget.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report.h"

namespace stride::analysis {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// a finished run evaluated at (step, training seconds, return) rows
void WriteRun(const fs::path& dir, const std::vector<std::array<double, 3>>& evaluations) {
  std::string eval = "step,episodes,mean_return,std_return,train_time_s\n";
  for (const auto& [step, seconds, mean_return] : evaluations) {
    eval += fmt::format("{},10,{},0,{}\n", step, mean_return, seconds);
  }
  Write(dir / "eval.csv", eval);
  Write(dir / "metrics.csv",
        "step,time_s,train_time_s,steps_per_second,episodes,episode_return\n"
        "100,1,1,100,2,1\n"
        "200,2,2,100,2,2\n");
  Write(dir / "config.toml", "[experiment]\n");
  Write(dir / "policy.pt", "");
}

// fast: 1000 steps in 9 to 11 s; slow: 300 steps in 30 s
fs::path Experiment() {
  const fs::path root = fs::path(::testing::TempDir()) / "equal_budget_test" /
                        ::testing::UnitTest::GetInstance()->current_test_info()->name() / "exp";
  fs::remove_all(root);
  WriteRun(root / "fast" / "seed_0", {{{250, 2, 10}, {500, 4, 20}, {1000, 9, 30}}});
  WriteRun(root / "fast" / "seed_1", {{{250, 2, 11}, {500, 4, 21}, {1000, 10, 31}}});
  WriteRun(root / "fast" / "seed_2", {{{250, 3, 12}, {500, 5, 22}, {1000, 11, 32}}});
  WriteRun(root / "slow" / "seed_0", {{{100, 5, 40}, {200, 20, 50}, {300, 30, 60}}});
  WriteRun(root / "slow" / "seed_1", {{{100, 12, 41}, {200, 20, 51}, {300, 30, 61}}});
  return root;
}

TEST(EqualBudgetTest, LastEvaluationWithinTheStepsAllReachedAndTheReferenceTime) {
  const std::optional<EqualBudget> budget =
      SummarizeEqualBudget(FindGroups({Experiment().string()}), "fast", 1000, 3);
  ASSERT_TRUE(budget);
  EXPECT_EQ(budget->steps, 300);
  EXPECT_EQ(budget->seconds, 10);
  // at 300 steps: fast's evaluations at 250, slow's final ones
  EXPECT_THAT(budget->at_steps[0].returns, ElementsAre(10, 11, 12));
  EXPECT_THAT(budget->at_steps[1].returns, ElementsAre(60, 61));
  // at 10 s: fast's final evaluation where it finished by then, its 500-step one
  // where not; slow's first where it came within 10 s
  EXPECT_THAT(budget->at_seconds[0].returns, ElementsAre(30, 31, 22));
  EXPECT_THAT(budget->at_seconds[1].returns, ElementsAre(40));
  EXPECT_EQ(budget->at_seconds[1].missing, 1);
  EXPECT_DOUBLE_EQ(budget->at_seconds[0].iqm, 83.0 / 3);

  const std::string section = EqualBudgetSection(*budget, "fast", 1000);
  EXPECT_THAT(section,
              HasSubstr("| variant | return at 300 steps | return at 0.2 training minutes |"));
  EXPECT_THAT(section, HasSubstr("| slow | 60.5 [60.0, 61.0] | 40.0 [40.0, 40.0] (1 of 2 runs) |"));
}

TEST(EqualBudgetTest, ReportShowsTheSectionAndTheFigure) {
  CompareOptions options;
  options.dirs = {Experiment().string()};
  options.out_dir = (Experiment().parent_path() / "report").string();
  options.reps = 1000;
  options.command = "stride compare exp";
  WriteComparison(options);
  std::ifstream in(fs::path(options.out_dir) / "report.md");
  const std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(report, HasSubstr("## Equal budgets"));
  EXPECT_THAT(report, HasSubstr("at the run's last step; the variants' budgets differ"));
  EXPECT_TRUE(fs::exists(fs::path(options.out_dir) / "eval_vs_time.svg"));
}

}  // namespace
}  // namespace stride::analysis
