#include "algorithms/common/replay_buffer.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "algorithms/common/checkpoint.h"
#include "stride/error.h"

namespace stride::algorithms {
namespace {

void CopyRow(const float* source, int64_t size, torch::Tensor& storage, int64_t row) {
  std::memcpy(storage.data_ptr<float>() + row * size, source, sizeof(float) * size);
}

}  // namespace

ReplayBuffer::ReplayBuffer(int64_t capacity, int observation_size, int action_size)
    : capacity_(capacity),
      observations_(torch::empty({capacity, observation_size})),
      actions_(torch::empty({capacity, action_size})),
      rewards_(torch::empty({capacity})),
      next_observations_(torch::empty({capacity, observation_size})),
      terminated_(torch::empty({capacity})) {}

void ReplayBuffer::Add(const float* observations, const float* actions, const VecEnv& env) {
  const int obs = env.observation_size(), act = env.action_size();
  for (int i = 0; i < env.num_envs(); ++i) {
    const bool ended = env.terminated()[i] || env.truncated()[i];
    const float* next =
        (ended ? env.final_observations() : env.observations()) + static_cast<int64_t>(i) * obs;
    CopyRow(observations + static_cast<int64_t>(i) * obs, obs, observations_, position_);
    CopyRow(actions + static_cast<int64_t>(i) * act, act, actions_, position_);
    CopyRow(next, obs, next_observations_, position_);
    rewards_.data_ptr<float>()[position_] = env.rewards()[i];
    terminated_.data_ptr<float>()[position_] = env.terminated()[i] ? 1.0f : 0.0f;
    position_ = (position_ + 1) % capacity_;
    size_ = std::min(size_ + 1, capacity_);
  }
}

ReplayBatch ReplayBuffer::Sample(int64_t batch_size, at::Generator& generator) const {
  const torch::Tensor index = torch::randint(size_, {batch_size}, generator, torch::kLong);
  return {observations_.index_select(0, index), actions_.index_select(0, index),
          rewards_.index_select(0, index), next_observations_.index_select(0, index),
          terminated_.index_select(0, index)};
}

void ReplayBuffer::Save(torch::serialize::OutputArchive& archive) const {
  WriteInt(archive, "capacity", capacity_);
  WriteInt(archive, "size", size_);
  WriteInt(archive, "position", position_);
  // only the rows written; a slice would carry its whole storage along
  auto held = [&](const torch::Tensor& storage) { return storage.narrow(0, 0, size_).clone(); };
  archive.write("observations", held(observations_), /*is_buffer=*/true);
  archive.write("actions", held(actions_), /*is_buffer=*/true);
  archive.write("rewards", held(rewards_), /*is_buffer=*/true);
  archive.write("next_observations", held(next_observations_), /*is_buffer=*/true);
  archive.write("terminated", held(terminated_), /*is_buffer=*/true);
}

void ReplayBuffer::Load(torch::serialize::InputArchive& archive) {
  const int64_t capacity = ReadInt(archive, "capacity");
  if (capacity != capacity_) {
    throw RuntimeError(fmt::format(
        "the checkpoint's replay buffer holds {} transitions, this run's buffer_size is {}",
        capacity, capacity_));
  }
  size_ = ReadInt(archive, "size");
  position_ = ReadInt(archive, "position");
  if (size_ < 0 || size_ > capacity_ || position_ < 0 || position_ >= capacity_) {
    throw RuntimeError(fmt::format(
        "the checkpoint's replay buffer is inconsistent: {} transitions, next at {}, capacity {}",
        size_, position_, capacity_));
  }
  auto restore = [&](const char* key, torch::Tensor& storage) {
    const torch::Tensor held = ReadTensor(archive, key);
    if (held.size(0) != size_ || held.sizes().slice(1) != storage.sizes().slice(1)) {
      throw RuntimeError(fmt::format("the checkpoint's replay buffer entry '{}' has shape {}", key,
                                     fmt::join(held.sizes(), "x")));
    }
    storage.narrow(0, 0, size_).copy_(held);
  };
  restore("observations", observations_);
  restore("actions", actions_);
  restore("rewards", rewards_);
  restore("next_observations", next_observations_);
  restore("terminated", terminated_);
}

}  // namespace stride::algorithms
