#include "metrics_log.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace stride {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(MetricsLogTest, WritesCsvAndJsonLines) {
  const std::string base = ::testing::TempDir() + "metrics_log_basic";
  {
    MetricsLog log(base, false);
    log.Write(100, {{"loss", 0.5}, {"return", std::nan("")}});
    log.Write(200, {{"loss", 0.25}, {"return", 3.0}});
  }
  EXPECT_EQ(Read(base + ".csv"), "step,loss,return\n100,0.5,\n200,0.25,3\n");
  EXPECT_EQ(Read(base + ".jsonl"),
            "{\"step\": 100, \"loss\": 0.5, \"return\": null}\n"
            "{\"step\": 200, \"loss\": 0.25, \"return\": 3}\n");
}

TEST(MetricsLogTest, ResumeDropsRowsFromTheInterruptedPart) {
  const std::string base = ::testing::TempDir() + "metrics_log_resume";
  {
    MetricsLog log(base, false);
    for (int step : {100, 200, 300}) log.Write(step, {{"loss", step / 100.0}});
  }
  // the checkpoint was at 200; the resumed run logs 300 again
  MetricsLog resumed(base, true);
  EXPECT_EQ(resumed.Begin(300), 200);
  resumed.Write(300, {{"loss", 30.0}});
  EXPECT_EQ(Read(base + ".csv"), "step,loss\n100,1\n200,2\n300,30\n");
}

TEST(MetricsLogTest, ResumeReadsTheKeptRowsBack) {
  const std::string base = ::testing::TempDir() + "metrics_log_kept";
  {
    MetricsLog log(base, false);
    for (int step : {100, 200, 300}) {
      log.Write(step, {{"time", step / 10.0}, {"gap", std::nan("")}});
    }
  }
  MetricsLog resumed(base, true);
  resumed.Begin(300);
  EXPECT_EQ(resumed.KeptColumn("step"), (std::vector<double>{100, 200}));
  EXPECT_EQ(resumed.KeptColumn("time"), (std::vector<double>{10, 20}));
  const std::vector<double> gaps = resumed.KeptColumn("gap");
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_TRUE(std::isnan(gaps[0]) && std::isnan(gaps[1]));
  EXPECT_TRUE(resumed.KeptColumn("missing").empty());
  // a fresh log keeps nothing
  MetricsLog fresh(base, false);
  fresh.Begin(100);
  EXPECT_TRUE(fresh.KeptColumn("step").empty());
}

}  // namespace
}  // namespace stride
