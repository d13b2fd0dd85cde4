#include "stride/vec_env.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "stride/error.h"

namespace stride {

namespace {

// how long a wait spins before it sleeps: longer than the policy's turn
// between two steps, so a worker is awake for the next step; a futex wake-up
// after each would leave a core idle for tens of microseconds
constexpr auto kSpin = std::chrono::microseconds(200);

// spins until done() holds, for at most kSpin; whether it holds
template <typename Done>
bool SpinUntil(const Done& done) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
  }
  return true;
}

}  // namespace

// persistent threads that share the items [0, n) of one job: each thread takes
// the next unclaimed item until none is left, so uneven items stay balanced.
// Waits spin briefly before sleeping: a step takes well under a millisecond.
class VecEnv::WorkerPool {
 public:
  WorkerPool(int num_workers, int n) : n_(n) {
    for (int w = 1; w < num_workers; ++w) threads_.emplace_back([this] { Loop(); });
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shutdown_ = true;
      generation_.fetch_add(1);
    }
    start_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  int size() const { return static_cast<int>(threads_.size()) + 1; }

  // runs job(i) for every i in [0, n); the calling thread takes part
  void Run(const std::function<void(int)>& job) {
    if (threads_.empty()) {
      for (int i = 0; i < n_; ++i) job(i);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      next_.store(0);
      busy_.store(static_cast<int>(threads_.size()));
      generation_.fetch_add(1);
    }
    start_.notify_all();
    Work(job);
    // wait for the other threads to finish their last item
    if (!SpinUntil([this] { return busy_.load() == 0; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return busy_.load() == 0; });
    }
  }

 private:
  void Work(const std::function<void(int)>& job) {
    for (int i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) job(i);
  }

