#include "algorithms/common/sharded_gradient.h"

#include <algorithm>

#include "stride/phase_times.h"

namespace stride::algorithms {

namespace {

// rows [rows * s / S, rows * (s + 1) / S) of the minibatch in shard s
std::vector<ShardRows> EvenShards(const int64_t* index, int rows) {
  std::vector<ShardRows> shards;
  for (int s = 0; s < kGradientShards; ++s) {
    const int first = rows * s / kGradientShards;
    const int last = rows * (s + 1) / kGradientShards;
    shards.push_back({index + first, last - first, first});
  }
  return shards;
}

}  // namespace

ShardedGradient::ShardedGradient(const FlatActorCritic& net, int num_sums, int threads)
    : net_(net), gradient_(net.num_parameters()), sums_(num_sums), runner_(threads) {}

std::vector<float>& ShardedGradient::Compute(const float* params, const float* observations,
                                             const int64_t* index, int rows, bool actor,
                                             bool critic, const ShardLoss& loss) {
  Run(params, observations, EvenShards(index, rows), actor, critic, /*backward=*/true, loss);
  return gradient_;
}

std::vector<float>& ShardedGradient::Compute(const float* params, const float* observations,
                                             const std::vector<ShardRows>& shards, bool actor,
                                             bool critic, const ShardLoss& loss) {
  Run(params, observations, shards, actor, critic, /*backward=*/true, loss);
  return gradient_;
}

const std::vector<double>& ShardedGradient::Evaluate(const float* params, const float* observations,
                                                     const int64_t* index, int rows, bool actor,
                                                     bool critic, const ShardLoss& loss) {
  Run(params, observations, EvenShards(index, rows), actor, critic, /*backward=*/false, loss);
  return sums_;
}

void ShardedGradient::Run(const float* params, const float* observations,
                          const std::vector<ShardRows>& rows, bool actor, bool critic,
                          bool backward, const ShardLoss& loss) {
  PhaseTimer timer("update: forward and backward");
  const int count = static_cast<int>(rows.size());
  while (static_cast<int>(shards_.size()) < count) {
    Shard& shard = shards_.emplace_back();
    shard.gradient.resize(net_.num_parameters());
    shard.sums.resize(sums_.size());
  }
  runner_.Run(count, [&](int s) {
    RunShard(shards_[s], params, observations, rows[s], actor, critic, backward, loss);
  });

  // summed in shard order
  std::copy(shards_[0].sums.begin(), shards_[0].sums.end(), sums_.begin());
  for (int s = 1; s < count; ++s) {
    for (size_t k = 0; k < sums_.size(); ++k) sums_[k] += shards_[s].sums[k];
  }
  if (!backward) return;
  std::copy(shards_[0].gradient.begin(), shards_[0].gradient.end(), gradient_.begin());
  for (int s = 1; s < count; ++s) {
    const std::vector<float>& g = shards_[s].gradient;
    for (size_t k = 0; k < gradient_.size(); ++k) gradient_[k] += g[k];
  }
}

void ShardedGradient::RunShard(Shard& shard, const float* params, const float* observations,
                               const ShardRows& shard_rows, bool actor, bool critic, bool backward,
                               const ShardLoss& loss) {
  const int obs = net_.observation_size(), act = net_.action_size();
  const int64_t* index = shard_rows.index;
  const int rows = shard_rows.rows;
  std::fill(shard.gradient.begin(), shard.gradient.end(), 0.0f);
  std::fill(shard.sums.begin(), shard.sums.end(), 0.0);
  if (rows == 0) return;

  // the shard's observations, gathered
  shard.observations.resize(static_cast<size_t>(rows) * obs);
  for (int r = 0; r < rows; ++r) {
    std::copy_n(observations + index[r] * obs, obs,
                shard.observations.data() + static_cast<size_t>(r) * obs);
  }

  // forward
  LossShard view;
  view.rows = rows;
  view.index = index;
  view.first = shard_rows.first;
  view.sums = shard.sums.data();
  float* log_std_gradient = shard.gradient.data() + net_.log_std_offset();
  if (actor) {
    shard.mean.resize(static_cast<size_t>(rows) * act);
    shard.d_mean.resize(shard.mean.size());
    net_.actor().Forward(params, shard.observations.data(), rows, shard.actor_cache,
                         shard.mean.data());
    view.mean = shard.mean.data();
    view.d_mean = shard.d_mean.data();
    view.d_log_std = log_std_gradient;
  }
  if (critic) {
    shard.values.resize(rows);
    shard.d_values.resize(rows);
    net_.critic().Forward(params + net_.critic_offset(), shard.observations.data(), rows,
                          shard.critic_cache, shard.values.data());
    view.values = shard.values.data();
    view.d_values = shard.d_values.data();
  }

  // the loss's derivatives, run back through the networks
  loss(view);
  if (!backward) return;
  if (actor) {
    net_.actor().Backward(params, shard.observations.data(), rows, shard.actor_cache,
                          shard.d_mean.data(), shard.gradient.data());
  }
  if (critic) {
    net_.critic().Backward(params + net_.critic_offset(), shard.observations.data(), rows,
                           shard.critic_cache, shard.d_values.data(),
                           shard.gradient.data() + net_.critic_offset());
  }
}

}  // namespace stride::algorithms
