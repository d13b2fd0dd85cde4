// The zero reference policy: every action 0 (no torque; the nearest bound
// where 0 lies outside the box), what standing still earns. It learns nothing.
#ifndef STRIDE_ALGORITHMS_ZERO_ZERO_H_
#define STRIDE_ALGORITHMS_ZERO_ZERO_H_

#include <cstdint>
#include <vector>

#include "algorithms/common/fixed_policy.h"
#include "stride/params.h"

namespace stride::algorithms::zero_policy {

struct ZeroConfig {
  // steps of every environment between two rows of metrics
  int num_steps = 256;

  static ZeroConfig FromParams(const Params& params);
};

// the declared parameters, defaults as in ZeroConfig
std::vector<ParamSpec> ZeroParams();

class ZeroPolicy : public FixedPolicyAlgorithm {
 public:
  explicit ZeroPolicy(ZeroConfig config);

 protected:
  void Act(const ActionBox& box, uint64_t stream_seed, int64_t call, const float* observations,
           int n, float* actions) const override;
  torch::jit::Module ToTorchScript(const ActionBox& box) const override;
};

}  // namespace stride::algorithms::zero_policy

#endif  // STRIDE_ALGORITHMS_ZERO_ZERO_H_
