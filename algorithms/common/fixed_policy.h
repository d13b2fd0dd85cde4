// The training loop of a policy that never learns, the reference policies
// (random, zero): it steps the environments, logs, evaluates and checkpoints
// as the learners do, so its runs sit beside theirs in stride compare at the
// same environment steps.
#ifndef STRIDE_ALGORITHMS_COMMON_FIXED_POLICY_H_
#define STRIDE_ALGORITHMS_COMMON_FIXED_POLICY_H_

#include <cstdint>
#include <string>
#include <vector>

#include <torch/script.h>

#include "stride/algorithm.h"
#include "stride/environment.h"

namespace stride::algorithms {

// the bounds of every action dimension
struct ActionBox {
  std::vector<float> low, high;

  static ActionBox Of(const Space& action_space);
  int size() const { return static_cast<int>(low.size()); }
};

// a well-mixed 64-bit function of two numbers (SplitMix64's finalizer), for
// streams of random numbers that depend on their indices alone
uint64_t MixBits(uint64_t a, uint64_t b);

class FixedPolicyAlgorithm : public Algorithm {
 public:
  // name: the plugin's, which its checkpoints carry; num_steps: steps of every
  // environment between two rows of metrics (one "update")
  FixedPolicyAlgorithm(std::string name, int num_steps);

  // steps the environments with Act() and learns nothing; checkpoints hold the
  // step counters, the action bounds and the environments
  void Train(TrainContext& context) final;
  void ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                    const std::string& config_toml) final;

 protected:
  // actions [n, act] for observations [n, obs]: the call-th call of a stream
  // of calls that stream_seed names (training is one stream, every evaluation
  // another), so the actions depend on nothing else
  virtual void Act(const ActionBox& box, uint64_t stream_seed, int64_t call,
                   const float* observations, int n, float* actions) const = 0;
  // forward(observations[B, obs]) -> actions[B, act]
  virtual torch::jit::Module ToTorchScript(const ActionBox& box) const = 0;

 private:
  // the policy an evaluation at step runs: its own stream of calls
  Policy EvaluationPolicy(const ActionBox& box, uint64_t seed, int64_t step) const;
  void Export(const ActionBox& box, const std::string& path, const std::string& config_toml) const;

  std::string name_;
  int num_steps_;
};

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_FIXED_POLICY_H_
