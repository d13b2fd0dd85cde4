#include "algorithms/zero/zero.h"

#include <algorithm>
#include <optional>

#include "stride/param_binding.h"

namespace stride::algorithms::zero_policy {
namespace {

constexpr char kName[] = "zero";

// every parameter, bound to its field of ZeroConfig
const ParamBindings<ZeroConfig>& ZeroTable() {
  static const auto* table = new ParamBindings<ZeroConfig>{
      InRange(Bind(&ZeroConfig::num_steps, "num_steps",
                   "steps of every environment between two rows of metrics"),
              1, std::nullopt)};
  return *table;
}

}  // namespace

ZeroConfig ZeroConfig::FromParams(const Params& params) { return ReadConfig(ZeroTable(), params); }

std::vector<ParamSpec> ZeroParams() { return SpecsOf(ZeroTable()); }

ZeroPolicy::ZeroPolicy(ZeroConfig config) : FixedPolicyAlgorithm(kName, config.num_steps) {}

void ZeroPolicy::Act(const ActionBox& box, uint64_t, int64_t, const float*, int n,
                     float* actions) const {
  const int act = box.size();
  for (int i = 0; i < n; ++i) {
    for (int d = 0; d < act; ++d) actions[i * act + d] = std::clamp(0.0f, box.low[d], box.high[d]);
  }
}

torch::jit::Module ZeroPolicy::ToTorchScript(const ActionBox& box) const {
  torch::jit::Module module("StrideZeroPolicy");
  module.register_buffer("action_low", torch::tensor(box.low));
  module.register_buffer("action_high", torch::tensor(box.high));
  module.define(R"(
def forward(self, observations: Tensor) -> Tensor:
    zeros = torch.zeros([observations.size(0), self.action_low.size(0)])
    return torch.clamp(zeros, self.action_low, self.action_high)
)");
  return module;
}

}  // namespace stride::algorithms::zero_policy
