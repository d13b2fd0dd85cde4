// Reward terms: a scalar function of the signals an environment step exposes.
//
// The framework binds each term to the environment's signal names once, then
// calls Value() every step and sums weight * value over the experiment's
// [[reward]] tables. Terms never see the environment itself, so a new term
// needs no change to any environment.
#ifndef STRIDE_REWARD_H_
#define STRIDE_REWARD_H_

#include <string>
#include <vector>

namespace stride {

// looks up signal positions by name, with errors that list what exists
class SignalIndex {
 public:
  explicit SignalIndex(std::vector<std::string> names);

  // position of one signal; throws ConfigError naming the available signals
  int Require(const std::string& name) const;
  // positions of every "group.member" signal, in order; throws if none
  std::vector<int> RequireGroup(const std::string& group) const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
};

class RewardTerm {
 public:
  virtual ~RewardTerm();

  // resolves the signals this term reads; called once before any Value()
  virtual void Bind(const SignalIndex& signals) = 0;
  // the term's unweighted value for one step; called concurrently for
  // different environments, so it must not modify the term
  virtual double Value(const double* signals) const = 0;
};

}  // namespace stride

#endif  // STRIDE_REWARD_H_
