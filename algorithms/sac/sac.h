// Soft actor-critic (Haarnoja et al. 2018) with automatic entropy tuning,
// twin Q functions and polyak-averaged targets, after CleanRL's
// sac_continuous_action.py: its defaults and its names.
#ifndef STRIDE_ALGORITHMS_SAC_SAC_H_
#define STRIDE_ALGORITHMS_SAC_SAC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "stride/algorithm.h"
#include "stride/params.h"

namespace stride::algorithms::sac {

struct SacConfig {
  // transitions the replay buffer holds
  int64_t buffer_size = 1'000'000;
  // discount factor
  double gamma = 0.99;
  // target smoothing: target <- tau * critic + (1 - tau) * target
  double tau = 0.005;
  // transitions sampled for each gradient step
  int batch_size = 256;
  // environment steps of uniform random actions before the updates begin
  int64_t learning_starts = 5'000;
  // Adam step size of the actor
  double policy_lr = 3e-4;
  // Adam step size of the critics and of the entropy coefficient
  double q_lr = 1e-3;
  // the actor is updated policy_frequency times every policy_frequency-th critic update
  int policy_frequency = 2;
  // the targets follow the critics every target_network_frequency-th critic update
  int target_network_frequency = 1;
  // the entropy coefficient when autotune is false (autotune starts at 1)
  double alpha = 0.2;
  // tune alpha so that the policy's entropy approaches -(action dimensions)
  bool autotune = true;
  // hidden layer widths of the actor and of each critic
  std::vector<int64_t> hidden_sizes = {256, 256};
  // steps of every environment between two rows of metrics
  int num_steps = 1000;

  static SacConfig FromParams(const Params& params);
};

// the declared parameters, defaults as in SacConfig
std::vector<ParamSpec> SacParams();

class Sac : public Algorithm {
 public:
  explicit Sac(SacConfig config);

  void Train(TrainContext& context) override;
  void ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                    const std::string& config_toml) override;

 private:
  SacConfig config_;
};

}  // namespace stride::algorithms::sac

#endif  // STRIDE_ALGORITHMS_SAC_SAC_H_
