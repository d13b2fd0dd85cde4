// The ppo plugin's manifest.
#include <memory>
#include <vector>

#include "algorithms/ppo/ppo.h"
#include "stride/plugin.h"

namespace {

std::vector<stride::PluginEntry> Entries() {
  using stride::algorithms::ppo::Ppo;
  using stride::algorithms::ppo::PpoConfig;
  return {stride::AlgorithmEntry(
      "ppo", "proximal policy optimization with a clipped surrogate objective (CleanRL-style)",
      stride::algorithms::ppo::PpoParams(), [](const stride::Params& params) {
        return std::make_unique<Ppo>(PpoConfig::FromParams(params));
      })};
}

}  // namespace

STRIDE_PLUGIN(Entries)