  void Loop() {
    uint64_t seen = 0;
    while (true) {
      // spin, then sleep, until a new job is posted
      if (!SpinUntil([&] { return generation_.load() != seen; })) {
        std::unique_lock<std::mutex> lock(mutex_);
        start_.wait(lock, [&] { return generation_.load() != seen; });
      }
      const std::function<void(int)>* job;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        seen = generation_.load();
        if (shutdown_) return;
        job = job_;
      }
      Work(*job);
      if (busy_.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  int n_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> next_{0};
  std::atomic<int> busy_{0};
  bool shutdown_ = false;
};

namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// the first field of a saved state; states saved before it existed start
// with the number of instances instead
constexpr uint64_t kStateFormat = 0x7374726964650002;

// names stride uses itself, in eval.csv and in success criteria
constexpr const char* kReservedMetricNames[] = {"return",      "step",       "episodes",
                                                "mean_return", "std_return", "train_time_s",
                                                "successes",   "success"};

bool IsMetricName(const std::string& name) {
  if (name.empty() || !std::islower(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

// a metric's value before the first step of an episode
double InitialValue(Aggregate aggregate) {
  switch (aggregate) {
    case Aggregate::kMin:
      return std::numeric_limits<double>::infinity();
    case Aggregate::kMax:
      return -std::numeric_limits<double>::infinity();
    default:
      return 0.0;
  }
}

template <typename T>
void Append(std::vector<uint8_t>& out, const T& value) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(&value);
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

template <typename T>
T Read(const std::vector<uint8_t>& in, size_t& offset) {
  if (offset + sizeof(T) > in.size()) {
    throw RuntimeError("vectorized environment state is truncated");
  }
  T value;
  std::memcpy(&value, in.data() + offset, sizeof(T));
  offset += sizeof(T);
  return value;
}

}  // namespace

std::string EpisodeMetricsProblem(const std::vector<EpisodeMetric>& metrics,
                                  const std::vector<std::string>& signal_names) {
  std::set<std::string> seen;
  for (const EpisodeMetric& metric : metrics) {
    if (!IsMetricName(metric.name)) {
      return fmt::format(
          "episode metric '{}' is not a plain name (a lowercase letter, then "
          "lowercase letters, digits and '_')",
          metric.name);
    }
    if (!seen.insert(metric.name).second) {
      return fmt::format("two episode metrics are called '{}'", metric.name);
    }
    for (const char* reserved : kReservedMetricNames) {
      if (metric.name == reserved) {
        return fmt::format("episode metric '{}' has a name stride uses itself", metric.name);
      }
    }
    if (std::find(signal_names.begin(), signal_names.end(), metric.signal) == signal_names.end()) {
      return fmt::format(
          "episode metric '{}' reduces signal '{}', which the environment does not "
          "write (signals: {})",
          metric.name, metric.signal, fmt::join(signal_names, ", "));
    }
  }
  return "";
}

VecEnv::VecEnv(std::vector<std::unique_ptr<Environment>> envs,
               std::shared_ptr<const RewardFunction> reward, uint64_t seed, int num_workers,
               int first_index)
    : envs_(std::move(envs)), reward_(std::move(reward)), seed_(seed), first_index_(first_index) {
  if (envs_.empty()) throw ConfigError("a vectorized environment needs at least one instance");
  num_envs_ = static_cast<int>(envs_.size());
  obs_size_ = envs_[0]->observation_space().size();
  act_size_ = envs_[0]->action_space().size();
  const std::vector<std::string>& signal_names = envs_[0]->signal_names();
  num_signals_ = static_cast<int>(signal_names.size());
  dt_ = envs_[0]->dt();

  // the episode metrics and the signals they reduce
  metrics_ = envs_[0]->episode_metrics();
  const std::string problem = EpisodeMetricsProblem(metrics_, signal_names);
  if (!problem.empty()) throw RuntimeError("the environment's " + problem);
  for (const EpisodeMetric& metric : metrics_) {
    metric_signals_.push_back(static_cast<int>(
        std::find(signal_names.begin(), signal_names.end(), metric.signal) - signal_names.begin()));
  }
  const size_t num_terms = reward_->terms().size();

  obs_.assign(static_cast<size_t>(num_envs_) * obs_size_, 0.0f);
  final_obs_.assign(obs_.size(), 0.0f);
  rewards_.assign(num_envs_, 0.0f);
  terminated_.assign(num_envs_, 0);
  truncated_.assign(num_envs_, 0);
  failed_.assign(num_envs_, 0);
  signals_.assign(static_cast<size_t>(num_envs_) * num_signals_, 0.0);
  term_values_.assign(num_envs_ * num_terms, 0.0);
  episodes_.resize(num_envs_);
  finished_.resize(num_envs_);
  for (Episode& e : episodes_) {
    e.term_returns.assign(num_terms, 0.0);
    for (const EpisodeMetric& metric : metrics_) {
      e.metric_values.push_back(InitialValue(metric.aggregate));
    }
  }

  num_workers = std::clamp(num_workers, 1, num_envs_);
  pool_ = std::make_unique<WorkerPool>(num_workers, num_envs_);
}

VecEnv::~VecEnv() = default;

int VecEnv::num_workers() const { return pool_->size(); }
const Space& VecEnv::observation_space() const { return envs_[0]->observation_space(); }
const Space& VecEnv::action_space() const { return envs_[0]->action_space(); }

uint64_t VecEnv::EpisodeSeed(int instance, uint64_t episode) const {
  const uint64_t index = static_cast<uint64_t>(first_index_ + instance);
  return SplitMix64(SplitMix64(SplitMix64(seed_) ^ index) ^ episode);
}

void VecEnv::SetPerturbations(std::vector<PerturbationValue> fixed,
                              std::vector<PerturbationRange> ranges) {
  fixed_perturbations_ = std::move(fixed);
  perturbation_ranges_ = std::move(ranges);
  for (auto& env : envs_) env->SetPerturbations(fixed_perturbations_);
}

void VecEnv::ResetInstance(int i) {
  Episode& e = episodes_[i];
  float* obs = obs_.data() + static_cast<size_t>(i) * obs_size_;
  const uint64_t seed = EpisodeSeed(i, e.index);
  if (!perturbation_ranges_.empty()) {
    // one draw per range from the episode's seed: the same on any worker count
    std::vector<PerturbationValue> values = fixed_perturbations_;
    uint64_t draw = seed;
    for (const PerturbationRange& range : perturbation_ranges_) {
      draw = SplitMix64(draw);
      const double u = static_cast<double>(draw >> 11) * 0x1.0p-53;
      values.push_back({range.name, range.low + u * (range.high - range.low)});
    }
    envs_[i]->SetPerturbations(values);
  }
  envs_[i]->Reset(seed, obs);
  e.total_return = 0.0;
  e.length = 0;
  std::fill(e.term_returns.begin(), e.term_returns.end(), 0.0);
  for (size_t m = 0; m < metrics_.size(); ++m) {
    e.metric_values[m] = InitialValue(metrics_[m].aggregate);
  }
}

void VecEnv::Reset() {
  for (Episode& e : episodes_) e.index = 0;
  pool_->Run([this](int i) { ResetInstance(i); });
  completed_.clear();
}

void VecEnv::StepInstance(int i) {
  const size_t num_terms = reward_->terms().size();
  float* obs = obs_.data() + static_cast<size_t>(i) * obs_size_;
  double* signals = signals_.data() + static_cast<size_t>(i) * num_signals_;
  double* terms = term_values_.data() + i * num_terms;
  Episode& e = episodes_[i];

  // step and score
  const StepResult result =
      envs_[i]->Step(actions_ + static_cast<size_t>(i) * act_size_, obs, signals);
  const double reward = reward_->Evaluate(signals, terms);
  rewards_[i] = static_cast<float>(reward);
  terminated_[i] = result.terminated || result.numerical_failure;
  truncated_[i] = result.truncated && !terminated_[i];
  failed_[i] = result.numerical_failure;

  // accumulate the episode
  e.total_return += reward;
  e.length += 1;
  for (size_t t = 0; t < num_terms; ++t) e.term_returns[t] += terms[t];
  for (size_t m = 0; m < metrics_.size(); ++m) {
    const double value = signals[metric_signals_[m]];
    double& reduced = e.metric_values[m];
    switch (metrics_[m].aggregate) {
      case Aggregate::kSum:
      case Aggregate::kMean:
        reduced += value;
        break;
      case Aggregate::kIntegral:
        reduced += value * dt_;
        break;
      case Aggregate::kMin:
        reduced = std::min(reduced, value);
        break;
      case Aggregate::kMax:
        reduced = std::max(reduced, value);
        break;
      case Aggregate::kLast:
        reduced = value;
        break;
    }
  }
  if (!terminated_[i] && !truncated_[i]) return;

  // record it and start the next one
  EpisodeRecord& record = finished_[i];
  record.total_return = e.total_return;
  record.length = e.length;
  record.term_returns = e.term_returns;
  record.terminated = terminated_[i];
  record.numerical_failure = result.numerical_failure;
  record.metrics = e.metric_values;
  for (size_t m = 0; m < metrics_.size(); ++m) {
    if (metrics_[m].aggregate == Aggregate::kMean) {
      record.metrics[m] /= static_cast<double>(e.length);
    }
  }
  std::memcpy(final_obs_.data() + static_cast<size_t>(i) * obs_size_, obs,
              sizeof(float) * obs_size_);
  e.index += 1;
  ResetInstance(i);
}

void VecEnv::Step(const float* actions) { Step(actions, nullptr); }

void VecEnv::Step(const float* actions, const uint8_t* active) {
  actions_ = actions;
  active_ = active;
  pool_->Run([this](int i) {
    if (active_ == nullptr || active_[i]) {
      StepInstance(i);
      return;
    }
    rewards_[i] = 0.0f;
    terminated_[i] = truncated_[i] = failed_[i] = 0;
  });
  for (int i = 0; i < num_envs_; ++i) {
    if (!terminated_[i] && !truncated_[i]) continue;
    if (failed_[i]) ++numerical_failures_;
    completed_.push_back(finished_[i]);
  }
}

std::vector<EpisodeRecord> VecEnv::TakeCompletedEpisodes() {
  std::vector<EpisodeRecord> out;
  out.swap(completed_);
  return out;
}

// layout: the format, then per instance the episode counters and the
// environment's own state
std::vector<uint8_t> VecEnv::SaveState() const {
  std::vector<uint8_t> out;
  Append(out, kStateFormat);
  Append(out, static_cast<uint64_t>(num_envs_));
  for (int i = 0; i < num_envs_; ++i) {
    const Episode& e = episodes_[i];
    Append(out, e.index);
    Append(out, e.total_return);
    Append(out, e.length);
    for (double r : e.term_returns) Append(out, r);
    for (double m : e.metric_values) Append(out, m);
    for (int k = 0; k < obs_size_; ++k) Append(out, obs_[static_cast<size_t>(i) * obs_size_ + k]);
    const std::vector<uint8_t> env_state = envs_[i]->SaveState();
    Append(out, static_cast<uint64_t>(env_state.size()));
    out.insert(out.end(), env_state.begin(), env_state.end());
  }
  Append(out, numerical_failures_);
  return out;
}

void VecEnv::LoadState(const std::vector<uint8_t>& state) {
  size_t offset = 0;
  if (Read<uint64_t>(state, offset) != kStateFormat) {
    throw RuntimeError(
        "the saved vectorized environment state is of another stride version; "
        "start the run again (--force)");
  }
  const auto n = Read<uint64_t>(state, offset);
  if (n != static_cast<uint64_t>(num_envs_)) {
    throw RuntimeError(
        fmt::format("saved state holds {} environments, this run has {}", n, num_envs_));
  }
  for (int i = 0; i < num_envs_; ++i) {
    Episode& e = episodes_[i];
    e.index = Read<uint64_t>(state, offset);
    e.total_return = Read<double>(state, offset);
    e.length = Read<int64_t>(state, offset);
    for (double& r : e.term_returns) r = Read<double>(state, offset);
    for (double& m : e.metric_values) m = Read<double>(state, offset);
    for (int k = 0; k < obs_size_; ++k) {
      obs_[static_cast<size_t>(i) * obs_size_ + k] = Read<float>(state, offset);
    }
    const auto size = Read<uint64_t>(state, offset);
    if (offset + size > state.size())
      throw RuntimeError("vectorized environment state is truncated");
    envs_[i]->LoadState(
        std::vector<uint8_t>(state.begin() + offset, state.begin() + offset + size));
    offset += size;
  }
  numerical_failures_ = Read<int64_t>(state, offset);
  completed_.clear();
}

}  // namespace stride
