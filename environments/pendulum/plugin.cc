// The pendulum plugin's manifest.
#include "stride/plugin.h"
#include "pendulum_env.h"

namespace {

std::vector<stride::PluginEntry> Entries() { return {stride::pendulum::PendulumEntry()}; }

}  // namespace

STRIDE_PLUGIN(Entries)
