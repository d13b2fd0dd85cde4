// registers reward "old_libtorch_term", compiled as if against LibTorch 0.4.0
#include "constant_reward.h"

std::vector<stride::PluginEntry> Entries() {
  return {stride::testing::ConstantRewardEntry("old_libtorch_term")};
}
STRIDE_PLUGIN(Entries)
