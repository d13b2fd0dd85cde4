#include "stride/env_checker.h"

#include <cmath>
#include <cstring>
#include <random>
#include <set>

#include <fmt/format.h>

#include "stride/vec_env.h"

namespace stride {
namespace {

class Checker {
 public:
  explicit Checker(EnvCheckReport& report) : report_(report) {}
  // records one check; returns whether it held
  bool Expect(bool held, const std::string& what, const std::string& failure) {
    if (held) {
      report_.passed.push_back(what);
    } else {
      report_.failures.push_back(fmt::format("{}: {}", what, failure));
    }
    return held;
  }

 private:
  EnvCheckReport& report_;
};

std::string CheckSpace(const Space& space, bool require_finite) {
  if (space.size() == 0) return "it has no dimensions";
  if (space.low.size() != space.names.size() || space.high.size() != space.names.size()) {
    return fmt::format("{} names, {} low bounds, {} high bounds", space.names.size(),
                       space.low.size(), space.high.size());
  }
  std::set<std::string> unique(space.names.begin(), space.names.end());
  if (unique.size() != space.names.size()) return "two dimensions share a name";
  for (int i = 0; i < space.size(); ++i) {
    if (std::isnan(space.low[i]) || std::isnan(space.high[i]) || space.low[i] > space.high[i]) {
      return fmt::format("'{}' has bounds [{}, {}]", space.names[i], space.low[i], space.high[i]);
    }
    if (require_finite && (!std::isfinite(space.low[i]) || !std::isfinite(space.high[i]))) {
      return fmt::format("'{}' has unbounded range [{}, {}]", space.names[i], space.low[i],
                         space.high[i]);
    }
  }
  return "";
}

std::vector<float> RandomActions(const Space& space, int steps, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> actions(static_cast<size_t>(steps) * space.size());
  for (int t = 0; t < steps; ++t) {
    for (int j = 0; j < space.size(); ++j) {
      std::uniform_real_distribution<double> dist(space.low[j], space.high[j]);
      actions[static_cast<size_t>(t) * space.size() + j] = static_cast<float>(dist(rng));
    }
  }
  return actions;
}

// the observations, signals and flags of a rollout, as bytes
std::vector<uint8_t> Trajectory(Environment& env, uint64_t seed, const std::vector<float>& actions,
                                int steps) {
  const int obs = env.observation_space().size();
  const int act = env.action_space().size();
  std::vector<float> o(obs);
  std::vector<double> s(env.signal_names().size());
  std::vector<uint8_t> bytes;
  auto append = [&bytes](const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes.insert(bytes.end(), p, p + size);
  };
  env.Reset(seed, o.data());
  append(o.data(), o.size() * sizeof(float));
  for (int t = 0; t < steps; ++t) {
    const StepResult r =
        env.Step(actions.data() + static_cast<size_t>(t) * act, o.data(), s.data());
    append(o.data(), o.size() * sizeof(float));
    append(s.data(), s.size() * sizeof(double));
    const uint8_t flags[3] = {r.terminated, r.truncated, r.numerical_failure};
    append(flags, 3);
    if (r.terminated || r.truncated) env.Reset(seed + t + 1, o.data());
  }
  return bytes;
}

}  // namespace

EnvCheckReport CheckEnvironment(const std::function<std::unique_ptr<Environment>()>& make,
                                int random_steps, uint64_t seed) {
  EnvCheckReport report;
  Checker check(report);
  std::unique_ptr<Environment> env = make();
  std::unique_ptr<Environment> twin = make();
  const Space& obs_space = env->observation_space();
  const Space& act_space = env->action_space();

  // declarations
  std::string problem = CheckSpace(obs_space, false);
  check.Expect(problem.empty(), "observation space is consistent", problem);
  problem = CheckSpace(act_space, true);
  if (!check.Expect(problem.empty(), "action space is consistent and bounded", problem)) {
    return report;
  }
  const std::vector<std::string>& signals = env->signal_names();
  check.Expect(std::set<std::string>(signals.begin(), signals.end()).size() == signals.size(),
               "signal names are unique", "two signals share a name");
  problem = EpisodeMetricsProblem(env->episode_metrics(), signals);
  check.Expect(problem.empty(), "episode metrics reduce signals the environment writes", problem);
  check.Expect(env->dt() > 0 && std::isfinite(env->dt()), "dt is positive",
               fmt::format("dt = {}", env->dt()));
  check.Expect(env->max_episode_steps() > 0, "max_episode_steps is positive",
               fmt::format("max_episode_steps = {}", env->max_episode_steps()));

  // seeded resets
  const int obs = obs_space.size();
  std::vector<float> a(obs), b(obs);
  env->Reset(seed, a.data());
  twin->Reset(seed, b.data());
  check.Expect(std::memcmp(a.data(), b.data(), sizeof(float) * obs) == 0,
               "the same seed gives the same initial observation",
               "two instances reset with one seed differ");
  twin->Reset(seed + 1, b.data());
  if (std::memcmp(a.data(), b.data(), sizeof(float) * obs) == 0) {
    report.warnings.push_back(
        "different seeds give the same initial observation (no reset noise?)");
  }

  // determinism
  const int short_steps = std::min(random_steps, 300);
  const std::vector<float> actions = RandomActions(act_space, short_steps, seed);
  check.Expect(
      Trajectory(*env, seed, actions, short_steps) == Trajectory(*twin, seed, actions, short_steps),
      "the same actions give the same trajectory",
      "two instances given the same seed and actions diverge");

  // perturbations: declared sensibly, and at their neutral magnitudes no change at all
  const std::vector<Perturbation> perturbations = env->perturbations();
  if (!perturbations.empty()) {
    std::set<std::string> names;
    std::string declared;
    std::vector<PerturbationValue> neutral;
    for (const Perturbation& p : perturbations) {
      if (!names.insert(p.name).second) declared = fmt::format("'{}' twice", p.name);
      if (!(p.min <= p.neutral && p.neutral <= p.max)) {
        declared =
            fmt::format("'{}': neutral {} outside [{}, {}]", p.name, p.neutral, p.min, p.max);
      }
      neutral.push_back({p.name, p.neutral});
    }
    check.Expect(declared.empty(), "perturbations are unique, each neutral within its range",
                 declared);
    twin->SetPerturbations(neutral);
    check.Expect(Trajectory(*env, seed, actions, short_steps) ==
                     Trajectory(*twin, seed, actions, short_steps),
                 "neutral perturbations leave the trajectory unchanged",
                 "setting every perturbation to its neutral magnitude changed the trajectory");
    twin->SetPerturbations({});
  }

  // random rollout: finiteness, bounds, episode ends
  const std::vector<float> long_actions = RandomActions(act_space, random_steps, seed + 7);
  std::vector<double> s(signals.size());
  env->Reset(seed, a.data());
  int length = 0;
  std::string nonfinite, out_of_bounds, both_flags, truncation;
  for (int t = 0; t < random_steps; ++t) {
    // actions beyond the bounds must be clipped, not trusted
    std::vector<float> action(long_actions.begin() + static_cast<long>(t) * act_space.size(),
                              long_actions.begin() + static_cast<long>(t + 1) * act_space.size());
    if (t % 50 == 0) {
      for (int j = 0; j < act_space.size(); ++j)
        action[j] = static_cast<float>(act_space.high[j] * 10);
    }
    const StepResult r = env->Step(action.data(), a.data(), s.data());
    ++length;
    for (int i = 0; i < obs && nonfinite.empty(); ++i) {
      if (!std::isfinite(a[i]))
        nonfinite = fmt::format("observation '{}' = {} at step {}", obs_space.names[i], a[i], t);
    }
    for (size_t i = 0; i < s.size() && nonfinite.empty(); ++i) {
      if (!std::isfinite(s[i]))
        nonfinite = fmt::format("signal '{}' = {} at step {}", signals[i], s[i], t);
    }
    for (int i = 0; i < obs && out_of_bounds.empty(); ++i) {
      const double slack = 1e-5 * (1.0 + std::fabs(a[i]));
      if (a[i] < obs_space.low[i] - slack || a[i] > obs_space.high[i] + slack) {
        out_of_bounds =
            fmt::format("observation '{}' = {} outside [{}, {}] at step {}", obs_space.names[i],
                        a[i], obs_space.low[i], obs_space.high[i], t);
      }
    }
    if (r.terminated && r.truncated) both_flags = fmt::format("step {} is both", t);
    if (r.numerical_failure && !r.terminated)
      both_flags = fmt::format("step {}: numerical failure without terminated", t);
    if (r.truncated && length != env->max_episode_steps()) {
      truncation = fmt::format("truncated after {} steps, max_episode_steps is {}", length,
                               env->max_episode_steps());
    }
    if (!r.terminated && !r.truncated && length >= env->max_episode_steps() && truncation.empty()) {
      truncation = fmt::format("not truncated after {} steps", length);
    }
    if (r.terminated || r.truncated) {
      ++report.episodes;
      report.terminated += r.terminated;
      report.truncated += r.truncated;
      length = 0;
      env->Reset(seed + 100 + t, a.data());
    }
  }
  const std::string rollout = fmt::format("{} random steps", random_steps);
  check.Expect(nonfinite.empty(), "observations and signals stay finite over " + rollout,
               nonfinite);
  check.Expect(out_of_bounds.empty(), "observations stay within the declared bounds",
               out_of_bounds);
  check.Expect(both_flags.empty(), "terminated and truncated are exclusive", both_flags);
  check.Expect(truncation.empty(), "episodes are truncated at max_episode_steps", truncation);

  // saved state continues identically
  try {
    env->Reset(seed, a.data());
    for (int t = 0; t < 20; ++t)
      env->Step(actions.data() + static_cast<size_t>(t) * act_space.size(), a.data(), s.data());
    twin->LoadState(env->SaveState());
    const int steps = std::min(short_steps - 20, 100);
    std::vector<float> rest(actions.begin() + 20L * act_space.size(), actions.end());
    bool diverged = false;
    for (int t = 0; t < steps; ++t) {
      const float* action = rest.data() + static_cast<size_t>(t) * act_space.size();
      const StepResult rx = env->Step(action, a.data(), s.data());
      const StepResult ry = twin->Step(action, b.data(), s.data());
      if (std::memcmp(a.data(), b.data(), sizeof(float) * obs) != 0 ||
          rx.terminated != ry.terminated || rx.truncated != ry.truncated) {
        diverged = true;
        break;
      }
    }
    check.Expect(!diverged, "a saved state continues identically", "the restored copy diverged");
  } catch (const std::exception& e) {
    report.warnings.push_back(
        fmt::format("state save/load unavailable ({}): runs cannot resume", e.what()));
  }

  for (const std::string& warning : env->Warnings()) report.warnings.push_back(warning);
  return report;
}

}  // namespace stride
