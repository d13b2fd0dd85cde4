// The vpg plugin's manifest.
#include <memory>
#include <vector>

#include "algorithms/vpg/vpg.h"
#include "stride/plugin.h"

namespace {

std::vector<stride::PluginEntry> Entries() {
  using stride::algorithms::vpg::Vpg;
  using stride::algorithms::vpg::VpgConfig;
  return {stride::AlgorithmEntry(
      "vpg", "vanilla policy gradient with a learned value baseline (Spinning Up-style)",
      stride::algorithms::vpg::VpgParams(), [](const stride::Params& params) {
        return std::make_unique<Vpg>(VpgConfig::FromParams(params));
      })};
}

}  // namespace

STRIDE_PLUGIN(Entries)
