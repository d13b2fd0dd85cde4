#include "algorithms/common/off_policy_networks.h"

#include <string>
#include <utility>

#include <fmt/format.h>

#include "algorithms/common/actor_critic.h"
#include "algorithms/common/checkpoint.h"

namespace stride::algorithms {
namespace {

torch::Tensor BoxTensor(const std::vector<double>& values) {
  std::vector<float> floats(values.begin(), values.end());
  return torch::tensor(floats);
}

}  // namespace

ReluLayersImpl::ReluLayersImpl(int64_t input, const std::vector<int64_t>& hidden,
                               at::Generator& generator) {
  for (size_t i = 0; i < hidden.size(); ++i) {
    layers_.push_back(
        register_module(fmt::format("fc{}", i + 1),
                        MakeLinear(i == 0 ? input : hidden[i - 1], hidden[i], generator)));
  }
}

torch::Tensor ReluLayersImpl::forward(torch::Tensor x) {
  for (torch::nn::Linear& layer : layers_) x = torch::relu(layer(x));
  return x;
}

torch::nn::Linear MakeLinear(int64_t input, int64_t output, at::Generator& generator) {
  torch::nn::Linear layer(input, output);
  TorchDefaultInit(layer->weight, layer->bias, generator);
  return layer;
}

SquashedActorImpl::SquashedActorImpl(int observation_size, const Space& action_space,
                                     const std::vector<int64_t>& hidden, at::Generator& generator)
    : trunk_(register_module("trunk", ReluLayers(observation_size, hidden, generator))),
      head_(register_module("head", MakeLinear(hidden.back(), action_space.size(), generator))) {
  const torch::Tensor low = BoxTensor(action_space.low), high = BoxTensor(action_space.high);
  action_scale_ = register_buffer("action_scale", (high - low) / 2.0);
  action_bias_ = register_buffer("action_bias", (high + low) / 2.0);
}

torch::Tensor SquashedActorImpl::forward(const torch::Tensor& observations) {
  return Squash(head_(trunk_(observations)));
}

torch::Tensor SquashedActorImpl::Squash(const torch::Tensor& pre_activation) const {
  return torch::tanh(pre_activation) * action_scale_ + action_bias_;
}

Policy SquashedActorImpl::MakePolicy() {
  return [this](const float* observations, int n, float* actions) {
    torch::InferenceMode inference;
    const torch::Tensor input = torch::from_blob(
        const_cast<float*>(observations), {n, trunk_->layers().front()->options.in_features()});
    const torch::Tensor output = forward(input);
    torch::from_blob(actions, output.sizes()).copy_(output);
  };
}

torch::jit::Module SquashedActorImpl::ToTorchScript() const {
  torch::jit::Module module("StrideSquashedPolicy");
  std::string source = "def forward(self, observations: Tensor) -> Tensor:\n    x = observations\n";
  const auto& layers = trunk_->layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    module.register_buffer(fmt::format("fc{}_weight", i), layers[i]->weight.detach().clone());
    module.register_buffer(fmt::format("fc{}_bias", i), layers[i]->bias.detach().clone());
    source +=
        fmt::format("    x = torch.relu(torch.linear(x, self.fc{0}_weight, self.fc{0}_bias))\n", i);
  }
  module.register_buffer("head_weight", head_->weight.detach().clone());
  module.register_buffer("head_bias", head_->bias.detach().clone());
  module.register_buffer("action_scale", action_scale_.clone());
  module.register_buffer("action_bias", action_bias_.clone());
  source +=
      "    x = torch.tanh(torch.linear(x, self.head_weight, self.head_bias))\n"
      "    return x * self.action_scale + self.action_bias\n";
  module.define(source);
  module.eval();
  return module;
}

QNetworkImpl::QNetworkImpl(int observation_size, int action_size,
                           const std::vector<int64_t>& hidden, at::Generator& generator)
    : trunk_(
          register_module("trunk", ReluLayers(observation_size + action_size, hidden, generator))),
      head_(register_module("head", MakeLinear(hidden.back(), 1, generator))) {}

torch::Tensor QNetworkImpl::forward(const torch::Tensor& observations,
                                    const torch::Tensor& actions) {
  return head_(trunk_(torch::cat({observations, actions}, 1))).view({-1});
}

void SoftUpdate(torch::nn::Module& target, const torch::nn::Module& source, double tau) {
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> targets = target.parameters(), sources = source.parameters();
  for (size_t i = 0; i < targets.size(); ++i) {
    targets[i].mul_(1.0 - tau).add_(sources[i], tau);
  }
}

