#include "algorithms/common/running_mean_std.h"

#include <algorithm>
#include <cmath>

#include "algorithms/common/checkpoint.h"

namespace stride::algorithms {

RunningMeanStd::RunningMeanStd(int64_t size, double initial_count)
    : mean_(torch::zeros({size}, torch::kFloat64)),
      var_(torch::ones({size}, torch::kFloat64)),
      count_(initial_count) {}

void RunningMeanStd::Update(const torch::Tensor& batch) {
  const torch::Tensor x = batch.to(torch::kFloat64).contiguous();
  Update(x.data_ptr<double>(), x.size(0));
}

void RunningMeanStd::Update(const float* rows, int64_t n) { Merge(rows, n); }
void RunningMeanStd::Update(const double* rows, int64_t n) { Merge(rows, n); }

template <typename T>
void RunningMeanStd::Merge(const T* rows, int64_t n) {
  const int64_t size = mean_.size(0);
  double* mean = mean_.data_ptr<double>();
  double* var = var_.data_ptr<double>();
  const double batch_count = static_cast<double>(n);
  const double total = count_ + batch_count;
  for (int64_t j = 0; j < size; ++j) {
    // the batch's mean and variance of column j
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += rows[i * size + j];
    const double batch_mean = sum / batch_count;
    double sum_sq = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double d = rows[i * size + j] - batch_mean;
      sum_sq += d * d;
    }
    const double batch_var = sum_sq / batch_count;

    // merge the two populations' first and second moments
    const double delta = batch_mean - mean[j];
    const double m2 =
        var[j] * count_ + batch_var * batch_count + delta * delta * (count_ * batch_count / total);
    mean[j] += delta * (batch_count / total);
    var[j] = m2 / total;
  }
  count_ = total;
}

void RunningMeanStd::Combine(const RunningMeanStd& other) {
  if (other.count_ == 0.0) return;
  const int64_t size = mean_.size(0);
  double* mean = mean_.data_ptr<double>();
  double* var = var_.data_ptr<double>();
  const double* other_mean = other.mean_.data_ptr<double>();
  const double* other_var = other.var_.data_ptr<double>();
  const double total = count_ + other.count_;
  for (int64_t j = 0; j < size; ++j) {
    const double delta = other_mean[j] - mean[j];
    const double m2 = var[j] * count_ + other_var[j] * other.count_ +
                      delta * delta * (count_ * other.count_ / total);
    mean[j] += delta * (other.count_ / total);
    var[j] = m2 / total;
  }
  count_ = total;
}

void RunningMeanStd::CopyFrom(const RunningMeanStd& other) {
  mean_.copy_(other.mean_);
  var_.copy_(other.var_);
  count_ = other.count_;
}

std::vector<double> RunningMeanStd::Pack() const {
  const int64_t size = mean_.size(0);
  std::vector<double> packed = {count_};
  packed.insert(packed.end(), mean_.data_ptr<double>(), mean_.data_ptr<double>() + size);
  packed.insert(packed.end(), var_.data_ptr<double>(), var_.data_ptr<double>() + size);
  return packed;
}

void RunningMeanStd::Unpack(const double* packed) {
  const int64_t size = mean_.size(0);
  count_ = packed[0];
  std::copy_n(packed + 1, size, mean_.data_ptr<double>());
  std::copy_n(packed + 1 + size, size, var_.data_ptr<double>());
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

void ObservationNormalizer::Update(const float* observations, int64_t n) {
  statistics_.Update(observations, n);
  Refresh();
}

torch::Tensor ObservationNormalizer::Normalize(const torch::Tensor& observations) const {
  const torch::Tensor input = observations.to(torch::kFloat32).contiguous();
  torch::Tensor normalized = torch::empty_like(input);
  Normalize(input.data_ptr<float>(), input.numel() / mean_.size(0), normalized.data_ptr<float>());
  return normalized;
}

void ObservationNormalizer::Normalize(const float* observations, int64_t n,
                                      float* normalized) const {
  const int64_t size = mean_.size(0);
  const float* mean = mean_.data_ptr<float>();
  const float* std = std_.data_ptr<float>();
  const float clip = static_cast<float>(clip_);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < size; ++j) {
      const float x = (observations[i * size + j] - mean[j]) / std[j];
      normalized[i * size + j] = std::clamp(x, -clip, clip);
    }
  }
}

void ObservationNormalizer::Combine(const RunningMeanStd& other) {
  statistics_.Combine(other);
  Refresh();
}

void ObservationNormalizer::CopyFrom(const RunningMeanStd& other) {
  statistics_.CopyFrom(other);
  Refresh();
}

void ObservationNormalizer::Refresh() {
  // the float32 statistics, written in place
  const int64_t size = mean_.size(0);
  const double* mean = statistics_.mean().data_ptr<double>();
  const double* var = statistics_.var().data_ptr<double>();
  for (int64_t j = 0; j < size; ++j) {
    mean_.data_ptr<float>()[j] = static_cast<float>(mean[j]);
    var_.data_ptr<float>()[j] = static_cast<float>(var[j]);
    std_.data_ptr<float>()[j] = std::sqrt(var_.data_ptr<float>()[j] + kVarianceEpsilon);
  }
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
  const torch::Tensor r = rewards.to(torch::kFloat32).contiguous();
  const torch::Tensor d = dones.to(torch::kUInt8).contiguous();
  torch::Tensor scaled = torch::empty_like(r);
  Scale(r.data_ptr<float>(), d.data_ptr<uint8_t>(), scaled.data_ptr<float>());
  return scaled;
}

void RewardScaler::Scale(const float* rewards, const uint8_t* dones, float* scaled,
                         RunningMeanStd* also) {
  const int64_t n = returns_.size(0);
  double* returns = returns_.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) returns[i] = returns[i] * gamma_ + rewards[i];
  statistics_.Update(returns, n);
  if (also) also->Update(returns, n);
  const double std = std::sqrt(statistics_.var().data_ptr<double>()[0] + kVarianceEpsilon);
  for (int64_t i = 0; i < n; ++i) {
    scaled[i] = static_cast<float>(std::clamp(rewards[i] / std, -clip_, clip_));
    if (dones[i]) returns[i] = 0.0;
  }
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
