// The experiment options stride run, validate and submit share.
#ifndef STRIDE_CLI_EXPERIMENT_ARGS_H_
#define STRIDE_CLI_EXPERIMENT_ARGS_H_

#include <string>
#include <vector>

#include "args.h"
#include "stride/experiment.h"
#include "stride/registry.h"

namespace stride::cli {

// option name's value, which must be in [1, 4096]; 0 when it is absent
int PositiveOption(const Args& args, const std::string& name);

// the experiment file's runs (the first positional) with --set applied,
// narrowed to --variant
std::vector<Experiment> LoadSelected(const Args& args, PluginRegistry& registry);

}  // namespace stride::cli

#endif  // STRIDE_CLI_EXPERIMENT_ARGS_H_
