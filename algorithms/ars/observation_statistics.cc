#include "algorithms/ars/observation_statistics.h"

#include <algorithm>

#include <fmt/format.h>

#include "algorithms/common/checkpoint.h"
#include "stride/error.h"

namespace stride::algorithms::ars {
namespace {

// reads a float64 vector of the given size
void ReadDoubles(torch::serialize::InputArchive& archive, const std::string& key,
                 std::vector<double>& values) {
  const torch::Tensor tensor = ReadTensor(archive, key).contiguous();
  if (tensor.scalar_type() != torch::kFloat64 ||
      tensor.numel() != static_cast<int64_t>(values.size())) {
    throw RuntimeError(
        fmt::format("the checkpoint's '{}' holds {} values, the environment has {} "
                    "observations",
                    key, tensor.numel(), values.size()));
  }
  std::copy_n(tensor.data_ptr<double>(), values.size(), values.begin());
}

}  // namespace

ObservationStatistics::ObservationStatistics(int size) : mean_(size, 0.0), squares_(size, 0.0) {}

void ObservationStatistics::Update(const float* rows, int64_t n) {
  if (n <= 0) return;
  const int size = static_cast<int>(mean_.size());
  const double batch_count = static_cast<double>(n);
  const double total = static_cast<double>(count_) + batch_count;
  for (int j = 0; j < size; ++j) {
    // the batch's mean and squared deviations of column j
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += rows[i * size + j];
    const double batch_mean = sum / batch_count;
    double batch_squares = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double d = rows[i * size + j] - batch_mean;
      batch_squares += d * d;
    }

    // merged with what came before
    const double delta = batch_mean - mean_[j];
    const double before = static_cast<double>(count_);
    squares_[j] += batch_squares + delta * delta * (before * batch_count / total);
    mean_[j] += delta * (batch_count / total);
  }
  count_ += n;
}

double ObservationStatistics::variance(int j) const {
  return count_ > 0 ? squares_[j] / static_cast<double>(count_) : 0.0;
}

void ObservationStatistics::Save(torch::serialize::OutputArchive& archive) const {
  WriteInt(archive, "count", count_);
  archive.write("mean", torch::tensor(mean_, torch::kFloat64), /*is_buffer=*/true);
  archive.write("squares", torch::tensor(squares_, torch::kFloat64), /*is_buffer=*/true);
}

void ObservationStatistics::Load(torch::serialize::InputArchive& archive) {
  count_ = ReadInt(archive, "count");
  ReadDoubles(archive, "mean", mean_);
  ReadDoubles(archive, "squares", squares_);
}

}  // namespace stride::algorithms::ars
