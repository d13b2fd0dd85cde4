// Success criteria on hand-made episode rows: conditions, their parsing, and
// how many successful episodes an evaluation needs.
#include "stride/success.h"

#include <cmath>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stride/error.h"

namespace stride {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// the walking criterion of the biped experiments
SuccessCriterion Walking(int64_t min_successes = 0) {
  SuccessCriterion criterion;
  for (const char* text : {"distance >= 10", "fell == 0", "lowest_trunk_height >= 0.8",
                           "ground_contact_fraction == 0"}) {
    criterion.conditions.push_back(ParseMetricCondition(text));
  }
  criterion.min_successes = min_successes;
  return criterion;
}

EpisodeValues Walk() {
  return {{"return", 4000.0},
          {"distance", 27.6},
          {"fell", 0.0},
          {"lowest_trunk_height", 1.02},
          {"ground_contact_fraction", 0.0}};
}

// a crawl goes far without "falling", with the trunk low and the knees down
EpisodeValues Crawl() {
  return {{"return", 4300.0},
          {"distance", 16.0},
          {"fell", 0.0},
          {"lowest_trunk_height", 0.21},
          {"ground_contact_fraction", 0.93}};
}

std::string ConfigErrorOf(const std::string& text) {
  try {
    ParseMetricCondition(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(SuccessTest, ConditionsParseAndPrintCanonically) {
  const MetricCondition condition = ParseMetricCondition("  lowest_trunk_height>=0.8 ");
  EXPECT_EQ(condition.metric, "lowest_trunk_height");
  EXPECT_EQ(condition.comparison, MetricCondition::Comparison::kGreaterEqual);
  EXPECT_EQ(condition.threshold, 0.8);
  EXPECT_EQ(condition.ToString(), "lowest_trunk_height >= 0.8");
  for (const char* text : {"distance >= 10", "fell == 0", "return > -1.5", "x < 1e-05",
                           "ground_contact_fraction <= 0.25"}) {
    EXPECT_EQ(ParseMetricCondition(text).ToString(), text);
  }
  EXPECT_EQ(ParseMetricCondition("x < 1").comparison, MetricCondition::Comparison::kLess);
  EXPECT_EQ(ParseMetricCondition("x > 1").comparison, MetricCondition::Comparison::kGreater);
  EXPECT_EQ(ParseMetricCondition("x <= 1").comparison, MetricCondition::Comparison::kLessEqual);
}

TEST(SuccessTest, MalformedConditionsSayWhatIsMissing) {
  EXPECT_THAT(ConfigErrorOf(">= 10"),
              HasSubstr("'>= 10' is not a condition (no metric name first)"));
  const std::string no_comparison = "(no comparison after the metric name)";
  EXPECT_THAT(ConfigErrorOf("distance => 10"), HasSubstr(no_comparison));
  EXPECT_THAT(ConfigErrorOf("distance = 10"), HasSubstr(no_comparison));
  const std::string no_number = "(no finite number after the comparison)";
  EXPECT_THAT(ConfigErrorOf("distance >= ten"), HasSubstr(no_number));
  EXPECT_THAT(ConfigErrorOf("distance >= 10 m"), HasSubstr(no_number));
  EXPECT_THAT(ConfigErrorOf("distance >= inf"), HasSubstr(no_number));
  EXPECT_THAT(ConfigErrorOf("Distance >= 1"),
              HasSubstr("write METRIC OP NUMBER, e.g. \"distance >= 10\""));
}

TEST(SuccessTest, ComparisonsHoldAtTheirBoundsAndNeverForNan) {
  EXPECT_TRUE(ParseMetricCondition("x >= 10").HoldsFor(10.0));
  EXPECT_FALSE(ParseMetricCondition("x > 10").HoldsFor(10.0));
  EXPECT_TRUE(ParseMetricCondition("x <= 10").HoldsFor(10.0));
  EXPECT_FALSE(ParseMetricCondition("x < 10").HoldsFor(10.0));
  EXPECT_TRUE(ParseMetricCondition("x == 0").HoldsFor(0.0));
  EXPECT_FALSE(ParseMetricCondition("x == 0").HoldsFor(1e-12));
  for (const char* text : {"x >= 0", "x <= 0", "x == 0", "x > 0", "x < 0"}) {
    EXPECT_FALSE(ParseMetricCondition(text).HoldsFor(std::nan(""))) << text;
  }
}

TEST(SuccessTest, AWalkSucceedsAndACrawlDoesNot) {
  const SuccessCriterion walking = Walking();
  EXPECT_TRUE(walking.EpisodeSucceeds(Walk()));
  EXPECT_FALSE(walking.EpisodeSucceeds(Crawl()));
  // each condition alone fails an otherwise walking episode
  for (const auto& [metric, value] :
       std::vector<std::pair<std::string, double>>{{"distance", 9.99},
                                                   {"fell", 1.0},
                                                   {"lowest_trunk_height", 0.79},
                                                   {"ground_contact_fraction", 0.001}}) {
    EpisodeValues episode = Walk();
    episode[metric] = value;
    EXPECT_FALSE(walking.EpisodeSucceeds(episode)) << metric;
  }
  // a metric the episode lacks fails its condition
  EpisodeValues without_height = Walk();
  without_height.erase("lowest_trunk_height");
  EXPECT_FALSE(walking.EpisodeSucceeds(without_height));
}

TEST(SuccessTest, AnEvaluationNeedsEveryEpisodeOrMinSuccesses) {
  std::vector<EpisodeValues> rows(10, Walk());
  EXPECT_EQ(Walking().CountSuccesses(rows), 10);
  EXPECT_TRUE(Walking().Met(10, 10));
  rows[3] = Crawl();
  EXPECT_EQ(Walking().CountSuccesses(rows), 9);
  EXPECT_FALSE(Walking().Met(9, 10));
  EXPECT_TRUE(Walking(9).Met(9, 10));
  EXPECT_FALSE(Walking(9).Met(8, 10));
  // no conditions: no criterion, never met
  EXPECT_TRUE(SuccessCriterion().empty());
  EXPECT_FALSE(SuccessCriterion().Met(10, 10));
}

TEST(SuccessTest, ConditionsNameReturnAndTheDeclaredMetrics) {
  const std::vector<EpisodeMetric> metrics = {
      {"distance", "forward_velocity", Aggregate::kIntegral, "m"},
      {"fell", "fell", Aggregate::kMax, "0 or 1"}};
  EXPECT_THAT(ConditionNames(metrics), ElementsAre("return", "distance", "fell"));
  EXPECT_THAT(ConditionNames({}), ElementsAre("return"));
}

}  // namespace
}  // namespace stride
