#include "exported_policy.h"

#include <torch/script.h>

#include <cstring>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "stride/durable_file.h"
#include "stride/error.h"
#include "stride/registry.h"

namespace stride::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kConfigExtraFile[] = "stride/config.toml";

}  // namespace

struct ExportedPolicy::Module {
  torch::jit::Module module;
};

ExportedPolicy::ExportedPolicy(const std::string& source, PluginRegistry& registry)
    : module_(std::make_shared<Module>()) {
  fs::path path = source;
  if (fs::is_directory(path)) {
    std::error_code ec;
    if (!fs::is_regular_file(path / "config.toml", ec)) {
      throw ConfigError(fmt::format("'{}' is not a run directory: it has no config.toml", source));
    }
    path /= "policy.pt";
  }
  path_ = path.string();
  if (!fs::is_regular_file(path)) {
    throw ConfigError(
        fmt::format("no policy at '{}' (train to the end, or stride export the run)", path_));
  }
  // the policy carries the experiment it was trained in
  torch::jit::ExtraFilesMap extra = {{kConfigExtraFile, ""}};
  std::istringstream bytes(ReadFile(path_));
  if (bytes.str().rfind("PK\x03\x04", 0) != 0) {
    throw ConfigError(fmt::format("'{}' is not a TorchScript policy: not a zip archive", path_));
  }
  CheckArchive(path_, bytes.str());
  try {
    module_->module = torch::jit::load(bytes, torch::kCPU, extra);
  } catch (const c10::Error& e) {
    throw ConfigError(
        fmt::format("'{}' is not a TorchScript policy: {}", path_, e.what_without_backtrace()));
  }
  if (extra[kConfigExtraFile].empty()) {
    throw ConfigError(
        fmt::format("'{}' holds no {}: it was not exported by stride", path_, kConfigExtraFile));
  }
  experiment_ =
      ParseExperiment(extra[kConfigExtraFile], path_ + ":" + kConfigExtraFile, {}, registry);
}

ExportedPolicy::~ExportedPolicy() = default;

Policy ExportedPolicy::ActionsFor(const VecEnv& env) const {
  const int obs_size = env.observation_size();
  const int act_size = env.action_size();
  return [module = module_, obs_size, act_size](const float* obs, int n, float* actions) {
    torch::InferenceMode guard;
    torch::Tensor input = torch::from_blob(const_cast<float*>(obs), {n, obs_size}, torch::kFloat32);
    torch::Tensor output = module->module.forward({input}).toTensor().contiguous();
    std::memcpy(actions, output.data_ptr<float>(), sizeof(float) * n * act_size);
  };
}

}  // namespace stride::cli
