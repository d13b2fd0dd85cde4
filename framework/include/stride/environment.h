// The environment interface. Torch-free: an environment author needs only MuJoCo.
//
// An environment is stepped from one thread at a time; VecEnv owns many
// instances and may step different instances from different threads, so
// instances must not share mutable state.
#ifndef STRIDE_ENVIRONMENT_H_
#define STRIDE_ENVIRONMENT_H_

#include <cstdint>
#include <string>
#include <vector>

// MuJoCo's model and data, named without including MuJoCo
struct mjModel_;
struct mjData_;

namespace stride {

// a box: one name and one [low, high] interval per dimension
struct Space {
  std::vector<std::string> names;
  std::vector<double> low;
  std::vector<double> high;

  int size() const { return static_cast<int>(names.size()); }
};

// how an episode metric reduces one signal over the steps of an episode
enum class Aggregate {
  kSum,       // the sum of the values
  kIntegral,  // the sum of value * dt(): a rate becomes an amount, m/s -> m
  kMean,      // the sum divided by the number of steps
  kMin,       // the smallest value
  kMax,       // the largest value
  kLast,      // the value of the episode's last step
};

// "sum", "integral", "mean", "min", "max", "last"
const char* AggregateName(Aggregate aggregate);

// one number that describes a finished episode, e.g. the distance walked:
// {"distance", "forward_velocity", Aggregate::kIntegral, "metres walked forward"}.
// stride reports its mean in every evaluation, and success criteria name it.
struct EpisodeMetric {
  // a plain name: lowercase letters, digits and '_'
  std::string name;
  // the signal it reduces, one of signal_names()
  std::string signal;
  Aggregate aggregate = Aggregate::kMean;
  // one line, with the unit
  std::string doc;
};

struct StepResult {
  // the episode ended in a terminal state (fall): do not bootstrap
  bool terminated = false;
  // the episode was cut by a time limit: bootstrap from the final observation
  bool truncated = false;
  // the simulation produced a non-finite state; implies terminated
  bool numerical_failure = false;
};

// a change of the environment's physics or sensing with a scalar magnitude,
// for robustness evaluation and domain randomization, e.g.
// {"friction_scale", 1.0, 0.0, 10.0, "every contact's sliding friction times this"}
struct Perturbation {
  // a plain name: lowercase letters, digits and '_'
  std::string name;
  // the magnitude that leaves the environment as it is
  double neutral = 0.0;
  // the magnitudes allowed, inclusive
  double min = 0.0;
  double max = 0.0;
  // one line, with the unit
  std::string doc;
};

// a perturbation's magnitude for one episode
struct PerturbationValue {
  std::string name;
  double magnitude = 0.0;
};

class Environment {
 public:
  virtual ~Environment();

  virtual const Space& observation_space() const = 0;
  virtual const Space& action_space() const = 0;
  // names of the physical quantities Step() writes, e.g. "forward_velocity";
  // vector quantities use "group.member", e.g. "joint_velocity.right_knee"
  virtual const std::vector<std::string>& signal_names() const = 0;
  // what an episode achieved, reduced from the signals by stride (default: nothing
  // beyond the return); the same for every instance of one configuration
  virtual std::vector<EpisodeMetric> episode_metrics() const;
  // seconds of simulated time per Step()
  virtual double dt() const = 0;
  virtual int max_episode_steps() const = 0;

  // starts an episode; the same seed gives the same initial observation
  virtual void Reset(uint64_t seed, float* observation) = 0;
  // applies action[action_space().size()], writes the next observation and
  // signals[signal_names().size()]; actions outside the bounds are clipped
  virtual StepResult Step(const float* action, float* observation, double* signals) = 0;

  // the perturbations SetPerturbations() accepts; the default: none
  virtual std::vector<Perturbation> perturbations() const;
  // magnitudes that hold from the next Reset() on, every other perturbation
  // neutral; randomness they need (when a push comes) is drawn from the
  // episode's seed. Names and magnitudes are checked by the caller against
  // perturbations().
  virtual void SetPerturbations(const std::vector<PerturbationValue>& values);

  // simulator warnings since construction, one line each (empty: none)
  virtual std::vector<std::string> Warnings() const;

  // the simulation behind this environment, for raw-stepping benchmarks and
  // rendering; nullptr for environments that are not MuJoCo models
  virtual const mjModel_* mujoco_model() const;
  virtual const mjData_* mujoco_data() const;

  // the complete dynamic state (simulation, episode counters, noise RNG), so a
  // checkpointed run resumes bitwise; the default throws "not supported"
  virtual std::vector<uint8_t> SaveState() const;
  virtual void LoadState(const std::vector<uint8_t>& state);
};

}  // namespace stride

#endif  // STRIDE_ENVIRONMENT_H_
