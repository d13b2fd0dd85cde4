#include "algorithms/common/agent.h"

#include <algorithm>
#include <memory>
#include <utility>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "algorithms/common/checkpoint.h"
#include "stride/error.h"

namespace stride::algorithms {
namespace {

torch::Tensor BoundTensor(const std::vector<double>& bound) {
  return torch::tensor(bound, torch::kFloat64).to(torch::kFloat32);
}

AgentOptions WithSizes(AgentOptions options, int observation_size, int action_size) {
  options.network.observation_size = observation_size;
  options.network.action_size = action_size;
  return options;
}

}  // namespace

Agent::Agent(AgentOptions options, const Space& observation_space, const Space& action_space,
             at::Generator& generator)
    : Agent(WithSizes(std::move(options), observation_space.size(), action_space.size()),
            BoundTensor(action_space.low), BoundTensor(action_space.high), generator) {}

Agent::Agent(AgentOptions options, torch::Tensor action_low, torch::Tensor action_high,
             at::Generator& generator)
    : options_(std::move(options)),
      model_(options_.network, generator),
      action_low_(std::move(action_low)),
      action_high_(std::move(action_high)) {
  if (options_.normalize_observations) {
    normalizer_.emplace(options_.network.observation_size, options_.obs_clip);
  }
}

void Agent::UpdateNormalizer(const torch::Tensor& observations) {
  if (normalizer_) normalizer_->Update(observations);
}

void Agent::UpdateNormalizer(const float* observations, int n) {
  if (normalizer_) normalizer_->Update(observations, n);
}

void Agent::ClipActions(float* actions, int n) const {
  const float* low = action_low_.data_ptr<float>();
  const float* high = action_high_.data_ptr<float>();
  for (int i = 0; i < n; ++i) {
    for (int d = 0; d < action_size(); ++d) {
      float& a = actions[i * action_size() + d];
      a = std::clamp(a, low[d], high[d]);
    }
  }
}

torch::Tensor Agent::Normalize(const torch::Tensor& observations) const {
  return normalizer_ ? normalizer_->Normalize(observations) : observations;
}

torch::Tensor Agent::ClipActions(const torch::Tensor& actions) const {
  return torch::clamp(actions, action_low_, action_high_);
}

torch::Tensor Agent::Act(const torch::Tensor& observations) {
  return ClipActions(model_->ActionMean(Normalize(observations)));
}

Policy Agent::MakePolicy() {
  // the flat actor the rollout runs, whose bits do not depend on the CPU
  struct Scratch {
    std::vector<float> normalized;
    MlpActivations cache;
  };
  auto scratch = std::make_shared<Scratch>();
  return [this, scratch](const float* observations, int n, float* actions) {
    const float* input = observations;
    if (normalizer_) {
      scratch->normalized.resize(static_cast<size_t>(n) * observation_size());
      normalizer_->Normalize(observations, n, scratch->normalized.data());
      input = scratch->normalized.data();
    }
    model_->flat().actor().Forward(model_->flat_parameters(), input, n, scratch->cache, actions);
    ClipActions(actions, n);
  };
}

torch::jit::Module Agent::ToTorchScript() const {
  torch::jit::Module module("StridePolicy");
  std::string source = "def forward(self, observations: Tensor) -> Tensor:\n    x = observations\n";

  // observation normalization with the statistics at export time
  if (normalizer_) {
    module.register_buffer("obs_mean", normalizer_->mean().clone());
    module.register_buffer("obs_var", normalizer_->var().clone());
    source += fmt::format(
        "    x = torch.clamp((x - self.obs_mean) / torch.sqrt(self.obs_var + {}), {}, {})\n",
        kVarianceEpsilon, -normalizer_->clip(), normalizer_->clip());
  }

  // the actor's mean
  const auto& layers = model_->actor_layers();
  const char* activation = ActivationName(options_.network.activation);
  for (size_t i = 0; i < layers.size(); ++i) {
    module.register_buffer(fmt::format("actor{}_weight", i), layers[i]->weight.detach().clone());
    module.register_buffer(fmt::format("actor{}_bias", i), layers[i]->bias.detach().clone());
    const std::string linear =
        fmt::format("torch.linear(x, self.actor{0}_weight, self.actor{0}_bias)", i);
    source += i + 1 < layers.size() ? fmt::format("    x = torch.{}({})\n", activation, linear)
                                    : fmt::format("    x = {}\n", linear);
  }

  // clipped to the action bounds
  module.register_buffer("action_low", action_low_.clone());
  module.register_buffer("action_high", action_high_.clone());
  source += "    return torch.clamp(x, self.action_low, self.action_high)\n";
  module.define(source);
  module.eval();
  return module;
}

void Agent::Export(const std::string& path, const std::string& config_toml) const {
  ExportModule(ToTorchScript(), path, config_toml);
}

void Agent::Save(torch::serialize::OutputArchive& archive) const {
  WriteInt(archive, "observation_size", observation_size());
  WriteInt(archive, "action_size", action_size());
  archive.write("action_low", action_low_, /*is_buffer=*/true);
  archive.write("action_high", action_high_, /*is_buffer=*/true);
  torch::serialize::OutputArchive model(archive.compilation_unit());
  model_->save(model);
  archive.write("model", model);
  if (normalizer_) {
    torch::serialize::OutputArchive normalizer(archive.compilation_unit());
    normalizer_->Save(normalizer);
    archive.write("observation_normalizer", normalizer);
  }
}

void Agent::Load(torch::serialize::InputArchive& archive) {
  const int64_t saved_observations = ReadInt(archive, "observation_size");
  const int64_t saved_actions = ReadInt(archive, "action_size");
  if (saved_observations != observation_size() || saved_actions != action_size()) {
    throw RuntimeError(fmt::format(
        "the checkpoint is for {} observations and {} actions, the environment has {} and {}",
        saved_observations, saved_actions, observation_size(), action_size()));
  }
  // the saved networks must have this configuration's layers and shapes
  torch::serialize::InputArchive model = ReadNested(archive, "model");
  std::vector<std::vector<int64_t>> shapes;
  for (const torch::Tensor& parameter : model_->parameters())
    shapes.push_back(parameter.sizes().vec());
  bool matches = true;
  try {
    model_->load(model);
  } catch (const c10::Error&) {
    matches = false;
  }
  const std::vector<torch::Tensor> loaded = model_->parameters();
  for (size_t i = 0; matches && i < loaded.size(); ++i)
    matches = loaded[i].sizes().vec() == shapes[i];
  if (!matches) {
    throw RuntimeError(
        "the checkpoint's networks differ from the configured ones "
        "(hidden_sizes?)");
  }
  if (normalizer_) {
    torch::serialize::InputArchive normalizer = ReadNested(archive, "observation_normalizer");
    normalizer_->Load(normalizer);
  }
  model_->Flatten();
}

Agent Agent::FromArchive(AgentOptions options, torch::serialize::InputArchive& archive) {
  // the parameters are overwritten by Load(); the generator only shapes them
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(0);
  Agent agent(WithSizes(std::move(options), static_cast<int>(ReadInt(archive, "observation_size")),
                        static_cast<int>(ReadInt(archive, "action_size"))),
              ReadTensor(archive, "action_low"), ReadTensor(archive, "action_high"), generator);
  agent.Load(archive);
  return agent;
}

}  // namespace stride::algorithms
