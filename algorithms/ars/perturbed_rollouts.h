// The 2N rollouts of one ARS update on the vectorized environment. Rollout 2k
// acts with M + nu delta_k, rollout 2k + 1 with M - nu delta_k, each for one
// whole episode from its first step. Instances take rollouts in order, the
// next one when their episode ends; an instance with none left waits, left out
// of the steps, so every rollout starts at an episode's start and every step
// taken belongs to a rollout. Which instance runs which rollout depends on
// episode ends alone, never on the number of workers.
#ifndef STRIDE_ALGORITHMS_ARS_PERTURBED_ROLLOUTS_H_
#define STRIDE_ALGORITHMS_ARS_PERTURBED_ROLLOUTS_H_

#include <cstdint>
#include <vector>

#include "algorithms/ars/linear_policy.h"
#include "stride/vec_env.h"

namespace stride::algorithms::ars {

struct RolloutOutcome {
  // each rollout's return with shift subtracted from every reward, [2N]
  std::vector<double> returns;
  // environment steps of all rollouts
  int64_t steps = 0;
  // the observations the rollouts acted on, [steps, obs], in step order
  std::vector<float> observations;
};

class PerturbedRollouts {
 public:
  explicit PerturbedRollouts(VecEnv& env);

  // runs the 2 * num_directions rollouts of directions [num_directions, act * obs];
  // every instance must be at an episode's start, and is again afterwards
  const RolloutOutcome& Run(const LinearPolicy& policy, const double* directions,
                            int num_directions, double noise, double shift);

 private:
  VecEnv& env_;
  RolloutOutcome outcome_;
  // the rollout each instance runs, -1 while it waits
  std::vector<int> rollout_of_;
  std::vector<uint8_t> active_;
  std::vector<float> actions_;
  std::vector<double> normalized_;
};

}  // namespace stride::algorithms::ars

#endif  // STRIDE_ALGORITHMS_ARS_PERTURBED_ROLLOUTS_H_
