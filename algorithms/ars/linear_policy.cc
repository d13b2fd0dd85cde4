#include "algorithms/ars/linear_policy.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "algorithms/common/checkpoint.h"
#include "stride/error.h"

namespace stride::algorithms::ars {
namespace {

// ARS's filter: coordinates whose std is below this are normalized to 0
constexpr double kMinStd = 1e-7;
constexpr double kStdEpsilon = 1e-8;

std::vector<float> ReadFloats(torch::serialize::InputArchive& archive, const std::string& key) {
  const torch::Tensor tensor = ReadTensor(archive, key).contiguous();
  return std::vector<float>(tensor.data_ptr<float>(), tensor.data_ptr<float>() + tensor.numel());
}

}  // namespace

LinearPolicy::LinearPolicy(int observation_size, ActionBox box, bool normalize)
    : observation_size_(observation_size),
      box_(std::move(box)),
      normalize_(normalize),
      weights_(static_cast<size_t>(box_.size()) * observation_size, 0.0),
      statistics_(observation_size),
      mean_(observation_size, 0.0),
      scale_(observation_size, 1.0) {}

void LinearPolicy::Normalize(const float* observation, double* normalized) const {
  for (int j = 0; j < observation_size_; ++j) {
    normalized[j] = (observation[j] - mean_[j]) * scale_[j];
  }
}

void LinearPolicy::Act(const double* direction, double scale, const double* normalized,
                       float* action) const {
  for (int d = 0; d < action_size(); ++d) {
    const double* row = weights_.data() + static_cast<size_t>(d) * observation_size_;
    const double* row_direction = direction + static_cast<size_t>(d) * observation_size_;
    double sum = 0.0;
    for (int j = 0; j < observation_size_; ++j) {
      sum += (row[j] + scale * row_direction[j]) * normalized[j];
    }
    action[d] = static_cast<float>(
        std::clamp(sum, static_cast<double>(box_.low[d]), static_cast<double>(box_.high[d])));
  }
}

void LinearPolicy::UpdateStatistics(const float* observations, int64_t n) {
  if (normalize_ && n > 0) statistics_.Update(observations, n);
}

void LinearPolicy::RefreshNormalization() {
  if (!normalize_ || statistics_.count() == 0) return;
  for (int j = 0; j < observation_size_; ++j) {
    const double std = std::sqrt(statistics_.variance(j));
    mean_[j] = statistics_.mean()[j];
    scale_[j] = std < kMinStd ? 0.0 : 1.0 / (std + kStdEpsilon);
  }
}

std::pair<torch::Tensor, torch::Tensor> LinearPolicy::FoldedLayer() const {
  // M (x - mean) * scale = W x + c, summed in float64 and rounded once
  torch::Tensor weight = torch::empty({action_size(), observation_size_}, torch::kFloat32);
  torch::Tensor bias = torch::empty({action_size()}, torch::kFloat32);
  for (int d = 0; d < action_size(); ++d) {
    double offset = 0.0;
    for (int j = 0; j < observation_size_; ++j) {
      const double w = weights_[static_cast<size_t>(d) * observation_size_ + j] * scale_[j];
      weight.data_ptr<float>()[d * observation_size_ + j] = static_cast<float>(w);
      offset -= w * mean_[j];
    }
    bias.data_ptr<float>()[d] = static_cast<float>(offset);
  }
  return {weight, bias};
}

Policy LinearPolicy::MakePolicy() const {
  auto [weight, bias] = FoldedLayer();
  const torch::Tensor low = torch::tensor(box_.low), high = torch::tensor(box_.high);
  const int obs = observation_size_, act = action_size();
  return [weight, bias, low, high, obs, act](const float* observations, int n, float* actions) {
    torch::InferenceMode inference;
    const torch::Tensor input =
        torch::from_blob(const_cast<float*>(observations), {n, obs}, torch::kFloat32);
    torch::from_blob(actions, {n, act}, torch::kFloat32)
        .copy_(torch::clamp(torch::linear(input, weight, bias), low, high));
  };
}

torch::jit::Module LinearPolicy::ToTorchScript() const {
  auto [weight, bias] = FoldedLayer();
  torch::jit::Module module("StrideLinearPolicy");
  module.register_buffer("weight", weight);
  module.register_buffer("bias", bias);
  module.register_buffer("action_low", torch::tensor(box_.low));
  module.register_buffer("action_high", torch::tensor(box_.high));
  module.define(R"(
def forward(self, observations: Tensor) -> Tensor:
    x = torch.linear(observations, self.weight, self.bias)
    return torch.clamp(x, self.action_low, self.action_high)
)");
  module.eval();
  return module;
}

void LinearPolicy::Export(const std::string& path, const std::string& config_toml) const {
  ExportModule(ToTorchScript(), path, config_toml);
}

void LinearPolicy::Save(torch::serialize::OutputArchive& archive) const {
  archive.write("action_low", torch::tensor(box_.low), /*is_buffer=*/true);
  archive.write("action_high", torch::tensor(box_.high), /*is_buffer=*/true);
  archive.write("weights",
                torch::tensor(weights_, torch::kFloat64).view({action_size(), observation_size_}),
                /*is_buffer=*/true);
  torch::serialize::OutputArchive statistics(archive.compilation_unit());
  statistics_.Save(statistics);
  archive.write("observation_statistics", statistics);
}

void LinearPolicy::Load(torch::serialize::InputArchive& archive) {
  const torch::Tensor weights = ReadTensor(archive, "weights").contiguous();
  if (weights.dim() != 2 || weights.size(0) != action_size() ||
      weights.size(1) != observation_size_) {
    throw RuntimeError(fmt::format(
        "the checkpoint's policy is for {} observations and {} actions, the environment has {} "
        "and {}",
        weights.size(1), weights.size(0), observation_size_, action_size()));
  }
  std::copy_n(weights.data_ptr<double>(), weights_.size(), weights_.begin());
  torch::serialize::InputArchive statistics = ReadNested(archive, "observation_statistics");
  statistics_.Load(statistics);
  RefreshNormalization();
}

LinearPolicy LinearPolicy::FromArchive(torch::serialize::InputArchive& archive, bool normalize) {
  const torch::Tensor weights = ReadTensor(archive, "weights");
  ActionBox box{ReadFloats(archive, "action_low"), ReadFloats(archive, "action_high")};
  LinearPolicy policy(static_cast<int>(weights.size(1)), std::move(box), normalize);
  policy.Load(archive);
  return policy;
}

}  // namespace stride::algorithms::ars
