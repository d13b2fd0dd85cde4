// a reward term whose factory throws
#include <stdexcept>

#include "stride/plugin.h"
#include "stride/reward.h"

std::vector<stride::PluginEntry> Entries() {
  return {stride::RewardEntry("throwing_term", "its factory always throws", {},
                              [](const stride::Params&) -> std::unique_ptr<stride::RewardTerm> {
                                throw std::runtime_error("the sensor calibration is missing");
                              })};
}
STRIDE_PLUGIN(Entries)
