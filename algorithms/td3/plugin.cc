// The td3 plugin's manifest.
#include <memory>
#include <vector>

#include "algorithms/td3/td3.h"
#include "stride/plugin.h"

namespace {

std::vector<stride::PluginEntry> Entries() {
  using stride::algorithms::td3::Td3;
  using stride::algorithms::td3::Td3Config;
  return {stride::AlgorithmEntry("td3",
                                 "twin delayed DDPG: twin Q functions, delayed policy updates, "
                                 "target smoothing (CleanRL-style)",
                                 stride::algorithms::td3::Td3Params(),
                                 [](const stride::Params& params) {
                                   return std::make_unique<Td3>(Td3Config::FromParams(params));
                                 })};
}

}  // namespace

STRIDE_PLUGIN(Entries)
