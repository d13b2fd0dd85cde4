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

// the manifest holds "best_policy": null until the first evaluation, and with
// a success criterion "time_to_success" and "first_success_policy": null until
// the criterion is met; SetManifestField records them
std::string RunManifestJson(const Experiment& experiment, const PluginRegistry& registry,
                            int64_t seed, const std::string& config_toml,
                            const std::string& command,
                            const std::map<std::string, std::string>& versions,
                            const ProcessGroup& group);

// rewrites the manifest at path with time (null for none); a manifest without
// the field is left alone
void SetTimeToSuccess(const std::string& path, const std::optional<TimeToSuccess>& time);

// an evaluation whose policy a run keeps beside its last
struct KeptEvaluation {
  int64_t step = 0;
  double success_fraction = 0.0;
  double mean_return = 0.0;
  // more of its episodes met the success criterion, or as many and its mean
  // return is higher
  bool Beats(const KeptEvaluation& other) const;
};

// the manifest's keys naming the kept policies, null until there is one
inline constexpr char kBestPolicyKey[] = "best_policy";
inline constexpr char kFirstSuccessPolicyKey[] = "first_success_policy";
// {"file": ..., "step": ..., "success_fraction": ..., "mean_return": ...}, or null
std::string KeptPolicyJson(const char* file, const std::optional<KeptEvaluation>& evaluation);
// rewrites the manifest at path with key's value as json; a manifest without
// the key is left alone
void SetManifestField(const std::string& path, const std::string& key, const std::string& json);

}  // namespace stride

#endif  // STRIDE_RUN_MANIFEST_H_
