#include "algorithms/common/gae.h"

#include "stride/phase_times.h"

namespace stride::algorithms {

torch::Tensor ComputeGae(const torch::Tensor& rewards, const torch::Tensor& values,
                         const torch::Tensor& next_values, const torch::Tensor& terminated,
                         const torch::Tensor& dones, double gamma, double lambda) {
  PhaseTimer timer("advantages (GAE)");
  torch::Tensor advantages = torch::zeros_like(rewards);
  const auto r = rewards.accessor<float, 2>();
  const auto v = values.accessor<float, 2>();
  const auto next_v = next_values.accessor<float, 2>();
  const auto term = terminated.accessor<float, 2>();
  const auto done = dones.accessor<float, 2>();
  auto a = advantages.accessor<float, 2>();
  const float g = static_cast<float>(gamma), gl = static_cast<float>(gamma * lambda);
  for (int64_t n = 0; n < rewards.size(1); ++n) {
    float running = 0.0f;
    for (int64_t t = rewards.size(0) - 1; t >= 0; --t) {
      const float delta = r[t][n] + g * (1.0f - term[t][n]) * next_v[t][n] - v[t][n];
      running = delta + gl * (1.0f - done[t][n]) * running;
      a[t][n] = running;
    }
  }
  return advantages;
}

}  // namespace stride::algorithms
