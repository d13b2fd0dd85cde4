// The zero plugin's manifest.
#include <memory>
#include <vector>

#include "algorithms/zero/zero.h"
#include "stride/plugin.h"

namespace {

std::vector<stride::PluginEntry> Entries() {
  using stride::algorithms::zero_policy::ZeroConfig;
  using stride::algorithms::zero_policy::ZeroPolicy;
  return {stride::AlgorithmEntry(
      "zero", "reference policy: every action zero (no torque); learns nothing",
      stride::algorithms::zero_policy::ZeroParams(), [](const stride::Params& params) {
        return std::make_unique<ZeroPolicy>(ZeroConfig::FromParams(params));
      })};
}

}  // namespace

STRIDE_PLUGIN(Entries)
