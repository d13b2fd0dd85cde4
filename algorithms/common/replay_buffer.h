// The replay buffer of the off-policy algorithms (sac, td3): transitions in a
// ring of fixed capacity, the oldest overwritten first, sampled uniformly with
// replacement from the run's generator.
#ifndef STRIDE_ALGORITHMS_COMMON_REPLAY_BUFFER_H_
#define STRIDE_ALGORITHMS_COMMON_REPLAY_BUFFER_H_

#include <cstdint>

#include <torch/torch.h>

#include "stride/vec_env.h"

namespace stride::algorithms {

// a minibatch of transitions
struct ReplayBatch {
  torch::Tensor observations;       // [B, obs]
  torch::Tensor actions;            // [B, act]
  torch::Tensor rewards;            // [B]
  torch::Tensor next_observations;  // [B, obs]
  // 1 where the episode ended in a terminal state (no bootstrap), else 0: [B]
  torch::Tensor terminated;
};

class ReplayBuffer {
 public:
  ReplayBuffer(int64_t capacity, int observation_size, int action_size);

  // one transition per instance of the VecEnv::Step() that env just took from
  // observations with actions; the next observation of an episode that ended is
  // the one that ended it, so a truncated episode bootstraps from it
  void Add(const float* observations, const float* actions, const VecEnv& env);
  // batch_size transitions drawn uniformly with replacement
  ReplayBatch Sample(int64_t batch_size, at::Generator& generator) const;

  int64_t size() const { return size_; }

  // the transitions held and the write position; a buffer loads only into one
  // of the same capacity and sizes
  void Save(torch::serialize::OutputArchive& archive) const;
  void Load(torch::serialize::InputArchive& archive);

 private:
  int64_t capacity_;
  int64_t size_ = 0;
  // where the next transition goes
  int64_t position_ = 0;
  torch::Tensor observations_, actions_, rewards_, next_observations_, terminated_;
};

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_REPLAY_BUFFER_H_
