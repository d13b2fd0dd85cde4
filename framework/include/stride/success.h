// Success criteria: what an experiment counts as solving its task, stated over
// the episode metrics of its environment. "10 of 10 attempts walk at least
// 10 m without a fall" is the conditions {"distance >= 10", "fell == 0"} that
// each successful episode meets, and 10 successful episodes an evaluation needs.
#ifndef STRIDE_SUCCESS_H_
#define STRIDE_SUCCESS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stride/environment.h"

namespace stride {

// the name conditions use for an episode's return, next to the declared metrics
inline constexpr char kReturnMetric[] = "return";

// one episode's values by metric name: "return" and every declared metric
using EpisodeValues = std::map<std::string, double>;

// "distance >= 10": one bound on one episode value
struct MetricCondition {
  enum class Comparison { kLess, kLessEqual, kEqual, kGreaterEqual, kGreater };

  std::string metric;
  Comparison comparison = Comparison::kGreaterEqual;
  double threshold = 0.0;

  // false for NaN
  bool HoldsFor(double value) const;
  // "distance >= 10"
  std::string ToString() const;
};

// reads "METRIC OP NUMBER" with OP one of <, <=, ==, >=, >; a ConfigError that
// shows the form otherwise
MetricCondition ParseMetricCondition(const std::string& text);

struct SuccessCriterion {
  // every condition holds in a successful episode; none: no criterion
  std::vector<MetricCondition> conditions;
  // the successful episodes an evaluation needs; 0: every episode
  int64_t min_successes = 0;

  bool empty() const { return conditions.empty(); }
  // every condition holds for the episode; a metric it lacks fails the condition
  bool EpisodeSucceeds(const EpisodeValues& episode) const;
  // the episodes that succeed
  int CountSuccesses(const std::vector<EpisodeValues>& episodes) const;
  // the successful episodes an evaluation of episodes needs
  int64_t Needed(int episodes) const { return min_successes > 0 ? min_successes : episodes; }
  // whether successes of episodes are enough
  bool Met(int successes, int episodes) const;
};

// the names conditions may use: "return", then each metric's name
std::vector<std::string> ConditionNames(const std::vector<EpisodeMetric>& metrics);

}  // namespace stride

#endif  // STRIDE_SUCCESS_H_
