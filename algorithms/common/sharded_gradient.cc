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
    shard.actor.sums.resize(sums_.size());
    shard.critic.sums.resize(sums_.size());
  }
  const int64_t critic_begin = net_.critic_offset(), end = net_.num_parameters();
  if (actor && critic) {
    // the actor on one thread, the critic on the other, each over every shard
    runner_.Run(2, [&](int network) {
      for (int s = 0; s < count; ++s) {
        RunPass(shards_[s], network == 0, params, observations, rows[s], backward, loss);
      }
      if (backward) {
        SumGradients(count, network == 0 ? 0 : critic_begin, network == 0 ? critic_begin : end);
      }
    });
  } else {
    runner_.Run(count, [&](int s) {
      RunPass(shards_[s], actor, params, observations, rows[s], backward, loss);
    });
    if (backward) {
      SumGradients(count, actor ? 0 : critic_begin, actor ? critic_begin : end);
      std::fill(gradient_.begin() + (actor ? critic_begin : 0),
                gradient_.begin() + (actor ? end : critic_begin), 0.0f);
    }
  }

  // summed in shard order, the actor's statistics before the critic's
  std::fill(sums_.begin(), sums_.end(), 0.0);
  for (int s = 0; s < count; ++s) {
    for (size_t k = 0; k < sums_.size(); ++k) {
      const double actor_sum = actor ? shards_[s].actor.sums[k] : 0.0;
      const double critic_sum = critic ? shards_[s].critic.sums[k] : 0.0;
      sums_[k] = s == 0 ? actor_sum + critic_sum : sums_[k] + (actor_sum + critic_sum);
    }
  }
}

void ShardedGradient::SumGradients(int shards, int64_t begin, int64_t end) {
  std::copy(shards_[0].gradient.begin() + begin, shards_[0].gradient.begin() + end,
            gradient_.begin() + begin);
  for (int s = 1; s < shards; ++s) {
    const float* g = shards_[s].gradient.data();
    for (int64_t k = begin; k < end; ++k) gradient_[k] += g[k];
  }
}

void ShardedGradient::RunPass(Shard& shard, bool actor, const float* params,
                              const float* observations, const ShardRows& shard_rows, bool backward,
                              const ShardLoss& loss) {
  Pass& pass = actor ? shard.actor : shard.critic;
  const Mlp& mlp = actor ? net_.actor() : net_.critic();
  const int64_t begin = actor ? 0 : net_.critic_offset();
  const int64_t end = actor ? net_.critic_offset() : net_.num_parameters();
  const float* mlp_params = params + begin;
  float* gradient = shard.gradient.data() + begin;
  const int obs = net_.observation_size();
  const int rows = shard_rows.rows;
  std::fill(gradient, shard.gradient.data() + end, 0.0f);
  std::fill(pass.sums.begin(), pass.sums.end(), 0.0);
  if (rows == 0) return;

  // the shard's observations, gathered
  pass.observations.resize(static_cast<size_t>(rows) * obs);
  for (int r = 0; r < rows; ++r) {
    std::copy_n(observations + shard_rows.index[r] * obs, obs,
                pass.observations.data() + static_cast<size_t>(r) * obs);
  }

  // forward
  pass.outputs.resize(static_cast<size_t>(rows) * mlp.output());
  pass.d_outputs.resize(pass.outputs.size());
  mlp.Forward(mlp_params, pass.observations.data(), rows, pass.cache, pass.outputs.data());

  // the loss's derivatives, run back through the network
  LossShard view;
  view.rows = rows;
  view.index = shard_rows.index;
  view.first = shard_rows.first;
  view.sums = pass.sums.data();
  if (actor) {
    view.mean = pass.outputs.data();
    view.d_mean = pass.d_outputs.data();
    view.d_log_std = gradient + net_.log_std_offset();
  } else {
    view.values = pass.outputs.data();
    view.d_values = pass.d_outputs.data();
  }
  loss(view);
  if (!backward) return;
  mlp.Backward(mlp_params, pass.observations.data(), rows, pass.cache, pass.d_outputs.data(),
               gradient);
}

}  // namespace stride::algorithms
