// The random plugin's manifest.
#include <memory>
#include <vector>

#include "algorithms/random/random.h"
#include "stride/plugin.h"

namespace {

std::vector<stride::PluginEntry> Entries() {
  using stride::algorithms::random_policy::RandomConfig;
  using stride::algorithms::random_policy::RandomPolicy;
  return {stride::AlgorithmEntry(
      "random", "reference policy: uniform random actions in the action box; learns nothing",
      stride::algorithms::random_policy::RandomParams(), [](const stride::Params& params) {
        return std::make_unique<RandomPolicy>(RandomConfig::FromParams(params));
      })};
}

}  // namespace

STRIDE_PLUGIN(Entries)
