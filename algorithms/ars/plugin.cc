// The ars plugin's manifest.
#include <memory>
#include <vector>

#include "algorithms/ars/ars.h"
#include "stride/plugin.h"

namespace {

std::vector<stride::PluginEntry> Entries() {
  using stride::algorithms::ars::Ars;
  using stride::algorithms::ars::ArsConfig;
  return {stride::AlgorithmEntry(
      "ars", "augmented random search over linear policies (ARS V2-t, Mania et al. 2018)",
      stride::algorithms::ars::ArsParams(), [](const stride::Params& params) {
        return std::make_unique<Ars>(ArsConfig::FromParams(params));
      })};
}

}  // namespace

STRIDE_PLUGIN(Entries)
