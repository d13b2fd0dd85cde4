#include "algorithms/common/flat_adam.h"

#include <cmath>

#include "algorithms/common/kernel_versions.h"
#include "stride/phase_times.h"

namespace stride::algorithms {
namespace {

// m, v and p of torch::optim::Adam's step, elementwise
STRIDE_KERNEL_BODY void AdamUpdateBody(float* p, const float* g, float* m, float* v, int64_t n,
                                       float beta1, float beta2, float step_size,
                                       float inverse_sqrt_correction2, float eps) {
  for (int64_t k = 0; k < n; ++k) {
    m[k] = beta1 * m[k] + (1.0f - beta1) * g[k];
    v[k] = beta2 * v[k] + (1.0f - beta2) * g[k] * g[k];
    p[k] -= step_size * m[k] / (std::sqrt(v[k]) * inverse_sqrt_correction2 + eps);
  }
}
STRIDE_KERNEL_VERSIONS(AdamUpdate,
                       (float* p, const float* g, float* m, float* v, int64_t n, float beta1,
                        float beta2, float step_size, float inverse_sqrt_correction2, float eps),
                       (p, g, m, v, n, beta1, beta2, step_size, inverse_sqrt_correction2, eps))

}  // namespace

FlatAdam::FlatAdam(int64_t begin, int64_t end, double eps, double beta1, double beta2)
    : first_moment(end - begin),
      second_moment(end - begin),
      begin_(begin),
      end_(end),
      eps_(eps),
      beta1_(beta1),
      beta2_(beta2) {}

void FlatAdam::Step(float* params, const float* gradient, double learning_rate) {
  PhaseTimer timer("update: optimizer");
  ++steps;
  const double bias_correction1 = 1.0 - std::pow(beta1_, static_cast<double>(steps));
  const double bias_correction2 = 1.0 - std::pow(beta2_, static_cast<double>(steps));
  const float step_size = static_cast<float>(learning_rate / bias_correction1);
  const float inverse_sqrt_correction2 = static_cast<float>(1.0 / std::sqrt(bias_correction2));
  AdamUpdate(params + begin_, gradient + begin_, first_moment.data(), second_moment.data(),
             end_ - begin_, static_cast<float>(beta1_), static_cast<float>(beta2_), step_size,
             inverse_sqrt_correction2, static_cast<float>(eps_));
}

double ClipGradientNorm(std::vector<float>& gradient, double max_norm) {
  PhaseTimer timer("update: optimizer");
  // four running sums in a fixed order, for instruction-level parallelism
  double sums[4] = {0.0, 0.0, 0.0, 0.0};
  const size_t n = gradient.size();
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    for (int lane = 0; lane < 4; ++lane) {
      sums[lane] += static_cast<double>(gradient[k + lane]) * gradient[k + lane];
    }
  }
  for (; k < n; ++k) sums[0] += static_cast<double>(gradient[k]) * gradient[k];
  const double norm = std::sqrt((sums[0] + sums[1]) + (sums[2] + sums[3]));
  const double coefficient = max_norm / (norm + 1e-6);
  if (coefficient < 1.0) {
    const float scale = static_cast<float>(coefficient);
    for (float& g : gradient) g *= scale;
  }
  return norm;
}

}  // namespace stride::algorithms
