#include "algorithms/random/random.h"

#include <optional>

#include "stride/param_binding.h"

namespace stride::algorithms::random_policy {
namespace {

constexpr char kName[] = "random";

// every parameter, bound to its field of RandomConfig
const ParamBindings<RandomConfig>& RandomTable() {
  static const auto* table = new ParamBindings<RandomConfig>{
      InRange(Bind(&RandomConfig::num_steps, "num_steps",
                   "steps of every environment between two rows of metrics"),
              1, std::nullopt)};
  return *table;
}

}  // namespace

RandomConfig RandomConfig::FromParams(const Params& params) {
  return ReadConfig(RandomTable(), params);
}

std::vector<ParamSpec> RandomParams() { return SpecsOf(RandomTable()); }

float UniformDraw(uint64_t stream_seed, int64_t call, int64_t index) {
  const uint64_t bits =
      MixBits(MixBits(stream_seed, static_cast<uint64_t>(call)), static_cast<uint64_t>(index));
  return static_cast<float>(bits >> 40) * 0x1.0p-24f;
}

RandomPolicy::RandomPolicy(RandomConfig config) : FixedPolicyAlgorithm(kName, config.num_steps) {}

void RandomPolicy::Act(const ActionBox& box, uint64_t stream_seed, int64_t call, const float*,
                       int n, float* actions) const {
  const int act = box.size();
  for (int i = 0; i < n; ++i) {
    for (int d = 0; d < act; ++d) {
      const int64_t index = static_cast<int64_t>(i) * act + d;
      const float u = UniformDraw(stream_seed, call, index);
      actions[index] = box.low[d] + u * (box.high[d] - box.low[d]);
    }
  }
}

torch::jit::Module RandomPolicy::ToTorchScript(const ActionBox& box) const {
  torch::jit::Module module("StrideRandomPolicy");
  module.register_buffer("action_low", torch::tensor(box.low));
  module.register_buffer("action_high", torch::tensor(box.high));
  module.define(R"(
def forward(self, observations: Tensor) -> Tensor:
    u = torch.rand([observations.size(0), self.action_low.size(0)])
    return self.action_low + u * (self.action_high - self.action_low)
)");
  return module;
}

}  // namespace stride::algorithms::random_policy
