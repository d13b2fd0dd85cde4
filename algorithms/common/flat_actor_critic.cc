#include "algorithms/common/flat_actor_critic.h"

#include <cmath>

namespace stride::algorithms {
namespace {

constexpr double kLogSqrtTwoPi = 0.91893853320467274178;

}  // namespace

FlatActorCritic::FlatActorCritic(int observation_size, int action_size,
                                 const std::vector<int64_t>& hidden_sizes, Activation activation)
    : actor_(observation_size, hidden_sizes, action_size, activation),
      critic_(observation_size, hidden_sizes, 1, activation) {}

double GaussianLogDensity(const float* action, const float* mean, const float* log_std, int size) {
  double sum = 0.0;
  for (int d = 0; d < size; ++d) {
    const double z = (static_cast<double>(action[d]) - mean[d]) * std::exp(-log_std[d]);
    sum += -0.5 * z * z - log_std[d] - kLogSqrtTwoPi;
  }
  return sum;
}

void GaussianLogDensityBackward(const float* action, const float* mean, const float* log_std,
                                int size, double d_log_prob, float* d_mean, float* d_log_std) {
  for (int d = 0; d < size; ++d) {
    const double inverse_std = std::exp(-log_std[d]);
    const double z = (action[d] - mean[d]) * inverse_std;
    d_mean[d] = static_cast<float>(d_log_prob * z * inverse_std);
    d_log_std[d] += static_cast<float>(d_log_prob * (z * z - 1.0));
  }
}

double GaussianEntropy(const float* log_std, int size) {
  double sum = 0.0;
  for (int d = 0; d < size; ++d) sum += 0.5 + kLogSqrtTwoPi + log_std[d];
  return sum;
}

}  // namespace stride::algorithms
