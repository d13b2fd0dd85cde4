// A TorchScript policy exported by stride (at the end of training, or by
// stride export) and the experiment it was trained in, which it carries.
#ifndef STRIDE_CLI_EXPORTED_POLICY_H_
#define STRIDE_CLI_EXPORTED_POLICY_H_

#include <cstdint>
#include <memory>
#include <string>

#include "stride/algorithm.h"
#include "stride/experiment.h"
#include "stride/vec_env.h"

namespace stride {
class PluginRegistry;
}  // namespace stride

namespace stride::cli {

// the seed stride eval, render and view replay a policy from, unless --seed says otherwise
inline constexpr int64_t kReplaySeed = 1'000'003;

class ExportedPolicy {
 public:
  // source: a run directory (its policy.pt) or a policy file. Loads the
  // experiment's plugins into registry; throws ConfigError when source is
  // neither or the file was not exported by stride.
  ExportedPolicy(const std::string& source, PluginRegistry& registry);
  ~ExportedPolicy();

  // the policy file
  const std::string& path() const { return path_; }
  const Experiment& experiment() const { return experiment_; }
  // deterministic actions for env's observations, as EvaluatePolicy takes them
  Policy ActionsFor(const VecEnv& env) const;

 private:
  struct Module;
  std::string path_;
  std::shared_ptr<Module> module_;
  Experiment experiment_;
};

}  // namespace stride::cli

#endif  // STRIDE_CLI_EXPORTED_POLICY_H_
