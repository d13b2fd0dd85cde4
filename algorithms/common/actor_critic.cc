#include "algorithms/common/actor_critic.h"

#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "stride/error.h"

namespace stride::algorithms {
namespace {

// linear layers in_size -> hidden_sizes... -> out_size, registered as prefix0, prefix1, ...;
// out_gain is the orthogonal initialization's gain of the output layer
std::vector<torch::nn::Linear> MakeMlp(torch::nn::Module& owner, const std::string& prefix,
                                       int in_size, const std::vector<int64_t>& hidden_sizes,
                                       int out_size, Initialization init, double out_gain,
                                       at::Generator& generator) {
  std::vector<torch::nn::Linear> layers;
  int64_t width = in_size;
  for (size_t i = 0; i <= hidden_sizes.size(); ++i) {
    const bool last = i == hidden_sizes.size();
    const int64_t next = last ? out_size : hidden_sizes[i];
    auto layer = owner.register_module(prefix + std::to_string(i), torch::nn::Linear(width, next));
    torch::NoGradGuard no_grad;
    if (init == Initialization::kTorchDefault) {
      TorchDefaultInit(layer->weight, layer->bias, generator);
    } else {
      OrthogonalInit(layer->weight, last ? out_gain : std::sqrt(2.0), generator);
      layer->bias.zero_();
    }
    layers.push_back(layer);
    width = next;
  }
  return layers;
}

}  // namespace

Initialization ParseInitialization(const std::string& name) {
  if (name == "orthogonal") return Initialization::kOrthogonal;
  if (name == "torch_default") return Initialization::kTorchDefault;
  throw ConfigError(fmt::format("init '{}' is not one of: orthogonal, torch_default", name));
}

ActorCriticImpl::ActorCriticImpl(const ActorCriticOptions& options, at::Generator& generator)
    : options_(options),
      flat_(options.observation_size, options.action_size, options.hidden_sizes,
            options.activation) {
  actor_ = MakeMlp(*this, "actor", options.observation_size, options.hidden_sizes,
                   options.action_size, options.init, 0.01, generator);
  critic_ = MakeMlp(*this, "critic", options.observation_size, options.hidden_sizes, 1,
                    options.init, 1.0, generator);
  log_std_ = register_parameter(
      "log_std", torch::full({options.action_size}, options.init_log_std, torch::kFloat32));
  Flatten();
}

void ActorCriticImpl::Flatten() {
  // in the order of FlatActorCritic: actor layers, log-std, critic layers
  std::vector<torch::Tensor> ordered = policy_parameters();
  for (const torch::Tensor& parameter : value_parameters()) ordered.push_back(parameter);
  torch::Tensor flat = torch::empty({flat_.num_parameters()}, torch::kFloat32);
  int64_t offset = 0;
  torch::NoGradGuard no_grad;
  for (torch::Tensor& parameter : ordered) {
    torch::Tensor view = flat.narrow(0, offset, parameter.numel()).view(parameter.sizes());
    view.copy_(parameter);
    parameter.set_data(view);
    offset += parameter.numel();
  }
  flat_parameters_ = flat;
}

torch::Tensor ActorCriticImpl::Forward(std::vector<torch::nn::Linear>& layers, torch::Tensor x) {
  for (size_t i = 0; i < layers.size(); ++i) {
    x = layers[i]->forward(x);
    if (i + 1 == layers.size()) break;
    x = options_.activation == Activation::kTanh ? torch::tanh(x) : torch::relu(x);
  }
  return x;
}

torch::Tensor ActorCriticImpl::ActionMean(const torch::Tensor& observations) {
  return Forward(actor_, observations);
}

torch::Tensor ActorCriticImpl::Value(const torch::Tensor& observations) {
  return Forward(critic_, observations).squeeze(-1);
}

std::vector<torch::Tensor> ActorCriticImpl::policy_parameters() const {
  std::vector<torch::Tensor> parameters;
  for (const auto& layer : actor_) {
    parameters.push_back(layer->weight);
    parameters.push_back(layer->bias);
  }
  parameters.push_back(log_std_);
  return parameters;
}

std::vector<torch::Tensor> ActorCriticImpl::value_parameters() const {
  std::vector<torch::Tensor> parameters;
  for (const auto& layer : critic_) {
    parameters.push_back(layer->weight);
    parameters.push_back(layer->bias);
  }
  return parameters;
}

void OrthogonalInit(torch::Tensor weight, double gain, at::Generator& generator) {
  const int64_t rows = weight.size(0), cols = weight.size(1);
  // the Q of the QR decomposition (R with a positive diagonal) of a gaussian
  // matrix with at least as many rows as columns, by modified Gram-Schmidt in
  // double: LAPACK's QR would give other bits on another CPU
  const int64_t n = std::max(rows, cols), m = std::min(rows, cols);
  const torch::Tensor gaussian = torch::randn({n, m}, generator, torch::kFloat32);
  const float* g = gaussian.data_ptr<float>();
  std::vector<std::vector<double>> columns(m, std::vector<double>(n));
  for (int64_t c = 0; c < m; ++c) {
    std::vector<double>& column = columns[c];
    for (int64_t r = 0; r < n; ++r) column[r] = g[r * m + c];
    for (int64_t previous = 0; previous < c; ++previous) {
      double dot = 0.0;
      for (int64_t r = 0; r < n; ++r) dot += columns[previous][r] * column[r];
      for (int64_t r = 0; r < n; ++r) column[r] -= dot * columns[previous][r];
    }
    double squares = 0.0;
    for (int64_t r = 0; r < n; ++r) squares += column[r] * column[r];
    const double norm = std::sqrt(squares);
    for (int64_t r = 0; r < n; ++r) column[r] /= norm;
  }
  torch::Tensor q = torch::empty({n, m}, torch::kFloat32);
  float* out = q.data_ptr<float>();
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t c = 0; c < m; ++c) out[r * m + c] = static_cast<float>(columns[c][r] * gain);
  }
  if (rows < cols) q = q.t();
  torch::NoGradGuard no_grad;
  weight.copy_(q);
}

void TorchDefaultInit(torch::Tensor weight, torch::Tensor bias, at::Generator& generator) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(weight.size(1)));
  torch::NoGradGuard no_grad;
  weight.uniform_(-bound, bound, generator);
  bias.uniform_(-bound, bound, generator);
}

}  // namespace stride::algorithms
