// The random reference policy: every action drawn uniformly from the action
// box, the floor a learner has to clear. It learns nothing.
#ifndef STRIDE_ALGORITHMS_RANDOM_RANDOM_H_
#define STRIDE_ALGORITHMS_RANDOM_RANDOM_H_

#include <cstdint>
#include <vector>

#include "algorithms/common/fixed_policy.h"
#include "stride/params.h"

namespace stride::algorithms::random_policy {

struct RandomConfig {
  // steps of every environment between two rows of metrics
  int num_steps = 256;

  static RandomConfig FromParams(const Params& params);
};

// the declared parameters, defaults as in RandomConfig
std::vector<ParamSpec> RandomParams();

// the uniform number in [0, 1) of one action dimension: 24 bits of a hash of
// the stream, the call and the dimension's index among the call's actions
float UniformDraw(uint64_t stream_seed, int64_t call, int64_t index);

class RandomPolicy : public FixedPolicyAlgorithm {
 public:
  explicit RandomPolicy(RandomConfig config);

 protected:
  void Act(const ActionBox& box, uint64_t stream_seed, int64_t call, const float* observations,
           int n, float* actions) const override;
  // draws from LibTorch's global generator on every call: not the actions
  // training or an evaluation saw, and not deterministic
  torch::jit::Module ToTorchScript(const ActionBox& box) const override;
};

}  // namespace stride::algorithms::random_policy

#endif  // STRIDE_ALGORITHMS_RANDOM_RANDOM_H_
