#include <fmt/format.h>

#include "stride/error.h"
#include "stride/reward.h"

namespace stride {

SignalIndex::SignalIndex(std::vector<std::string> names) : names_(std::move(names)) {}

int SignalIndex::Require(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<int>(i);
  }
  throw ConfigError(fmt::format("the environment has no signal '{}' (it has: {})", name,
                                fmt::join(names_, ", ")));
}

std::vector<int> SignalIndex::RequireGroup(const std::string& group) const {
  std::vector<int> positions;
  const std::string prefix = group + ".";
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i].compare(0, prefix.size(), prefix) == 0) {
      positions.push_back(static_cast<int>(i));
    }
  }
  if (positions.empty()) {
    throw ConfigError(fmt::format("the environment has no signals '{}.*' (it has: {})", group,
                                  fmt::join(names_, ", ")));
  }
  return positions;
}

}  // namespace stride
