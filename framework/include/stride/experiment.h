// Experiment files: TOML read, overridden, validated against every plugin's
// parameter spec, and written back fully resolved.
#ifndef STRIDE_EXPERIMENT_H_
#define STRIDE_EXPERIMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "stride/params.h"
#include "stride/plugin.h"

namespace stride {

class PluginRegistry;

struct PluginConfig {
  std::string plugin;
  Params params;
};

struct RewardConfig {
  std::string plugin;
  double weight = 1.0;
  Params params;
};

struct Experiment {
  // the file it was read from, for messages
  std::string source;

  // [experiment]
  std::string name;
  std::vector<int64_t> seeds;
  int64_t total_steps = 0;
  std::string output_dir;
  // absolute, canonical
  std::vector<std::string> plugin_dirs;
  int64_t checkpoint_every_steps = 0;

  // [environment]
  PluginConfig environment;
  int64_t num_envs = 0;
  // 0: as many as the cores allow
  int64_t num_workers = 0;

  // [[reward]]
  std::vector<RewardConfig> rewards;

  // [algorithm]
  PluginConfig algorithm;

  // [evaluation]
  int64_t eval_every_steps = 0;
  int64_t eval_episodes = 0;
};

// the framework's own tables, as parameter specs (for validation and docs)
const std::vector<ParamSpec>& ExperimentTableSpec();
const std::vector<ParamSpec>& EnvironmentTableSpec();
const std::vector<ParamSpec>& RewardTableSpec();
const std::vector<ParamSpec>& AlgorithmTableSpec();
const std::vector<ParamSpec>& EvaluationTableSpec();

// reads path, applies "key.path=value" overrides, loads the plugins on the
// experiment's search path into registry and validates every table; every
// problem is a ConfigError starting with file:line:col where there is one
Experiment LoadExperiment(const std::string& path, const std::vector<std::string>& overrides,
                          PluginRegistry& registry);
// the same from TOML text; source names it in messages
Experiment ParseExperiment(const std::string& text, const std::string& source,
                           const std::vector<std::string>& overrides, PluginRegistry& registry);

// one plugin's parameters from "key=value" overrides (registered plugins
// only), validated like an experiment table; kind names the table in messages
Params ParsePluginParams(PluginKind kind, const std::string& name,
                         const std::vector<std::string>& overrides,
                         const PluginRegistry& registry);

// the experiment as TOML with every default filled in; read back, it gives the
// same experiment
std::string ResolvedToml(const Experiment& experiment);

}  // namespace stride

#endif  // STRIDE_EXPERIMENT_H_
