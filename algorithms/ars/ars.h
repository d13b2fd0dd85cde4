// Augmented random search, ARS V2-t (Mania, Guy and Recht 2018): random search
// over linear policies on normalized observations, with antithetic
// perturbations, the b best directions and a step scaled by their returns' std.
#ifndef STRIDE_ALGORITHMS_ARS_ARS_H_
#define STRIDE_ALGORITHMS_ARS_ARS_H_

#include <string>
#include <vector>

#include "stride/algorithm.h"
#include "stride/params.h"

namespace stride::algorithms::ars {

// defaults: the paper's Walker2d-v1 hyperparameters for ARS V2-t
struct ArsConfig {
  // N: directions sampled per update, each run forwards (+) and backwards (-)
  int num_directions = 40;
  // b: the directions with the best rollouts, which make the step
  int top_directions = 30;
  // alpha: the step size
  double step_size = 0.03;
  // nu: the standard deviation of the perturbations
  double noise = 0.025;
  // subtracted from every reward of a training rollout (the survival bonus)
  double shift = 1.0;
  // normalize observations by running statistics (V2); false: raw observations (V1)
  bool normalize_observations = true;

  static ArsConfig FromParams(const Params& params);
};

// the declared parameters, defaults as in ArsConfig
std::vector<ParamSpec> ArsParams();

class Ars : public Algorithm {
 public:
  // throws ConfigError when top_directions exceeds num_directions
  explicit Ars(ArsConfig config);

  void Train(TrainContext& context) override;
  void ExportPolicy(const std::string& checkpoint_path, const std::string& policy_path,
                    const std::string& config_toml) override;

 private:
  ArsConfig config_;
};

}  // namespace stride::algorithms::ars

#endif  // STRIDE_ALGORITHMS_ARS_ARS_H_
