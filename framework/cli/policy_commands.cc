// stride export, stride eval, and the LibTorch settings of the process.
#include <mujoco/mujoco.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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
#include "stride/suggest.h"

namespace stride::cli {
namespace {

namespace fs = std::filesystem;

void RequireRunDirectory(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::is_regular_file(run_dir / "config.toml", ec)) {
    throw ConfigError(
        fmt::format("'{}' is not a run directory: it has no config.toml", run_dir.string()));
  }
}

}  // namespace

std::map<std::string, std::string> LibraryVersions() {
  return {{"mujoco", mj_versionString()},
          {"libtorch",
           fmt::format("{}.{}.{}", TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH)}};
}

void ConfigureTorch() {
  at::set_num_threads(1);
  at::set_num_interop_threads(1);
}

int ExportCommand(const Argv& argv, const std::string& /*command_line*/) {
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
    throw ConfigError(
        fmt::format("cannot create '{}': {}", out.parent_path().string(), ec.message()));
  }
  ConfigureTorch();
  PluginRegistry registry;
  const std::string config = ReadFile((run_dir / "config.toml").string());
  const Experiment experiment =
      ParseExperiment(config, (run_dir / "config.toml").string(), {}, registry);
  std::unique_ptr<Algorithm> algorithm =
      registry.MakeAlgorithm(experiment.algorithm.plugin, experiment.algorithm.params);
  algorithm->ExportPolicy(checkpoint.string(), out.string(), config);
  std::printf("wrote %s\n", out.string().c_str());
  return 0;
}

// --perturb NAME=VALUE options, checked against what the environment declares
std::vector<PerturbationValue> ParsePerturbations(const std::vector<std::string>& options,
                                                  const Environment& env) {
  const std::vector<Perturbation> declared = env.perturbations();
  std::vector<std::string> names;
  for (const Perturbation& p : declared) names.push_back(p.name);
  std::vector<PerturbationValue> values;
  for (const std::string& option : options) {
    const size_t equals = option.find('=');
    const std::string name = option.substr(0, equals);
    const auto p = std::find_if(declared.begin(), declared.end(),
                                [&](const Perturbation& d) { return d.name == name; });
    if (equals == std::string::npos || p == declared.end()) {
      throw ConfigError(fmt::format(
          "stride eval: --perturb {}: expected NAME=VALUE with NAME one of the environment's "
          "perturbations{}: {}",
          option, DidYouMean(name, names),
          names.empty() ? "(none)" : fmt::format("{}", fmt::join(names, ", "))));
    }
    char* end = nullptr;
    const double magnitude = std::strtod(option.c_str() + equals + 1, &end);
    if (end == option.c_str() + equals + 1 || *end != '\0' || magnitude < p->min ||
        magnitude > p->max) {
      throw ConfigError(
          fmt::format("stride eval: --perturb {}: the magnitude must be a number in "
                      "[{}, {}] ({})",
                      option, p->min, p->max, p->doc));
    }
    values.push_back({name, magnitude});
  }
  return values;
}

int EvalCommand(const Argv& argv, const std::string& /*command_line*/) {
  const Args args("eval", argv, {"--episodes=", "--seed=", "--perturb=", "--robustness"});
  args.ExpectAtMost(1);
  const std::string& source = args.Positional(0, "run directory or policy file");
  ConfigureTorch();
  PluginRegistry registry;
  const ExportedPolicy policy(source, registry);
  const int episodes =
      static_cast<int>(args.Int("--episodes").value_or(policy.experiment().eval_episodes));
  if (episodes < 1) throw ConfigError("stride eval: --episodes must be at least 1");
  // the experiment's robustness tests again, on the run's own evaluation episodes
  if (args.Flag("--robustness")) {
    const Experiment& experiment = policy.experiment();
    if (experiment.robustness.empty()) {
      throw ConfigError(
          fmt::format("stride eval --robustness: the experiment of '{}' lists no "
                      "[evaluation] robustness",
                      policy.path()));
    }
    std::unique_ptr<VecEnv> env =
        MakeVecEnv(experiment, registry, static_cast<int>(experiment.eval_episodes),
                   EvaluationSeed(experiment.seeds.front()), 1);
    const std::string csv =
        EvaluateRobustness(*env, policy.ActionsFor(*env), experiment, policy.path());
    const std::string path = (fs::path(policy.path()).parent_path() / "robustness.csv").string();
    WriteFileAtomically(path, csv);
    std::printf("%s\n", path.c_str());
    return 0;
  }
  const uint64_t seed = static_cast<uint64_t>(args.Int("--seed").value_or(kReplaySeed));
  std::unique_ptr<VecEnv> env = MakeVecEnv(policy.experiment(), registry, episodes, seed, 0);
  const std::vector<std::string> perturb = args.Values("--perturb");
  env->SetPerturbations(ParsePerturbations(perturb, env->env(0)));
  const SuccessCriterion& criterion = policy.experiment().success;
  const EvalSummary summary = EvaluatePolicy(*env, policy.ActionsFor(*env), criterion);
  std::printf("%s: %d episodes%s: %s\n", policy.path().c_str(), summary.episodes,
              perturb.empty() ? "" : fmt::format(" under {}", fmt::join(perturb, ", ")).c_str(),
              DescribeEvaluation(summary, criterion).c_str());
  return 0;
}

}  // namespace stride::cli
