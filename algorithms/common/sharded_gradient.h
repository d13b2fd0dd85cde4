// The gradient of a per-sample loss of the actor-critic over a minibatch, in
// a fixed number of shards: each shard gathers its rows, runs a network
// forward, asks the loss for the derivatives at its outputs and runs them
// back; the shards' gradients are summed in shard order, so the bits do not
// depend on how many threads ran the shards. When both networks run, each
// thread runs one of them over every shard, so a network's parameters and
// gradients stay in the cache of one core.
#ifndef STRIDE_ALGORITHMS_COMMON_SHARDED_GRADIENT_H_
#define STRIDE_ALGORITHMS_COMMON_SHARDED_GRADIENT_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "algorithms/common/flat_actor_critic.h"
#include "algorithms/common/shard_runner.h"

namespace stride::algorithms {

// a minibatch is split into this many shards unless the caller chooses them
inline constexpr int kGradientShards = 2;

// a per-sample loss and its derivative in the quantity it is a function of
struct LossAndGradient {
  double loss = 0.0;
  double gradient = 0.0;
};

// one shard as the loss sees it: outputs to read, derivatives to write. The
// loss is called once per shard for each network that runs, with that
// network's fields set and the other's null, possibly on two threads at once.
struct LossShard {
  // rows of the shard, and their indices into the batch
  int rows = 0;
  const int64_t* index = nullptr;
  // position of the shard's first row in the minibatch
  int first = 0;
  // the actor's call: means [rows, act] to read, dL/dmean [rows, act] to write
  // and dL/dlog_std [act] to add to
  const float* mean = nullptr;
  float* d_mean = nullptr;
  float* d_log_std = nullptr;
  // the critic's call: values [rows] to read, dL/dvalues [rows] to write
  const float* values = nullptr;
  float* d_values = nullptr;
  // statistics the call accumulates; summed over shards in shard order, the
  // actor's before the critic's
  double* sums = nullptr;
};

using ShardLoss = std::function<void(LossShard&)>;

// the rows of one shard: index[0..rows) into the batch, which are rows
// [first, first + rows) of the minibatch
struct ShardRows {
  const int64_t* index = nullptr;
  int rows = 0;
  int first = 0;
};

class ShardedGradient {
 public:
  // num_sums: statistics per shard; threads: 1 or 2
  ShardedGradient(const FlatActorCritic& net, int num_sums, int threads);

  // the gradient, laid out as the parameters, of the loss over rows index[0..rows)
  // of observations [batch, obs]; only the networks asked for run, the other's
  // gradient is zero. sums() then holds the loss's statistics. The gradient is
  // the caller's to modify until the next call.
  std::vector<float>& Compute(const float* params, const float* observations, const int64_t* index,
                              int rows, bool actor, bool critic, const ShardLoss& loss);
  // the same over shards the caller chose, summed in their order
  std::vector<float>& Compute(const float* params, const float* observations,
                              const std::vector<ShardRows>& shards, bool actor, bool critic,
                              const ShardLoss& loss);
  // the loss's statistics alone: the networks forward, no gradient
  const std::vector<double>& Evaluate(const float* params, const float* observations,
                                      const int64_t* index, int rows, bool actor, bool critic,
                                      const ShardLoss& loss);
  const std::vector<double>& sums() const { return sums_; }
  int threads() const { return runner_.threads(); }

 private:
  // one network's pass over one shard's rows
  struct Pass {
    std::vector<float> observations, outputs, d_outputs;
    std::vector<double> sums;
    MlpActivations cache;
  };
  struct Shard {
    // laid out as the parameters; each network writes its own range
    std::vector<float> gradient;
    Pass actor, critic;
  };
  // the shards run, their gradients (when backward) and statistics summed in order
  void Run(const float* params, const float* observations, const std::vector<ShardRows>& shards,
           bool actor, bool critic, bool backward, const ShardLoss& loss);
  // one network forward, through the loss and (when backward) back over one shard
  void RunPass(Shard& shard, bool actor, const float* params, const float* observations,
               const ShardRows& rows, bool backward, const ShardLoss& loss);
  // gradient_[begin, end) as the sum of the shards' in shard order
  void SumGradients(int shards, int64_t begin, int64_t end);

  const FlatActorCritic& net_;
  std::vector<Shard> shards_;
  std::vector<float> gradient_;
  std::vector<double> sums_;
  ShardRunner runner_;
};

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_SHARDED_GRADIENT_H_
