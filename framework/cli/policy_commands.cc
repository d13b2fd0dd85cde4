// stride export, stride eval, and the LibTorch settings of the process.
#include <mujoco/mujoco.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "exported_policy.h"
#include "stride/algorithm.h"
#include "stride/durable_file.h"
#include "stride/error.h"
#include "stride/experiment.h"
#include "stride/registry.h"
#include "stride/runner.h"

namespace stride::cli {
namespace {

namespace fs = std::filesystem;

void RequireRunDirectory(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::is_regular_file(run_dir / "config.toml", ec)) {
    throw ConfigError(fmt::format("'{}' is not a run directory: it has no config.toml",
                                  run_dir.string()));
  }
}

}  // namespace

std::map<std::string, std::string> LibraryVersions() {
  return {{"mujoco", mj_versionString()},
          {"libtorch", fmt::format("{}.{}.{}", TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR,
                                   TORCH_VERSION_PATCH)}};
}

void ConfigureTorch() {
  at::set_num_threads(1);
  at::set_num_interop_threads(1);
}

int ExportCommand(const Argv& argv) {
  const Args args("export", argv, {"--out="});
  args.ExpectAtMost(1);
  const fs::path run_dir = args.Positional(0, "run directory");
  RequireRunDirectory(run_dir);
  const fs::path checkpoint = run_dir / "checkpoints" / "checkpoint.pt";
  if (!fs::is_regular_file(checkpoint)) {
    throw ConfigError(fmt::format("run '{}' has no checkpoint ({} is missing)", run_dir.string(),
                                  checkpoint.string()));
  }
  const fs::path out = args.Value("--out").value_or((run_dir / "policy.pt").string());
  std::error_code ec;
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  if (ec) {
    throw ConfigError(fmt::format("cannot create '{}': {}", out.parent_path().string(), ec.message()));
  }
  ConfigureTorch();
  PluginRegistry registry;
  const std::string config = ReadFile((run_dir / "config.toml").string());
  const Experiment experiment = ParseExperiment(config, (run_dir / "config.toml").string(), {}, registry);
  std::unique_ptr<Algorithm> algorithm =
      registry.MakeAlgorithm(experiment.algorithm.plugin, experiment.algorithm.params);
  algorithm->ExportPolicy(checkpoint.string(), out.string(), config);
  std::printf("wrote %s\n", out.string().c_str());
  return 0;
}

int EvalCommand(const Argv& argv) {
  const Args args("eval", argv, {"--episodes=", "--seed="});
  args.ExpectAtMost(1);
  const std::string& source = args.Positional(0, "run directory or policy file");
  ConfigureTorch();
  PluginRegistry registry;
  const ExportedPolicy policy(source, registry);
  const int episodes =
      static_cast<int>(args.Int("--episodes").value_or(policy.experiment().eval_episodes));
  if (episodes < 1) throw ConfigError("stride eval: --episodes must be at least 1");
  const uint64_t seed = static_cast<uint64_t>(args.Int("--seed").value_or(kReplaySeed));
  std::unique_ptr<VecEnv> env = MakeVecEnv(policy.experiment(), registry, episodes, seed, 0);
  const SuccessCriterion& criterion = policy.experiment().success;
  const EvalSummary summary = EvaluatePolicy(*env, policy.ActionsFor(*env), criterion);
  std::printf("%s: %d episodes: %s\n", policy.path().c_str(), summary.episodes,
              DescribeEvaluation(summary, criterion).c_str());
  return 0;
}

}  // namespace stride::cli
