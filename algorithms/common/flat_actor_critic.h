// The actor-critic's mathematics on one flat float array: the actor MLP, the
// log-std, then the critic MLP. Torch-free: the rollout and the update run on
// it without per-operation overhead, while ActorCritic keeps the same numbers
// as torch parameters for checkpoints and export.
#ifndef STRIDE_ALGORITHMS_COMMON_FLAT_ACTOR_CRITIC_H_
#define STRIDE_ALGORITHMS_COMMON_FLAT_ACTOR_CRITIC_H_

#include <cstdint>
#include <vector>

#include "algorithms/common/mlp.h"

namespace stride::algorithms {

class FlatActorCritic {
 public:
  FlatActorCritic(int observation_size, int action_size, const std::vector<int64_t>& hidden_sizes,
                  Activation activation);

  const Mlp& actor() const { return actor_; }
  const Mlp& critic() const { return critic_; }
  int observation_size() const { return actor_.input(); }
  int action_size() const { return actor_.output(); }

  // the policy's parameters (actor, log-std) are [0, critic_offset()), the
  // value function's [critic_offset(), num_parameters())
  int64_t log_std_offset() const { return actor_.num_parameters(); }
  int64_t critic_offset() const { return log_std_offset() + action_size(); }
  int64_t num_parameters() const { return critic_offset() + critic_.num_parameters(); }

 private:
  Mlp actor_, critic_;
};

// log-density of action[act] under a diagonal Gaussian with mean[act] and log_std[act]
double GaussianLogDensity(const float* action, const float* mean, const float* log_std, int size);
// adds d_log_prob times the derivatives of that log-density: in the mean to
// d_mean[size] (written) and in the log-std to d_log_std[size] (added)
void GaussianLogDensityBackward(const float* action, const float* mean, const float* log_std,
                                int size, double d_log_prob, float* d_mean, float* d_log_std);
// entropy of a diagonal Gaussian with log_std[size]
double GaussianEntropy(const float* log_std, int size);

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_FLAT_ACTOR_CRITIC_H_
