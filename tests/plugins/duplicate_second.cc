// registers reward "duplicate_term"; so does duplicate_first.cc
#include "constant_reward.h"

std::vector<stride::PluginEntry> Entries() {
  return {stride::testing::ConstantRewardEntry("duplicate_term")};
}
STRIDE_PLUGIN(Entries)
