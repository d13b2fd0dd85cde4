// Experiment files: TOML read, expanded over [[variant]] and [sweep],
// overridden, validated against every plugin's parameter spec, and written
// back fully resolved.
#ifndef STRIDE_EXPERIMENT_H_
#define STRIDE_EXPERIMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "stride/params.h"
#include "stride/plugin.h"
#include "stride/success.h"
#include "stride/vec_env.h"

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

// a perturbation and the magnitudes a policy is evaluated at
struct RobustnessTest {
  std::string perturbation;
  std::vector<double> magnitudes;
};

struct Experiment {
  // the file it was read from, for messages
  std::string source;
  // "" for a file without [[variant]] or [sweep]; else the variant's name and
  // grid point, e.g. "ppo,algorithm.clip_epsilon=0.1": its runs' directory
  std::string variant;
  // what the variant changes, one "key.path = value" per entry, for display
  std::vector<std::string> variant_settings;

  // [experiment]; each key's default is its field's initial value, and
  // experiment.cc binds the keys to these fields
  std::string name;
  std::vector<int64_t> seeds = {0};
  int64_t total_steps = 1'000'000;
  std::string output_dir = "runs";
  // absolute, canonical
  std::vector<std::string> plugin_dirs;
  int64_t checkpoint_every_steps = 100'000;

  // [environment]
  PluginConfig environment;
  int64_t num_envs = 8;
  // 0: as many as the cores allow
  int64_t num_workers = 0;
  // training episodes draw these perturbations from their ranges (domain
  // randomization); evaluations are unperturbed
  std::vector<PerturbationRange> randomize;

  // [[reward]]
  std::vector<RewardConfig> rewards;

  // [algorithm]
  PluginConfig algorithm;

  // [evaluation]
  int64_t eval_every_steps = 0;
  // the attempts of one evaluation
  int64_t eval_episodes = 10;
  // what the evaluations must show; empty: nothing
  SuccessCriterion success;
  // end training at the first evaluation that meets the criterion
  bool stop_on_success = false;
  // the final policy evaluated under each perturbation at each magnitude
  std::vector<RobustnessTest> robustness;
};

// the framework's own tables, as parameter specs (for validation and docs)
const std::vector<ParamSpec>& ExperimentTableSpec();
const std::vector<ParamSpec>& EnvironmentTableSpec();
const std::vector<ParamSpec>& RewardTableSpec();
const std::vector<ParamSpec>& AlgorithmTableSpec();
const std::vector<ParamSpec>& EvaluationTableSpec();

// reads path and expands it into one experiment per [[variant]] and [sweep]
// grid point (variants in file order, the grid's first key slowest), keeps
// those of variant when given (the variant so named, or every grid point of
// it; a ConfigError listing the variants if none is), applies "key.path=value"
// overrides to each kept one, loads the plugins on the search path into
// registry and validates its tables; every problem is a ConfigError starting
// with file:line:col where there is one
std::vector<Experiment> LoadExperiments(const std::string& path,
                                        const std::vector<std::string>& overrides,
                                        PluginRegistry& registry, const std::string& variant = "");
// the same from TOML text; source names it in messages
std::vector<Experiment> ParseExperiments(const std::string& text, const std::string& source,
                                         const std::vector<std::string>& overrides,
                                         PluginRegistry& registry, const std::string& variant = "");

// a file that declares exactly one experiment (a run's config.toml, ...), or
// its one variant called variant; several are a ConfigError that lists them
Experiment LoadExperiment(const std::string& path, const std::vector<std::string>& overrides,
                          PluginRegistry& registry, const std::string& variant = "");
Experiment ParseExperiment(const std::string& text, const std::string& source,
                           const std::vector<std::string>& overrides, PluginRegistry& registry);

// one plugin's parameters from "key=value" overrides (registered plugins
// only), validated like an experiment table; kind names the table in messages
Params ParsePluginParams(PluginKind kind, const std::string& name,
                         const std::vector<std::string>& overrides, const PluginRegistry& registry);

// the experiment as TOML with every default filled in; read back, it gives the
// same experiment
std::string ResolvedToml(const Experiment& experiment);

}  // namespace stride

#endif  // STRIDE_EXPERIMENT_H_