class TwinCritic::Frozen {
 public:
  explicit Frozen(TwinCritic& critic) : critic_(critic) { Set(false); }
  ~Frozen() { Set(true); }
  Frozen(const Frozen&) = delete;
  Frozen& operator=(const Frozen&) = delete;

 private:
  void Set(bool requires_grad) {
    for (torch::Tensor& p : critic_.q1_->parameters()) p.requires_grad_(requires_grad);
    for (torch::Tensor& p : critic_.q2_->parameters()) p.requires_grad_(requires_grad);
  }
  TwinCritic& critic_;
};

TwinCritic::TwinCritic(int observation_size, int action_size, const std::vector<int64_t>& hidden,
                       double learning_rate, at::Generator& generator)
    : q1_(observation_size, action_size, hidden, generator),
      q2_(observation_size, action_size, hidden, generator),
      q1_target_(observation_size, action_size, hidden, generator),
      q2_target_(observation_size, action_size, hidden, generator) {
  // the targets start as copies of the critics
  SoftUpdate(*q1_target_, *q1_, 1.0);
  SoftUpdate(*q2_target_, *q2_, 1.0);
  for (torch::Tensor& p : q1_target_->parameters()) p.requires_grad_(false);
  for (torch::Tensor& p : q2_target_->parameters()) p.requires_grad_(false);
  std::vector<torch::Tensor> parameters = q1_->parameters();
  for (const torch::Tensor& p : q2_->parameters()) parameters.push_back(p);
  optimizer_ =
      std::make_unique<torch::optim::Adam>(parameters, torch::optim::AdamOptions(learning_rate));
}

torch::Tensor TwinCritic::TargetValue(const torch::Tensor& observations,
                                      const torch::Tensor& actions) {
  torch::NoGradGuard no_grad;
  return torch::min(q1_target_(observations, actions), q2_target_(observations, actions));
}

torch::Tensor TwinCritic::Q1(const torch::Tensor& observations, const torch::Tensor& actions) {
  Frozen frozen(*this);
  return q1_(observations, actions);
}

torch::Tensor TwinCritic::MinQ(const torch::Tensor& observations, const torch::Tensor& actions) {
  Frozen frozen(*this);
  return torch::min(q1_(observations, actions), q2_(observations, actions));
}

CriticStats TwinCritic::Step(const ReplayBatch& batch, const torch::Tensor& targets) {
  const torch::Tensor qf1 = q1_(batch.observations, batch.actions);
  const torch::Tensor qf2 = q2_(batch.observations, batch.actions);
  const torch::Tensor loss = torch::mse_loss(qf1, targets) + torch::mse_loss(qf2, targets);
  optimizer_->zero_grad();
  loss.backward();
  optimizer_->step();
  return {qf1.mean().item<double>(), qf2.mean().item<double>(), loss.item<double>()};
}

void TwinCritic::UpdateTargets(double tau) {
  SoftUpdate(*q1_target_, *q1_, tau);
  SoftUpdate(*q2_target_, *q2_, tau);
}

std::vector<torch::Tensor> TwinCritic::parameters() const {
  std::vector<torch::Tensor> all;
  for (const QNetwork* network : {&q1_, &q2_, &q1_target_, &q2_target_}) {
    for (const torch::Tensor& p : (*network)->parameters()) all.push_back(p);
  }
  return all;
}

void TwinCritic::Save(torch::serialize::OutputArchive& archive) const {
  WriteModule(archive, "qf1", *q1_);
  WriteModule(archive, "qf2", *q2_);
  WriteModule(archive, "qf1_target", *q1_target_);
  WriteModule(archive, "qf2_target", *q2_target_);
  WriteOptimizer(archive, "optimizer", *optimizer_);
}

void TwinCritic::Load(torch::serialize::InputArchive& archive) {
  ReadModule(archive, "qf1", *q1_);
  ReadModule(archive, "qf2", *q2_);
  ReadModule(archive, "qf1_target", *q1_target_);
  ReadModule(archive, "qf2_target", *q2_target_);
  ReadOptimizer(archive, "optimizer", *optimizer_);
}

Space UnitBox(int size) {
  return Space{std::vector<std::string>(size), std::vector<double>(size, -1.0),
               std::vector<double>(size, 1.0)};
}

torch::Tensor UniformActions(const Space& action_space, int64_t n, at::Generator& generator) {
  const torch::Tensor low = BoxTensor(action_space.low), high = BoxTensor(action_space.high);
  return low + torch::rand({n, action_space.size()}, generator) * (high - low);
}

}  // namespace stride::algorithms
