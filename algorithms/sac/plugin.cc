// The sac plugin's manifest.
#include <memory>
#include <vector>

#include "algorithms/sac/sac.h"
#include "stride/plugin.h"

namespace {

std::vector<stride::PluginEntry> Entries() {
  using stride::algorithms::sac::Sac;
  using stride::algorithms::sac::SacConfig;
  return {stride::AlgorithmEntry(
      "sac", "soft actor-critic with automatic entropy tuning and twin Q functions (CleanRL-style)",
      stride::algorithms::sac::SacParams(), [](const stride::Params& params) {
        return std::make_unique<Sac>(SacConfig::FromParams(params));
      })};
}

}  // namespace

STRIDE_PLUGIN(Entries)
