// Twin delayed deep deterministic policy gradient (Fujimoto et al. 2018):
// clipped double Q-learning, delayed policy and target updates, target policy
// smoothing and Gaussian exploration noise, after CleanRL's
// td3_continuous_action.py: its defaults and its names.
#ifndef STRIDE_ALGORITHMS_TD3_TD3_H_
#define STRIDE_ALGORITHMS_TD3_TD3_H_

#include <cstdint>
#include <string>
#include <vector>

#include "stride/algorithm.h"
#include "stride/params.h"

namespace stride::algorithms::td3 {

struct Td3Config {
  // Adam step size of the actor and of the critics
  double learning_rate = 3e-4;
  // transitions the replay buffer holds
  int64_t buffer_size = 1'000'000;
  // discount factor
  double gamma = 0.99;
  // target smoothing: target <- tau * network + (1 - tau) * target
  double tau = 0.005;
  // transitions sampled for each gradient step
  int batch_size = 256;
  // target policy smoothing: std of the noise on the target actions, in half
  // widths of the action box
  double policy_noise = 0.2;
  // std of the exploration noise, in half widths of the action box
  double exploration_noise = 0.1;
  // environment steps of uniform random actions before the updates begin
  int64_t learning_starts = 25'000;
  // the actor and the targets are updated every policy_frequency-th critic update
  int policy_frequency = 2;
  // the target policy's noise is clipped to +-noise_clip half widths
  double noise_clip = 0.5;
  // hidden layer widths of the actor and of each critic
  std::vector<int64_t> hidden_sizes = {256, 256};
  // steps of every environment between two rows of metrics
  int num_steps = 1000;

  static Td3Config FromParams(const Params& params);
};

// the declared parameters, defaults as in Td3Config
std::vector<ParamSpec> Td3Params();

class Td3 : public Algorithm {
 public:
  explicit Td3(Td3Config config);

  void Train(TrainContext& context) override;
  void ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                    const std::string& config_toml) override;

 private:
  Td3Config config_;
};

}  // namespace stride::algorithms::td3

#endif  // STRIDE_ALGORITHMS_TD3_TD3_H_
