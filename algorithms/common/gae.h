// Generalized advantage estimation (Schulman et al. 2016).
#ifndef STRIDE_ALGORITHMS_COMMON_GAE_H_
#define STRIDE_ALGORITHMS_COMMON_GAE_H_

#include <torch/torch.h>

namespace stride::algorithms {

// advantages [T, N] of a rollout, every argument [T, N] float32:
//   delta_t = r_t + gamma * (1 - terminated_t) * next_value_t - value_t
//   A_t     = delta_t + gamma * lambda * (1 - done_t) * A_{t+1}
// next_value_t is V of the observation after step t: of the final observation
// where the episode was truncated, so time limits are bootstrapped and
// terminal states are not; done_t (terminated or truncated) ends the trace.
torch::Tensor ComputeGae(const torch::Tensor& rewards, const torch::Tensor& values,
                         const torch::Tensor& next_values, const torch::Tensor& terminated,
                         const torch::Tensor& dones, double gamma, double lambda);

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_GAE_H_
