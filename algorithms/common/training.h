// Plumbing of an algorithm's training loop: the end of an update with its
// checkpoints, the policy export of a checkpoint, failure checks and diagnostics.
#ifndef STRIDE_ALGORITHMS_COMMON_TRAINING_H_
#define STRIDE_ALGORITHMS_COMMON_TRAINING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "algorithms/common/agent.h"
#include "algorithms/common/agent_config.h"
#include "algorithms/common/flat_adam.h"
#include "algorithms/common/rollout.h"
#include "algorithms/common/sharded_gradient.h"
#include "stride/algorithm.h"
#include "stride/params.h"

namespace stride::algorithms {

// the agent's options of PPO's and VPG's shared settings
AgentOptions AgentOptionsOf(const AgentConfig& config);
// a rollout of num_steps per environment discounted by gamma, with the shared
// reward settings
RolloutOptions RolloutOptionsOf(int num_steps, double gamma, const AgentConfig& config);

// a run at an update boundary: the live objects a checkpoint saves and restores
struct TrainingState {
  // the algorithm's plugin name; a checkpoint loads only into the same algorithm
  std::string algorithm;
  Agent* agent = nullptr;
  Rollout* rollout = nullptr;
  at::Generator* generator = nullptr;
  // by the name they are saved under
  std::vector<std::pair<std::string, FlatAdam*>> optimizers;
  // environment steps and updates done
  int64_t global_step = 0;
  int64_t update = 0;
  // the ranks whose rollouts rank 0's checkpoint holds, each its own
  ProcessGroup* group = &SingleProcess();
};

// writes the state to path atomically; with several ranks every rank calls it
// and rank 0 writes, every rank's rollout included
void SaveCheckpoint(const TrainingState& state, const std::string& path);
// restores the state, counters included, from a checkpoint at path; a
// checkpoint of another number of ranks is a RuntimeError
void LoadCheckpoint(const std::string& path, TrainingState& state);
// writes the TorchScript policy of a checkpoint; needs no environment
void ExportCheckpointPolicy(const std::string& algorithm, const AgentOptions& options,
                            const std::string& checkpoint_path, const std::string& policy_path,
                            const std::string& config_toml);

// the state advanced to global_step and update, then TrainContext::EndUpdate
// with the agent's policy, the state's checkpoint and the agent's export; true
// when the run should stop
bool EndAgentUpdate(int64_t update, int64_t global_step, const Metrics& metrics,
                    TrainContext& context, TrainingState& state);

// updates of batch_size steps that cover total_steps, at least one
int64_t NumUpdates(int64_t total_steps, int64_t batch_size);
// advantages[index[0..n)] into out, standardized (mean 0, unbiased std 1) when normalize
void GatherAdvantages(const float* advantages, const int64_t* index, int64_t n, bool normalize,
                      float* out);
// a minibatch's advantage mean and standard deviation over every rank's shards
struct Standardization {
  double mean = 0.0;
  double std = 1.0;
};
// each minibatch's, from one sum over the ranks of every shard's sums of the
// advantages and their squares; minibatches[m] holds this rank's shards of
// minibatch m, of rows rows in all
std::vector<Standardization> StandardizeMinibatches(
    const float* advantages, const std::vector<std::vector<ShardRows>>& minibatches, int64_t rows,
    ProcessGroup& group);
// the advantages of a minibatch's shards into out from each shard's first,
// standardized unless standardization is null
void GatherAdvantages(const float* advantages, const std::vector<ShardRows>& shards,
                      const Standardization* standardization, float* out);
// the gradient and the loss statistics summed over the ranks, in one all-reduce
// of float64 (for two ranks the gradient rounds as the float32 sum would)
void SumOverRanks(std::vector<float>& gradient, std::vector<double>& sums, ProcessGroup& group);

// threads for an update: two when the run steps its environments on two or more
int UpdateThreads(const VecEnv& env);

// throws RuntimeError "update N: non-finite NAME ..." for the first non-finite
// loss or network parameter
void CheckFinite(int64_t update, const Metrics& losses, ActorCritic& model);

// with several ranks: throws RuntimeError unless every rank of group holds
// the same n parameters after update (their hashes, gathered)
void CheckRanksAgree(int64_t update, const float* parameters, int64_t n, ProcessGroup& group);

// 1 - Var[returns - values] / Var[returns]: the fraction of the returns' variance
// the value function explains; NaN when the returns are constant
double ExplainedVariance(const torch::Tensor& values, const torch::Tensor& returns);
// the same over the data shards of a rollout on every rank: values and
// returns [T, N], N = shards * shard_envs on this rank
double ExplainedVariance(const torch::Tensor& values, const torch::Tensor& returns, int shards,
                         int shard_envs, ProcessGroup& group);

}  // namespace stride::algorithms

#endif  // STRIDE_ALGORITHMS_COMMON_TRAINING_H_
