// registers reward "old_sdk_term", built against the headers of stride 0.0.1
#include "constant_reward.h"

std::vector<stride::PluginEntry> Entries() {
  return {stride::testing::ConstantRewardEntry("old_sdk_term")};
}
STRIDE_PLUGIN(Entries)
