// a plugin built by another stride SDK version and compiler
#include "stride/plugin.h"

namespace {
const std::vector<stride::PluginEntry>* NoEntries() {
  static const auto* entries = new std::vector<stride::PluginEntry>();
  return entries;
}
}  // namespace

extern "C" __attribute__((visibility("default")))
const StridePluginManifest stride_plugin_manifest = {
    stride::kPluginAbiVersion, "stride 0.0.1; gcc 4.8; cxx11abi 0; libtorch 1.0.0", &NoEntries};
