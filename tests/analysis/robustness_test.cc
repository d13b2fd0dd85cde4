// Robustness in stride compare from hand-written robustness.csv files.
#include "robustness.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_data.h"

namespace stride::analysis {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// a finished run whose final policy had these success rates under pushes of 0, 10 and 20
void WriteRun(const fs::path& dir, double at0, double at10, double at20) {
  fs::create_directories(dir);
  std::ofstream(dir / "eval.csv") << "step,episodes,mean_return,std_return\n1000,10,50,0\n";
  std::ofstream(dir / "metrics.csv") << "step,time_s,episode_return\n1000,1,50\n";
  std::ofstream(dir / "config.toml") << "[experiment]\n";
  std::ofstream(dir / "policy.pt") << "";
  std::ofstream(dir / "robustness.csv")
      << "perturbation,magnitude,episodes,mean_return,std_return,distance,successes,success_rate\n"
      << "push_impulse,0,10," << 1000 * at0 << ",0,1," << 10 * at0 << "," << at0 << "\n"
      << "push_impulse,10,10," << 1000 * at10 << ",0,1," << 10 * at10 << "," << at10 << "\n"
      << "push_impulse,20,10," << 1000 * at20 << ",0,1," << 10 * at20 << "," << at20 << "\n"
      << "push_impulse,40,10,0,0,1,0,0";  // a row being written: left out
}

TEST(RobustnessTest, MeansOverRunsAndTheMagnitudesWithstood) {
  const fs::path root = fs::path(::testing::TempDir()) / "robustness_test" / "exp";
  fs::remove_all(root);
  WriteRun(root / "nominal" / "seed_0", 1.0, 0.8, 0.0);
  WriteRun(root / "nominal" / "seed_1", 1.0, 0.6, 0.2);
  WriteRun(root / "randomized" / "seed_0", 1.0, 1.0, 0.9);
  WriteRun(root / "randomized" / "seed_1", 0.9, 1.0, 0.9);
  const std::vector<RobustnessCurve> curves =
      SummarizeRobustness(FindGroups({root.string()}), 1000, 7);
  ASSERT_EQ(curves.size(), 1u);
  const RobustnessCurve& pushes = curves[0];
  EXPECT_EQ(pushes.perturbation, "push_impulse");
  EXPECT_EQ(pushes.magnitudes, (std::vector<double>{0, 10, 20}));
  ASSERT_EQ(pushes.variants.size(), 2u);
  const VariantRobustness& nominal = pushes.variants[0];
  EXPECT_EQ(nominal.label, "nominal");
  EXPECT_EQ(nominal.runs, 2);
  EXPECT_DOUBLE_EQ(nominal.success[1].mean, 0.7);
  EXPECT_DOUBLE_EQ(nominal.success[1].interval.low, 0.6);
  EXPECT_DOUBLE_EQ(nominal.success[1].interval.high, 0.8);
  EXPECT_DOUBLE_EQ(nominal.mean_return[2].mean, 100.0);

  const std::string section = RobustnessSection(curves);
  EXPECT_THAT(section, HasSubstr("### push_impulse"));
  EXPECT_THAT(section, HasSubstr("| variant | runs | 0 | 10 | 20 | withstands |"));
  EXPECT_THAT(section,
              HasSubstr("| nominal | 2 | 100% [100, 100]<br>1000 | 70% [60, 80]<br>700 |"));
  EXPECT_THAT(section, HasSubstr("<br>100 | 0 |\n"));
  EXPECT_THAT(section, HasSubstr("<br>900 | all |\n"));
  const LinePlot plot = RobustnessPlot(pushes, true);
  EXPECT_EQ(plot.series[1].y, (std::vector<double>{0.95, 1.0, 0.9}));
}

}  // namespace
}  // namespace stride::analysis
