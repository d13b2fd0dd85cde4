// manifest.json: what produced a run, so a result can be traced to its build.
#ifndef STRIDE_RUN_MANIFEST_H_
#define STRIDE_RUN_MANIFEST_H_

#include <cstdint>
#include <map>
#include <string>

#include "stride/experiment.h"
#include "stride/registry.h"

namespace stride {

// the GNU build id of an ELF file as hex, or "" if it has none
std::string ElfBuildId(const std::string& path);

// 64-bit FNV-1a of text, as 16 hex digits
std::string ContentHash(const std::string& text);

std::string RunManifestJson(const Experiment& experiment, const PluginRegistry& registry,
                            int64_t seed, const std::string& config_toml,
                            const std::string& command,
                            const std::map<std::string, std::string>& versions);

}  // namespace stride

#endif  // STRIDE_RUN_MANIFEST_H_
