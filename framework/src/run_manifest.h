// manifest.json: what produced a run, so a result can be traced to its build.
#ifndef STRIDE_RUN_MANIFEST_H_
#define STRIDE_RUN_MANIFEST_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "stride/experiment.h"
#include "stride/process_group.h"
#include "stride/registry.h"

namespace stride {

// the GNU build id of an ELF file as hex, or "" if it has none
std::string ElfBuildId(const std::string& path);

// 64-bit FNV-1a of text, as 16 hex digits
std::string ContentHash(const std::string& text);

// the first evaluation that met the success criterion
struct TimeToSuccess {
  int64_t steps = 0;
  // training wall-clock seconds, evaluations excluded
  double train_seconds = 0.0;
};

// with a success criterion the manifest holds "time_to_success": null until
// SetTimeToSuccess records one
std::string RunManifestJson(const Experiment& experiment, const PluginRegistry& registry,
                            int64_t seed, const std::string& config_toml,
                            const std::string& command,
                            const std::map<std::string, std::string>& versions,
                            const ProcessGroup& group);

// rewrites the manifest at path with time (null for none); a manifest without
// the field is left alone
void SetTimeToSuccess(const std::string& path, const std::optional<TimeToSuccess>& time);

}  // namespace stride

#endif  // STRIDE_RUN_MANIFEST_H_
