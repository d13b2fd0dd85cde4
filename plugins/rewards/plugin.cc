// The stride_rewards plugin's manifest: every reward term in this folder.
#include "reward_terms.h"

namespace {

std::vector<stride::PluginEntry> Entries() {
  return {stride::rewards::AliveBonusEntry(), stride::rewards::ForwardVelocityEntry(),
          stride::rewards::CtrlCostEntry(), stride::rewards::TrunkUprightEntry(),
          stride::rewards::EnergyEntry()};
}

}  // namespace

STRIDE_PLUGIN(Entries)
