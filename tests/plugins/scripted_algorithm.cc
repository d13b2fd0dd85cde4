// an algorithm whose policy is scripted, not learned: in update u every action
// is push_percent[u - 1] / 100 (the list's last value once it runs out), so a
// test can make a run that gets better and then worse
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/script.h>
#include <torch/torch.h>

#include "algorithms/common/checkpoint.h"
#include "stride/algorithm.h"
#include "stride/plugin.h"

namespace {

using stride::algorithms::CheckAlgorithm;
using stride::algorithms::ExportModule;
using stride::algorithms::LoadArchive;
using stride::algorithms::ReadBytes;
using stride::algorithms::ReadDouble;
using stride::algorithms::ReadInt;
using stride::algorithms::SaveArchiveAtomically;
using stride::algorithms::WriteBytes;
using stride::algorithms::WriteDouble;
using stride::algorithms::WriteInt;
using stride::algorithms::WriteString;

constexpr char kName[] = "scripted";
constexpr int kNumSteps = 16;

class Scripted : public stride::Algorithm {
 public:
  explicit Scripted(std::vector<int64_t> push_percent) : push_percent_(std::move(push_percent)) {}

  void Train(stride::TrainContext& context) override {
    stride::VecEnv& env = context.env();
    const int n = env.num_envs(), act = env.action_size();
    int64_t step = 0, update = 0;
    if (context.resume_path().empty()) {
      env.Reset();
    } else {
      torch::serialize::InputArchive archive = LoadArchive(context.resume_path());
      CheckAlgorithm(archive, kName, context.resume_path());
      step = ReadInt(archive, "step");
      update = ReadInt(archive, "update");
      env.LoadState(ReadBytes(archive, "environments"));
    }
    std::vector<float> actions(static_cast<size_t>(n) * act);
    while (step < context.total_steps()) {
      ++update;
      const double push = PushAt(update);
      std::fill(actions.begin(), actions.end(), static_cast<float>(push));
      for (int t = 0; t < kNumSteps; ++t) env.Step(actions.data());
      step += static_cast<int64_t>(n) * kNumSteps;

      const auto policy = [push, act] {
        return stride::Policy([push, act](const float*, int rows, float* out) {
          std::fill(out, out + static_cast<size_t>(rows) * act, static_cast<float>(push));
        });
      };
      const auto save = [&](const std::string& path) {
        torch::serialize::OutputArchive archive;
        WriteString(archive, "algorithm", kName);
        WriteInt(archive, "step", step);
        WriteInt(archive, "update", update);
        WriteInt(archive, "action_size", act);
        WriteDouble(archive, "push", push);
        WriteBytes(archive, "environments", env.SaveState());
        SaveArchiveAtomically(archive, path);
      };
      const auto write = [&](const std::string& path) {
        Export(push, act, path, context.config_toml());
      };
      if (context.EndUpdate(step, {{"push", push}}, policy, save, write)) return;
    }
  }

  void ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                    const std::string& config_toml) override {
    torch::serialize::InputArchive archive = LoadArchive(checkpoint_path);
    CheckAlgorithm(archive, kName, checkpoint_path);
    Export(ReadDouble(archive, "push"), static_cast<int>(ReadInt(archive, "action_size")),
           policy_path, config_toml);
  }

 private:
  double PushAt(int64_t update) const {
    const size_t index = std::min<size_t>(update - 1, push_percent_.size() - 1);
    return static_cast<double>(push_percent_[index]) / 100.0;
  }

  // forward(observations[B, obs]) -> push in every action [B, act]
  static void Export(double push, int act, const std::string& path,
                     const std::string& config_toml) {
    torch::jit::Module module("ScriptedPolicy");
    module.register_buffer("push", torch::full({1, act}, push, torch::kFloat32));
    module.define(
        "def forward(self, observations: Tensor) -> Tensor:\n"
        "    return self.push.expand(observations.size(0), -1).clone()\n");
    module.eval();
    ExportModule(module, path, config_toml);
  }

  std::vector<int64_t> push_percent_;
};

}  // namespace

std::vector<stride::PluginEntry> Entries() {
  return {stride::AlgorithmEntry(
      kName, "scripted constant pushes, one per update, for tests of what a run keeps",
      {stride::IntListParam("push_percent", {0}, "the action of each update, in percent")},
      [](const stride::Params& params) {
        return std::make_unique<Scripted>(params.GetIntList("push_percent"));
      })};
}
STRIDE_PLUGIN(Entries)
