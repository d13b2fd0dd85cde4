// a plugin built for another plugin ABI version
#include "stride/plugin.h"

namespace {
const std::vector<stride::PluginEntry>* NoEntries() {
  static const auto* entries = new std::vector<stride::PluginEntry>();
  return entries;
}
}  // namespace

extern "C" __attribute__((visibility("default")))
const StridePluginManifest stride_plugin_manifest = {stride::kPluginAbiVersion + 98,
                                                     STRIDE_BUILD_FINGERPRINT, &NoEntries};
