#include "algorithms/common/running_mean_std.h"

#include "algorithms/common/checkpoint.h"

namespace stride::algorithms {

RunningMeanStd::RunningMeanStd(int64_t size)
    : mean_(torch::zeros({size}, torch::kFloat64)), var_(torch::ones({size}, torch::kFloat64)) {}

void RunningMeanStd::Update(const torch::Tensor& batch) {
  const torch::Tensor x = batch.to(torch::kFloat64);
  const double batch_count = static_cast<double>(x.size(0));
  const torch::Tensor batch_mean = x.mean(0);
  const torch::Tensor batch_var = x.var(0, /*unbiased=*/false);

  // merge the two populations' first and second moments
  const double total = count_ + batch_count;
  const torch::Tensor delta = batch_mean - mean_;
  const torch::Tensor m2 =
      var_ * count_ + batch_var * batch_count + delta.square() * (count_ * batch_count / total);
  mean_.add_(delta * (batch_count / total));
  var_.copy_(m2 / total);
  count_ = total;
}

void RunningMeanStd::Save(torch::serialize::OutputArchive& archive) const {
  archive.write("mean", mean_, /*is_buffer=*/true);
  archive.write("var", var_, /*is_buffer=*/true);
  WriteDouble(archive, "count", count_);
}

void RunningMeanStd::Load(torch::serialize::InputArchive& archive) {
  mean_.copy_(ReadTensor(archive, "mean"));
  var_.copy_(ReadTensor(archive, "var"));
  count_ = ReadDouble(archive, "count");
}

ObservationNormalizer::ObservationNormalizer(int64_t size, double clip)
    : statistics_(size),
      clip_(clip),
      mean_(torch::zeros({size})),
      var_(torch::ones({size})),
      std_(torch::ones({size})) {
  Refresh();
}

void ObservationNormalizer::Update(const torch::Tensor& observations) {
  statistics_.Update(observations);
  Refresh();
}

torch::Tensor ObservationNormalizer::Normalize(const torch::Tensor& observations) const {
  return ((observations - mean_) / std_).clamp(-clip_, clip_);
}

void ObservationNormalizer::Refresh() {
  // in place, so the tensors stay usable outside inference mode
  mean_.copy_(statistics_.mean());
  var_.copy_(statistics_.var());
  std_.copy_(torch::sqrt(var_ + kVarianceEpsilon));
}

void ObservationNormalizer::Save(torch::serialize::OutputArchive& archive) const {
  statistics_.Save(archive);
}

void ObservationNormalizer::Load(torch::serialize::InputArchive& archive) {
  statistics_.Load(archive);
  Refresh();
}

RewardScaler::RewardScaler(int num_envs, double gamma, double clip)
    : statistics_(1),
      gamma_(gamma),
      clip_(clip),
      returns_(torch::zeros({num_envs}, torch::kFloat64)) {}

torch::Tensor RewardScaler::Scale(const torch::Tensor& rewards, const torch::Tensor& dones) {
  returns_.mul_(gamma_).add_(rewards.to(torch::kFloat64));
  statistics_.Update(returns_.unsqueeze(1));
  const torch::Tensor scaled =
      rewards.to(torch::kFloat64) / torch::sqrt(statistics_.var() + kVarianceEpsilon);
  returns_.masked_fill_(dones.to(torch::kBool), 0.0);
  return scaled.clamp(-clip_, clip_).to(torch::kFloat32);
}

void RewardScaler::Save(torch::serialize::OutputArchive& archive) const {
  statistics_.Save(archive);
  archive.write("returns", returns_, /*is_buffer=*/true);
}

void RewardScaler::Load(torch::serialize::InputArchive& archive) {
  statistics_.Load(archive);
  returns_.copy_(ReadTensor(archive, "returns"));
}

}  // namespace stride::algorithms
