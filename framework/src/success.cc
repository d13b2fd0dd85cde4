#include "stride/success.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "stride/error.h"

namespace stride {
namespace {

struct Operator {
  const char* text;
  MetricCondition::Comparison comparison;
};

// two-character operators first, so "<=" is not read as "<"
constexpr Operator kOperators[] = {
    {"<=", MetricCondition::Comparison::kLessEqual},
    {">=", MetricCondition::Comparison::kGreaterEqual},
    {"==", MetricCondition::Comparison::kEqual},
    {"<", MetricCondition::Comparison::kLess},
    {">", MetricCondition::Comparison::kGreater},
};

const char* OperatorText(MetricCondition::Comparison comparison) {
  for (const Operator& op : kOperators) {
    if (op.comparison == comparison) return op.text;
  }
  return "?";
}

bool IsNameChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return std::islower(byte) || std::isdigit(byte) || c == '_';
}

void SkipSpaces(const std::string& text, size_t& at) {
  while (at < text.size() && text[at] == ' ') ++at;
}

}  // namespace

bool MetricCondition::HoldsFor(double value) const {
  switch (comparison) {
    case Comparison::kLess:
      return value < threshold;
    case Comparison::kLessEqual:
      return value <= threshold;
    case Comparison::kEqual:
      return value == threshold;
    case Comparison::kGreaterEqual:
      return value >= threshold;
    case Comparison::kGreater:
      return value > threshold;
  }
  return false;
}

std::string MetricCondition::ToString() const {
  return fmt::format("{} {} {}", metric, OperatorText(comparison), threshold);
}

MetricCondition ParseMetricCondition(const std::string& text) {
  const auto malformed = [&text](const std::string& problem) {
    return ConfigError(fmt::format(
        "'{}' is not a condition ({}): write METRIC OP NUMBER, e.g. \"distance >= 10\", with OP "
        "one of <, <=, ==, >=, >",
        text, problem));
  };
  MetricCondition condition;
  size_t at = 0;
  SkipSpaces(text, at);
  const size_t name_start = at;
  while (at < text.size() && IsNameChar(text[at])) ++at;
  condition.metric = text.substr(name_start, at - name_start);
  if (condition.metric.empty()) throw malformed("no metric name first");
  SkipSpaces(text, at);
  const Operator* found = nullptr;
  for (const Operator& op : kOperators) {
    if (text.compare(at, std::char_traits<char>::length(op.text), op.text) == 0) {
      found = &op;
      break;
    }
  }
  if (!found) throw malformed("no comparison after the metric name");
  condition.comparison = found->comparison;
  at += std::char_traits<char>::length(found->text);
  SkipSpaces(text, at);
  const std::string number = text.substr(at);
  char* end = nullptr;
  condition.threshold = std::strtod(number.c_str(), &end);
  while (end && *end == ' ') ++end;
  if (number.empty() || end == number.c_str() || *end != '\0' ||
      !std::isfinite(condition.threshold)) {
    throw malformed("no finite number after the comparison");
  }
  return condition;
}

bool SuccessCriterion::EpisodeSucceeds(const EpisodeValues& episode) const {
  for (const MetricCondition& condition : conditions) {
    const auto value = episode.find(condition.metric);
    if (value == episode.end() || !condition.HoldsFor(value->second)) return false;
  }
  return true;
}

int SuccessCriterion::CountSuccesses(const std::vector<EpisodeValues>& episodes) const {
  int successes = 0;
  for (const EpisodeValues& episode : episodes) successes += EpisodeSucceeds(episode) ? 1 : 0;
  return successes;
}

bool SuccessCriterion::Met(int successes, int episodes) const {
  return !empty() && successes >= Needed(episodes);
}

std::vector<std::string> ConditionNames(const std::vector<EpisodeMetric>& metrics) {
  std::vector<std::string> names = {kReturnMetric};
  for (const EpisodeMetric& metric : metrics) names.push_back(metric.name);
  return names;
}

}  // namespace stride
