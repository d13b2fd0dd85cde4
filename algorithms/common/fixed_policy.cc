#include "algorithms/common/fixed_policy.h"

#include <utility>

#include "algorithms/common/checkpoint.h"
#include "algorithms/common/training.h"
#include "stride/phase_times.h"

namespace stride::algorithms {
namespace {

// tells evaluation streams from the training stream of the same seed
constexpr uint64_t kEvaluationStream = 0xe7a1'0a7e'5eed'0001ULL;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// what a checkpoint of a fixed policy holds besides the environments
struct Counters {
  int64_t global_step = 0;
  int64_t update = 0;
};

void SaveCheckpoint(const std::string& algorithm, const Counters& counters, const ActionBox& box,
                    const VecEnv& env, const std::string& path) {
  torch::serialize::OutputArchive archive;
  WriteString(archive, "algorithm", algorithm);
  WriteInt(archive, "global_step", counters.global_step);
  WriteInt(archive, "update", counters.update);
  archive.write("action_low", torch::tensor(box.low), /*is_buffer=*/true);
  archive.write("action_high", torch::tensor(box.high), /*is_buffer=*/true);
  WriteBytes(archive, "environments", env.SaveState());
  SaveArchiveAtomically(archive, path);
}

std::vector<float> ReadFloats(torch::serialize::InputArchive& archive, const std::string& key) {
  const torch::Tensor tensor = ReadTensor(archive, key).contiguous();
  return std::vector<float>(tensor.data_ptr<float>(), tensor.data_ptr<float>() + tensor.numel());
}

ActionBox ReadActionBox(torch::serialize::InputArchive& archive) {
  return ActionBox{ReadFloats(archive, "action_low"), ReadFloats(archive, "action_high")};
}

}  // namespace

ActionBox ActionBox::Of(const Space& action_space) {
  return ActionBox{std::vector<float>(action_space.low.begin(), action_space.low.end()),
                   std::vector<float>(action_space.high.begin(), action_space.high.end())};
}

uint64_t MixBits(uint64_t a, uint64_t b) { return SplitMix64(SplitMix64(a) ^ b); }

FixedPolicyAlgorithm::FixedPolicyAlgorithm(std::string name, int num_steps)
    : name_(std::move(name)), num_steps_(num_steps) {}

void FixedPolicyAlgorithm::Train(TrainContext& context) {
  VecEnv& env = context.env();
  const ActionBox box = ActionBox::Of(env.action_space());
  const int n = env.num_envs();
  const int64_t batch_size = static_cast<int64_t>(num_steps_) * n;
  const int64_t num_updates = NumUpdates(context.total_steps(), batch_size);

  // a fresh run starts every episode; a resumed one continues the environments
  Counters counters;
  if (context.resume_path().empty()) {
    env.Reset();
  } else {
    torch::serialize::InputArchive archive = LoadArchive(context.resume_path());
    CheckAlgorithm(archive, name_, context.resume_path());
    counters.global_step = ReadInt(archive, "global_step");
    counters.update = ReadInt(archive, "update");
    env.LoadState(ReadBytes(archive, "environments"));
  }

  std::vector<float> actions(static_cast<size_t>(n) * box.size());
  for (int64_t update = counters.update + 1; update <= num_updates; ++update) {
    // the update's steps: call k of the training stream is the run's k-th step of all environments
    {
      PhaseTimer timer("environment stepping");
      const int64_t first_call = counters.global_step / n;
      for (int t = 0; t < num_steps_; ++t) {
        Act(box, context.seed(), first_call + t, env.observations(), n, actions.data());
        env.Step(actions.data());
      }
    }
    counters.global_step += batch_size;
    counters.update = update;

    // nothing learned: the framework's episode statistics are the whole row
    const auto policy = [&] { return EvaluationPolicy(box, context.seed(), counters.global_step); };
    const auto save = [&](const std::string& path) {
      SaveCheckpoint(name_, counters, box, env, path);
    };
    const auto write = [&](const std::string& path) { Export(box, path, context.config_toml()); };
    if (context.EndUpdate(counters.global_step, {}, policy, save, write)) return;
  }
}

void FixedPolicyAlgorithm::ExportPolicy(const std::string& checkpoint_path,
                                        const std::string& policy_path,
                                        const std::string& config_toml) {
  torch::serialize::InputArchive archive = LoadArchive(checkpoint_path);
  CheckAlgorithm(archive, name_, checkpoint_path);
  Export(ReadActionBox(archive), policy_path, config_toml);
}

Policy FixedPolicyAlgorithm::EvaluationPolicy(const ActionBox& box, uint64_t seed,
                                              int64_t step) const {
  const uint64_t stream = MixBits(seed ^ kEvaluationStream, static_cast<uint64_t>(step));
  return [this, box, stream, call = int64_t{0}](const float* observations, int n,
                                                float* actions) mutable {
    Act(box, stream, call++, observations, n, actions);
  };
}

void FixedPolicyAlgorithm::Export(const ActionBox& box, const std::string& path,
                                  const std::string& config_toml) const {
  torch::jit::Module module = ToTorchScript(box);
  module.eval();
  ExportModule(module, path, config_toml);
}

}  // namespace stride::algorithms
