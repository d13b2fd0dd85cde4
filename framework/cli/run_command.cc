// stride run, stride validate
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "experiment_args.h"
#include "gloo_group.h"
#include "run_jobs.h"
#include "stride/error.h"
#include "stride/experiment.h"
#include "stride/registry.h"
#include "stride/runner.h"

namespace stride::cli {

int PositiveOption(const Args& args, const std::string& name) {
  const std::optional<int64_t> value = args.Int(name);
  if (!value) return 0;
  if (*value < 1 || *value > 4096) {
    throw ConfigError(fmt::format("stride {}: option '{}' must be between 1 and 4096, got {}",
                                  args.command(), name, *value));
  }
  return static_cast<int>(*value);
}

// the experiment file's runs, narrowed to --variant
std::vector<Experiment> LoadSelected(const Args& args, PluginRegistry& registry) {
  const std::string& path = args.Positional(0, "experiment file");
  return LoadExperiments(path, args.Values("--set"), registry,
                         args.Value("--variant").value_or(""));
}

namespace {

const char* ActionName(RunAction action) {
  switch (action) {
    case RunAction::kStart:
      return "new";
    case RunAction::kResume:
      return "interrupted: resumes from its checkpoint";
    case RunAction::kSkip:
      return "finished: skipped";
  }
  return "";
}

int ExitCode(RunStatus status) { return status == RunStatus::kFinished ? 0 : StopExitCode(); }

// one run over the ranks a launcher started: rank 0 decides which run it is
int RunDataParallel(const Args& args, PluginRegistry& registry, RunOptions& options) {
  if (args.Value("--jobs")) {
    throw ConfigError(
        "stride run --distributed trains one run over its ranks: --jobs does not apply");
  }
  const int timeout = PositiveOption(args, "--timeout");
  const std::unique_ptr<ProcessGroup> group =
      ConnectGlooGroup(DetectLaunch(), std::chrono::seconds(timeout > 0 ? timeout : 300));
  options.group = group.get();
  if (group->rank() != 0) return ExitCode(FollowDataParallelRun(registry, options));

  std::string run_dir;
  std::optional<PlannedRun> fresh;
  try {
    if (const auto resume = args.Value("--resume")) {
      run_dir = *resume;
    } else {
      const std::vector<PlannedRun> runs = PlanRuns(LoadSelected(args, registry), options);
      if (runs.size() != 1) {
        throw ConfigError(fmt::format(
            "stride run --distributed trains one run, and '{}' holds {}: choose one with "
            "--variant and --seed",
            args.positionals()[0], runs.size()));
      }
      if (runs[0].action == RunAction::kSkip) {
        std::fprintf(stderr, "[%s] finished: skipped\n", runs[0].dir.c_str());
        EndDataParallelRun(*group, "");
        return 0;
      }
      run_dir = runs[0].dir;
      if (runs[0].action == RunAction::kStart) fresh = runs[0];
    }
  } catch (const std::exception& e) {
    EndDataParallelRun(*group, e.what());
    throw;
  }
  return ExitCode(LeadDataParallelRun(run_dir, fresh ? &*fresh : nullptr, registry, options));
}

}  // namespace

int RunCommand(const Argv& argv, const std::string& command_line) {
  const Args args("run", argv,
                  {"--set=", "--seed=", "--out=", "--force", "--resume=", "--jobs=", "--workers=",
                   "--variant=", "--distributed", "--timeout="});
  ConfigureTorch();
  PluginRegistry registry;
  RunOptions options;
  options.command = command_line;
  options.versions = LibraryVersions();
  options.num_workers = PositiveOption(args, "--workers");
  InstallStopHandlers();
  if (args.Value("--timeout") && !args.Flag("--distributed")) {
    throw ConfigError(
        "stride run: --timeout is the data-parallel collectives' timeout and needs "
        "--distributed");
  }

  // continue an interrupted run exactly as it was configured
  if (const auto run_dir = args.Value("--resume")) {
    args.ExpectAtMost(0);
    if (!args.Values("--set").empty() || args.Value("--seed") || args.Value("--out") ||
        args.Flag("--force") || args.Value("--jobs") || args.Value("--variant")) {
      throw ConfigError(
          "stride run --resume takes no other option but --workers and "
          "--distributed: a resumed run keeps its configuration");
    }
    if (args.Flag("--distributed")) return RunDataParallel(args, registry, options);
    return ExitCode(TrainRunDirectory(*run_dir, registry, options.num_workers));
  }

  args.ExpectAtMost(1);
  options.seed = args.Int("--seed");
  options.output_dir = args.Value("--out").value_or("");
  options.force = args.Flag("--force");
  if (args.Flag("--distributed")) return RunDataParallel(args, registry, options);
  const std::vector<Experiment> experiments = LoadSelected(args, registry);
  const std::vector<PlannedRun> runs = PlanRuns(experiments, options);
  int pending = 0;
  for (const PlannedRun& run : runs) {
    if (run.action == RunAction::kSkip) {
      std::fprintf(stderr, "[%s] finished: skipped\n", run.dir.c_str());
    } else {
      ++pending;
    }
  }
  const int asked_jobs = PositiveOption(args, "--jobs");
  const int jobs = std::min(asked_jobs > 0 ? asked_jobs : DefaultJobs(runs, options), pending);
  if (pending == 0) {
    std::fprintf(stderr, "all %zu runs have finished; nothing to train\n", runs.size());
    return 0;
  }
  if (runs.size() > 1) {
    std::fprintf(stderr, "%zu runs: %d to train, %zu finished; %d at a time\n", runs.size(),
                 pending, runs.size() - static_cast<size_t>(pending), jobs);
  }
  if (jobs == 1) {
    return ExitCode(RunPlanned(runs, registry, options));
  }
  return RunJobs(runs, jobs, registry, options);
}

int ValidateCommand(const Argv& argv, const std::string& /*command_line*/) {
  const Args args("validate", argv, {"--set=", "--variant=", "--out="});
  args.ExpectAtMost(1);
  PluginRegistry registry;
  const std::vector<Experiment> experiments = LoadSelected(args, registry);

  // the factories run too: a plugin that rejects its parameters fails here
  for (const Experiment& experiment : experiments) {
    MakeVecEnv(experiment, registry, 1, 0, 1);
    registry.MakeAlgorithm(experiment.algorithm.plugin, experiment.algorithm.params);
  }

  RunOptions options;
  options.output_dir = args.Value("--out").value_or("");
  const std::vector<PlannedRun> runs = PlanRuns(experiments, options);
  std::printf("%s: ok, %zu variant%s x %zu seed%s = %zu run%s\n", args.positionals()[0].c_str(),
              experiments.size(), experiments.size() == 1 ? "" : "s",
              experiments.front().seeds.size(), experiments.front().seeds.size() == 1 ? "" : "s",
              runs.size(), runs.size() == 1 ? "" : "s");
  const Experiment* shown = nullptr;
  for (const PlannedRun& run : runs) {
    if (!run.experiment.variant.empty() && (!shown || shown->variant != run.experiment.variant)) {
      shown = &run.experiment;
      std::printf("variant %s\n", shown->variant.c_str());
      for (const std::string& setting : shown->variant_settings) {
        std::printf("    %s\n", setting.c_str());
      }
    }
    std::printf("  run %s  (%s)\n", run.dir.c_str(), ActionName(run.action));
  }
  return 0;
}

}  // namespace stride::cli
