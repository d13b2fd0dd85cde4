// stride run, stride validate
#include <cstdio>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "stride/error.h"
#include "stride/experiment.h"
#include "stride/registry.h"
#include "stride/runner.h"

namespace stride::cli {

int RunCommand(const Argv& argv, const std::string& command_line) {
  const Args args("run", argv, {"--set=", "--seed=", "--out=", "--force", "--resume="});
  ConfigureTorch();
  PluginRegistry registry;
  RunOptions options;
  options.command = command_line;
  options.versions = LibraryVersions();
  InstallStopHandlers();

  // continue an interrupted run exactly as it was configured
  if (const auto run_dir = args.Value("--resume")) {
    args.ExpectAtMost(0);
    if (!args.Values("--set").empty() || args.Value("--seed") || args.Value("--out") ||
        args.Flag("--force")) {
      throw ConfigError("stride run --resume takes no other options: a resumed run keeps its "
                        "configuration");
    }
    return ResumeRun(*run_dir, registry) == RunStatus::kFinished ? 0 : 1;
  }

  args.ExpectAtMost(1);
  const Experiment experiment =
      LoadExperiment(args.Positional(0, "experiment file"), args.Values("--set"), registry);
  options.seed = args.Int("--seed");
  options.output_dir = args.Value("--out").value_or("");
  options.force = args.Flag("--force");
  return RunExperiment(experiment, registry, options) == RunStatus::kFinished ? 0 : 1;
}

int ValidateCommand(const Argv& argv) {
  const Args args("validate", argv, {"--set="});
  args.ExpectAtMost(1);
  PluginRegistry registry;
  const std::string& path = args.Positional(0, "experiment file");
  const Experiment experiment = LoadExperiment(path, args.Values("--set"), registry);

  // the factories run too: a plugin that rejects its parameters fails here
  MakeVecEnv(experiment, registry, 1, 0, 1);
  registry.MakeAlgorithm(experiment.algorithm.plugin, experiment.algorithm.params);

  std::printf("%s: ok\n", path.c_str());
  for (int64_t seed : experiment.seeds) {
    std::printf("  run %s\n", RunDirectory(experiment, experiment.output_dir, seed).c_str());
  }
  return 0;
}

}  // namespace stride::cli
