// stride export, stride eval, and the LibTorch settings of the process.
#include <mujoco/mujoco.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "stride/algorithm.h"
#include "stride/error.h"
#include "stride/experiment.h"
#include "stride/registry.h"
#include "stride/runner.h"

namespace stride::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kConfigExtraFile[] = "stride/config.toml";

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("cannot read '{}'", path.string()));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

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
  const std::string config = ReadText(run_dir / "config.toml");
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
  fs::path policy_path = args.Positional(0, "run directory or policy file");
  if (fs::is_directory(policy_path)) {
    RequireRunDirectory(policy_path);
    policy_path /= "policy.pt";
  }
  if (!fs::is_regular_file(policy_path)) {
    throw ConfigError(fmt::format("no policy at '{}' (train to the end, or stride export the run)",
                                  policy_path.string()));
  }
  ConfigureTorch();

  // the policy carries the experiment it was trained in
  torch::jit::ExtraFilesMap extra = {{kConfigExtraFile, ""}};
  torch::jit::Module module;
  try {
    module = torch::jit::load(policy_path.string(), torch::kCPU, extra);
  } catch (const c10::Error& e) {
    throw ConfigError(fmt::format("'{}' is not a TorchScript policy: {}", policy_path.string(),
                                  e.what_without_backtrace()));
  }
  if (extra[kConfigExtraFile].empty()) {
    throw ConfigError(fmt::format("'{}' holds no {}: it was not exported by stride",
                                  policy_path.string(), kConfigExtraFile));
  }
  PluginRegistry registry;
  const Experiment experiment = ParseExperiment(
      extra[kConfigExtraFile], policy_path.string() + ":" + kConfigExtraFile, {}, registry);
  const int episodes = static_cast<int>(args.Int("--episodes").value_or(experiment.eval_episodes));
  if (episodes < 1) throw ConfigError("stride eval: --episodes must be at least 1");
  const uint64_t seed = static_cast<uint64_t>(args.Int("--seed").value_or(1'000'003));
  std::unique_ptr<VecEnv> env = MakeVecEnv(experiment, registry, episodes, seed, 0);

  torch::InferenceMode guard;
  const int obs_size = env->observation_size();
  const int act_size = env->action_size();
  const Policy policy = [&](const float* obs, int n, float* actions) {
    torch::Tensor input = torch::from_blob(const_cast<float*>(obs), {n, obs_size}, torch::kFloat32);
    torch::Tensor output = module.forward({input}).toTensor().contiguous();
    std::memcpy(actions, output.data_ptr<float>(), sizeof(float) * n * act_size);
  };
  const EvalSummary summary = EvaluatePolicy(*env, policy);
  std::printf("%s: %d episodes: %s\n", policy_path.string().c_str(), summary.episodes,
              DescribeEvaluation(summary).c_str());
  return 0;
}

}  // namespace stride::cli
