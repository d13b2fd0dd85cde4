// The biped plugin's manifest.
#include "stride/plugin.h"
#include "biped_env.h"

namespace {

std::vector<stride::PluginEntry> Entries() { return {stride::biped::BipedEntry()}; }

}  // namespace

STRIDE_PLUGIN(Entries)
