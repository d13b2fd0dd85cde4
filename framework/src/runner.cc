#include "stride/runner.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "metrics_log.h"
#include "run_manifest.h"
#include "stride/durable_file.h"
#include "stride/error.h"
#include "stride/registry.h"
#include "stride/run_lock.h"
#include "tensorboard_events.h"

namespace stride {
namespace {

namespace fs = std::filesystem;

// the share of an evaluation's episodes that met the success criterion
double SuccessFraction(const EvalSummary& summary) {
  return summary.episodes > 0 ? static_cast<double>(summary.successes) / summary.episodes : 0.0;
}

std::atomic<int> g_stop_signal{0};

extern "C" void HandleStopSignal(int signal) { g_stop_signal.store(signal); }

std::string Duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<int64_t>(seconds);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

double Mean(const std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// the TrainContext of one seed's run, or of one rank's share of it
class RunContext : public TrainContext {
 public:
  RunContext(const Experiment& experiment, const PluginRegistry& registry, int64_t seed,
             std::string run_dir, std::string config_toml, bool resume, int num_workers,
             ProcessGroup& group, std::function<void(int64_t)> between_updates)
      : experiment_(experiment),
        registry_(registry),
        seed_(seed),
        run_dir_(std::move(run_dir)),
        config_toml_(std::move(config_toml)),
        resume_(resume),
        group_(group),
        between_updates_(std::move(between_updates)),
        start_(std::chrono::steady_clock::now()) {
    // rank 0 alone writes the run's files
    if (group.rank() == 0) {
      events_ = std::make_unique<TensorBoardWriter>(run_dir_, resume);
      metrics_ =
          std::make_unique<MetricsLog>(run_dir_ + "/metrics", resume, events_.get(), "train/");
      evaluations_ =
          std::make_unique<MetricsLog>(run_dir_ + "/eval", resume, events_.get(), "eval/");
    }
    const int num_envs = static_cast<int>(experiment.num_envs);
    if (num_envs % group.world_size() != 0) {
      throw ConfigError(fmt::format("experiment.num_envs = {} does not divide among {} ranks",
                                    num_envs, group.world_size()));
    }
    const int share = num_envs / group.world_size();
    env_ = MakeVecEnv(experiment, registry, share, static_cast<uint64_t>(seed),
                      num_workers > 0 ? num_workers : static_cast<int>(experiment.num_workers),
                      group.rank() * share);
    env_->SetPerturbations({}, experiment.randomize);
  }

  VecEnv& env() override { return *env_; }
  ProcessGroup& group() override { return group_; }
  uint64_t seed() const override { return static_cast<uint64_t>(seed_); }
  int64_t total_steps() const override { return experiment_.total_steps; }
  const std::string& run_dir() const override { return run_dir_; }
  const std::string& config_toml() const override { return config_toml_; }
  bool stop_requested() const override { return StopRequested() || finished_on_success_; }
  // the criterion held with stop_on_success: training has ended for good
  bool finished_on_success() const { return finished_on_success_; }
  // training got to total_steps, or this process had nothing left to train
  // (resumed from the last update's checkpoint); false after a stop, whichever
  // rank was signalled
  bool reached_end() const { return !started_ || current_step_ >= experiment_.total_steps; }

  void LogMetrics(int64_t step, const Metrics& metrics) override {
    std::vector<EpisodeRecord> episodes = GatherEpisodes(env_->TakeCompletedEpisodes());
    group_.MarkProgress(step);
    if (!started_) Begin(step);
    previous_step_ = current_step_;
    current_step_ = step;
    if (group_.rank() != 0) return;
    const double elapsed = Elapsed();
    const double steps_per_second =
        static_cast<double>(step - start_step_) / std::max(elapsed, 1e-9);

    // episode statistics of the episodes that ended during this update
    std::vector<double> returns, lengths;
    std::vector<std::vector<double>> term_returns(env_->reward().terms().size());
    for (const EpisodeRecord& episode : episodes) {
      returns.push_back(episode.total_return);
      lengths.push_back(static_cast<double>(episode.length));
      for (size_t t = 0; t < term_returns.size(); ++t) {
        term_returns[t].push_back(episode.term_returns[t]);
      }
      recent_returns_.push_back(episode.total_return);
    }
    if (recent_returns_.size() > 20) {
      recent_returns_.erase(recent_returns_.begin(), recent_returns_.end() - 20);
    }
    Metrics row = {{"time_s", elapsed},
                   {"train_time_s", TrainSeconds()},
                   {"steps_per_second", steps_per_second},
                   {"episodes", static_cast<double>(returns.size())},
                   {"episode_return", Mean(returns)},
                   {"episode_length", Mean(lengths)}};
    for (size_t t = 0; t < term_returns.size(); ++t) {
      row.emplace_back("return/" + env_->reward().terms()[t].name, Mean(term_returns[t]));
    }
    row.emplace_back("numerical_failures", static_cast<double>(env_->numerical_failures()));
    row.insert(row.end(), metrics.begin(), metrics.end());
    metrics_->Write(step, row);
    PrintProgress(step, elapsed, steps_per_second);
    if (between_updates_) {
      const auto begin = std::chrono::steady_clock::now();
      between_updates_(step - previous_step_);
      excluded_seconds_ +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    }
  }

  bool EvaluationDue(int64_t step) const override {
    return Crossed(step, experiment_.eval_every_steps);
  }

  EvalSummary Evaluate(int64_t step, const Policy& policy) override {
    if (group_.rank() != 0) return {};
    const double started = Elapsed();
    const double train_seconds = TrainSeconds();
    if (!eval_env_) {
      eval_env_ = MakeVecEnv(experiment_, registry_, static_cast<int>(experiment_.eval_episodes),
                             EvaluationSeed(seed_), 1);
    }
    EvalSummary summary = EvaluatePolicy(*eval_env_, policy, experiment_.success);
    Metrics row = {{"episodes", summary.episodes},
                   {"mean_return", summary.mean_return},
                   {"std_return", summary.std_return},
                   {"train_time_s", train_seconds}};
    row.insert(row.end(), summary.metric_means.begin(), summary.metric_means.end());
    if (!experiment_.success.empty()) {
      row.emplace_back("successes", summary.successes);
      row.emplace_back("success", summary.success ? 1.0 : 0.0);
    }
    evaluations_->Write(step, row);
    std::fprintf(stderr, "[%s] evaluation at step %lld: %s\n", run_dir_.c_str(),
                 static_cast<long long>(step),
                 DescribeEvaluation(summary, experiment_.success).c_str());
    if (summary.success && !time_to_success_) {
      time_to_success_ = TimeToSuccess{step, train_seconds};
      SetTimeToSuccess(run_dir_ + "/manifest.json", time_to_success_);
      std::fprintf(stderr,
                   "[%s] success criterion first met at step %lld, after %.1f s of "
                   "training\n",
                   run_dir_.c_str(), static_cast<long long>(step), train_seconds);
    }
    // the policies kept beside the last
    const KeptEvaluation evaluation{step, SuccessFraction(summary), summary.mean_return};
    summary.best = !best_ || evaluation.Beats(*best_);
    if (summary.best) {
      best_ = evaluation;
      SetManifestField(run_dir_ + "/manifest.json", kBestPolicyKey,
                       KeptPolicyJson(kBestPolicyFile, best_));
    }
    summary.first_success = summary.success && !first_success_;
    if (summary.first_success) {
      first_success_ = evaluation;
      SetManifestField(run_dir_ + "/manifest.json", kFirstSuccessPolicyKey,
                       KeptPolicyJson(kFirstSuccessPolicyFile, first_success_));
    }
    finished_on_success_ = finished_on_success_ || (summary.success && experiment_.stop_on_success);
    if (step >= experiment_.total_steps || finished_on_success_) EvaluateRobustness(policy);
    evaluation_seconds_ += Elapsed() - started;
    return summary;
  }

  bool CheckpointDue(int64_t step) const override {
    return Crossed(step, experiment_.checkpoint_every_steps);
  }
  std::string checkpoint_path() const override { return run_dir_ + "/checkpoints/checkpoint.pt"; }
  std::string resume_path() const override { return resume_ ? checkpoint_path() : ""; }
  std::string policy_path() const override { return run_dir_ + "/policy.pt"; }

 private:
  // the first update of this process: a resumed run continues from the last
  // rows kept before this step, its training clock and its time to success
  void Begin(int64_t step) {
    start_step_ = group_.rank() == 0 ? metrics_->Begin(step) : 0;
    if (group_.world_size() > 1) {
      std::vector<uint8_t> bytes(sizeof(start_step_));
      std::memcpy(bytes.data(), &start_step_, sizeof(start_step_));
      group_.Broadcast(bytes);
      std::memcpy(&start_step_, bytes.data(), sizeof(start_step_));
    }
    current_step_ = start_step_;
    started_ = true;
    if (group_.rank() != 0) return;
    evaluations_->Begin(step);
    const std::vector<double> train_times = metrics_->KeptColumn("train_time_s");
    if (!train_times.empty() && std::isfinite(train_times.back())) {
      train_time_base_ = train_times.back();
    }
    RestoreKeptEvaluations();
    if (experiment_.success.empty()) return;
    const std::vector<double> steps = evaluations_->KeptColumn("step");
    const std::vector<double> successes = evaluations_->KeptColumn("success");
    const std::vector<double> eval_times = evaluations_->KeptColumn("train_time_s");
    for (size_t row = 0; row < successes.size() && !time_to_success_; ++row) {
      if (successes[row] == 1.0) {
        time_to_success_ = TimeToSuccess{static_cast<int64_t>(steps[row]), eval_times[row]};
      }
    }
    SetTimeToSuccess(run_dir_ + "/manifest.json", time_to_success_);
    // an interruption right after the stopping evaluation: the run is done
    finished_on_success_ = time_to_success_ && experiment_.stop_on_success;
  }

  // the best and first successful evaluations among the rows a resume kept
  void RestoreKeptEvaluations() {
    const std::vector<double> steps = evaluations_->KeptColumn("step");
    const std::vector<double> returns = evaluations_->KeptColumn("mean_return");
    const std::vector<double> episodes = evaluations_->KeptColumn("episodes");
    const std::vector<double> successes = evaluations_->KeptColumn("successes");
    const std::vector<double> success = evaluations_->KeptColumn("success");
    for (size_t row = 0; row < steps.size() && row < returns.size(); ++row) {
      const double fraction = row < successes.size() && row < episodes.size() && episodes[row] > 0
                                  ? successes[row] / episodes[row]
                                  : 0.0;
      const KeptEvaluation evaluation{static_cast<int64_t>(steps[row]), fraction, returns[row]};
      if (!best_ || evaluation.Beats(*best_)) best_ = evaluation;
      if (!first_success_ && row < success.size() && success[row] == 1.0) {
        first_success_ = evaluation;
      }
    }
    SetManifestField(run_dir_ + "/manifest.json", kBestPolicyKey,
                     KeptPolicyJson(kBestPolicyFile, best_));
    SetManifestField(run_dir_ + "/manifest.json", kFirstSuccessPolicyKey,
                     KeptPolicyJson(kFirstSuccessPolicyFile, first_success_));
  }

  // every rank's completed episodes on rank 0, in rank order
  std::vector<EpisodeRecord> GatherEpisodes(std::vector<EpisodeRecord> mine) {
    if (group_.world_size() == 1) return mine;
    std::vector<double> values;
    for (const EpisodeRecord& episode : mine) {
      values.push_back(episode.total_return);
      values.push_back(static_cast<double>(episode.length));
      values.insert(values.end(), episode.term_returns.begin(), episode.term_returns.end());
    }
    std::vector<uint8_t> bytes(values.size() * sizeof(double));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    const size_t width = 2 + env_->reward().terms().size();
    std::vector<EpisodeRecord> all;
    for (const std::vector<uint8_t>& rank_bytes : group_.AllGather(bytes)) {
      std::vector<double> rank_values(rank_bytes.size() / sizeof(double));
      std::memcpy(rank_values.data(), rank_bytes.data(), rank_bytes.size());
      for (size_t k = 0; k + width <= rank_values.size(); k += width) {
        EpisodeRecord episode;
        episode.total_return = rank_values[k];
        episode.length = static_cast<int64_t>(rank_values[k + 1]);
        episode.term_returns.assign(rank_values.begin() + k + 2, rank_values.begin() + k + width);
        all.push_back(std::move(episode));
      }
    }
    return all;
  }

  // the final policy under every perturbation magnitude the experiment lists
  void EvaluateRobustness(const Policy& policy) {
    if (experiment_.robustness.empty()) return;
    WriteFileAtomically(run_dir_ + "/robustness.csv",
                        stride::EvaluateRobustness(*eval_env_, policy, experiment_, run_dir_));
  }

  // seconds since the start, without the time between_updates took
  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() -
           excluded_seconds_;
  }

  // training wall-clock seconds of the run so far, evaluations excluded
  double TrainSeconds() const { return train_time_base_ + Elapsed() - evaluation_seconds_; }

  // the update that reached step crossed a multiple of every (or is the last)
  bool Crossed(int64_t step, int64_t every) const {
    if (step >= experiment_.total_steps) return true;
    return every > 0 && step / every > previous_step_ / every;
  }

  void PrintProgress(int64_t step, double elapsed, double steps_per_second) {
    const bool last = step >= experiment_.total_steps;
    if (!last && elapsed - last_print_ < 2.0) return;
    last_print_ = elapsed;
    const double remaining =
        static_cast<double>(std::max<int64_t>(experiment_.total_steps - step, 0)) /
        std::max(steps_per_second, 1e-9);
    std::fprintf(
        stderr, "[%s] step %lld/%lld (%.0f%%) | %.0f steps/s | ETA %s | return %s\n",
        run_dir_.c_str(), static_cast<long long>(step),
        static_cast<long long>(experiment_.total_steps),
        std::min(100.0,
                 100.0 * static_cast<double>(step) / static_cast<double>(experiment_.total_steps)),
        steps_per_second, Duration(remaining).c_str(),
        recent_returns_.empty() ? "-" : fmt::format("{:.1f}", Mean(recent_returns_)).c_str());
  }

  const Experiment& experiment_;
  const PluginRegistry& registry_;
  int64_t seed_;
  std::string run_dir_;
  std::string config_toml_;
  bool resume_;
  ProcessGroup& group_;
  std::function<void(int64_t)> between_updates_;
  double excluded_seconds_ = 0.0;
  std::unique_ptr<TensorBoardWriter> events_;
  std::unique_ptr<MetricsLog> metrics_;
  std::unique_ptr<MetricsLog> evaluations_;
  std::chrono::steady_clock::time_point start_;
  std::unique_ptr<VecEnv> env_;
  std::unique_ptr<VecEnv> eval_env_;
  bool started_ = false;
  int64_t previous_step_ = 0;
  int64_t current_step_ = 0;
  int64_t start_step_ = 0;
  double last_print_ = -1e9;
  std::vector<double> recent_returns_;
  // training seconds before this process, and evaluation seconds in it
  double train_time_base_ = 0.0;
  double evaluation_seconds_ = 0.0;
  std::optional<TimeToSuccess> time_to_success_;
  std::optional<KeptEvaluation> best_, first_success_;
  bool finished_on_success_ = false;
};

// one seed from a prepared run directory, or this rank's share of it
RunStatus TrainRun(const Experiment& experiment, const PluginRegistry& registry, int64_t seed,
                   const std::string& run_dir, bool resume, int num_workers, ProcessGroup& group,
                   const std::function<void(int64_t)>& between_updates = {}) {
  const std::string config_toml = ReadFile(run_dir + "/config.toml");
  RunContext context(experiment, registry, seed, run_dir, config_toml, resume, num_workers, group,
                     between_updates);
  std::unique_ptr<Algorithm> algorithm =
      registry.MakeAlgorithm(experiment.algorithm.plugin, experiment.algorithm.params);
  if (group.world_size() == 1) {
    algorithm->Train(context);
  } else {
    if (!algorithm->data_parallel()) {
      throw ConfigError(fmt::format("algorithm '{}' does not train data-parallel over {} ranks",
                                    experiment.algorithm.plugin, group.world_size()));
    }
    try {
      algorithm->Train(context);
    } catch (const std::exception& e) {
      group.ReportFailure(e.what());
      throw;
    }
  }
  const bool finished = context.finished_on_success() || context.reached_end();
  if (group.rank() != 0) return finished ? RunStatus::kFinished : RunStatus::kStopped;
  // a run that stopped on success, or whose last export a kill prevented, has
  // its policy from the last checkpoint
  std::error_code ec;
  if (finished && !fs::exists(context.policy_path(), ec)) {
    algorithm->ExportPolicy(context.checkpoint_path(), context.policy_path(), config_toml);
  }
  if (context.finished_on_success()) {
    std::fprintf(stderr, "[%s] finished at the first evaluation that met the success criterion\n",
                 run_dir.c_str());
    return RunStatus::kFinished;
  }
  if (!finished) {
    std::fprintf(stderr, "[%s] stopped; continue with: stride run --resume %s\n", run_dir.c_str(),
                 run_dir.c_str());
    return RunStatus::kStopped;
  }
  return RunStatus::kFinished;
}

// "line 12: 'clip_epsilon = 0.2' here, 'clip_epsilon = 0.1' now"
std::string FirstDifference(const std::string& here, const std::string& now) {
  std::stringstream a(here), b(now);
  std::string line_a, line_b;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return "";
    if (!more_a) line_a.clear();
    if (!more_b) line_b.clear();
    if (line_a != line_b) {
      return fmt::format("config.toml line {}: '{}' there, '{}' now", line, line_a, line_b);
    }
  }
}

// a missing directory, or one with nothing but its lock file
bool HoldsNothing(const fs::path& run_dir) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(run_dir, ec)) {
    if (entry.path().filename() != "lock") return false;
  }
  return true;
}

// a run directory ready to train: its experiment, and whether it resumes
struct OpenedRun {
  Experiment experiment;
  bool resume = false;
};

OpenedRun OpenRun(const std::string& run_dir, PluginRegistry& registry) {
  const fs::path config = fs::path(run_dir) / "config.toml";
  std::error_code ec;
  if (!fs::is_regular_file(config, ec)) {
    throw ConfigError(fmt::format("'{}' is not a run directory: it has no config.toml", run_dir));
  }
  if (fs::exists(fs::path(run_dir) / "policy.pt", ec)) {
    throw ConfigError(fmt::format("run '{}' has already finished (it has policy.pt)", run_dir));
  }
  const bool resume = fs::is_regular_file(fs::path(run_dir) / "checkpoints" / "checkpoint.pt", ec);
  return {LoadExperiment(config.string(), {}, registry), resume};
}

// a run directory as this process has locked it: trained from its checkpoint
// if it has one, else from the start
RunStatus TrainLockedRun(const std::string& run_dir, PluginRegistry& registry, int num_workers,
                         const std::function<void(int64_t)>& between_updates = {}) {
  const OpenedRun run = OpenRun(run_dir, registry);
  std::fprintf(stderr, "[%s] %s\n", run_dir.c_str(), run.resume ? "resuming" : "starting");
  return TrainRun(run.experiment, registry, run.experiment.seeds.front(), run_dir, run.resume,
                  num_workers, SingleProcess(), between_updates);
}

// rank 0's word to the other ranks of a data-parallel run: "run\nDIR",
// "done\n" or "error\nMESSAGE"
void TellRanks(ProcessGroup& group, const std::string& message) {
  std::vector<uint8_t> bytes(message.begin(), message.end());
  group.Broadcast(bytes);
}

// what an existing directory calls for when the run's resolved config is config_toml
RunAction ActionFor(const fs::path& run_dir, const std::string& config_toml, bool force) {
  if (HoldsNothing(run_dir) || force) return RunAction::kStart;
  std::error_code ec;
  const fs::path config = run_dir / "config.toml";
  if (!fs::is_regular_file(config, ec)) {
    throw ConfigError(fmt::format(
        "'{}' exists but holds no run (no config.toml): pass --force to replace it, or choose "
        "another --out",
        run_dir.string()));
  }
  const std::string difference = FirstDifference(ReadFile(config.string()), config_toml);
  if (!difference.empty()) {
    throw ConfigError(fmt::format(
        "run directory '{}' holds a run of another configuration ({}): pass --force to replace "
        "it, or choose another --out",
        run_dir.string(), difference));
  }
  if (fs::exists(run_dir / "policy.pt", ec)) return RunAction::kSkip;
  if (fs::exists(run_dir / "checkpoints" / "checkpoint.pt", ec)) return RunAction::kResume;
  return RunAction::kStart;
}

int DefaultWorkers() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

}  // namespace

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = HandleStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // a parent may have blocked them until now
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigprocmask(SIG_UNBLOCK, &stop_signals, nullptr);
}

bool StopRequested() { return g_stop_signal.load() != 0; }

int StopExitCode() {
  // a rank stopped by the others' signal exits as if it had been sent SIGTERM
  const int signal = g_stop_signal.load();
  return 128 + (signal != 0 ? signal : SIGTERM);
}

std::unique_ptr<VecEnv> MakeVecEnv(const Experiment& experiment, const PluginRegistry& registry,
                                   int num_envs, uint64_t seed, int num_workers, int first_index) {
  std::vector<std::unique_ptr<Environment>> envs;
  for (int i = 0; i < num_envs; ++i) {
    envs.push_back(
        registry.MakeEnvironment(experiment.environment.plugin, experiment.environment.params));
  }
  std::vector<RewardFunction::Term> terms;
  for (const RewardConfig& reward : experiment.rewards) {
    terms.push_back(
        {reward.plugin, reward.weight, registry.MakeReward(reward.plugin, reward.params)});
  }
  auto reward = std::make_shared<const RewardFunction>(std::move(terms), envs[0]->signal_names());
  return std::make_unique<VecEnv>(std::move(envs), std::move(reward), seed,
                                  num_workers > 0 ? num_workers : DefaultWorkers(), first_index);
}

EvalSummary EvaluatePolicy(VecEnv& env, const Policy& policy, const SuccessCriterion& criterion) {
  const int n = env.num_envs();
  std::vector<float> actions(static_cast<size_t>(n) * env.action_size());
  std::vector<EpisodeRecord> first(n);
  std::vector<bool> done(n, false);
  int remaining = n;
  env.Reset();
  while (remaining > 0) {
    policy(env.observations(), n, actions.data());
    env.Step(actions.data());
    // completed episodes arrive in instance order; keep each instance's first
    const std::vector<EpisodeRecord> records = env.TakeCompletedEpisodes();
    size_t next = 0;
    for (int i = 0; i < n; ++i) {
      if (!env.terminated()[i] && !env.truncated()[i]) continue;
      const EpisodeRecord& record = records[next++];
      if (done[i]) continue;
      first[i] = record;
      done[i] = true;
      --remaining;
    }
  }
  EvalSummary summary;
  summary.episodes = n;
  const std::vector<EpisodeMetric>& metrics = env.episode_metrics();
  std::vector<double> metric_sums(metrics.size(), 0.0);
  std::vector<EpisodeValues> values;
  double sum = 0.0, sum_sq = 0.0;
  for (const EpisodeRecord& record : first) {
    sum += record.total_return;
    sum_sq += record.total_return * record.total_return;
    EpisodeValues episode = {{kReturnMetric, record.total_return}};
    for (size_t m = 0; m < metrics.size(); ++m) {
      metric_sums[m] += record.metrics[m];
      episode[metrics[m].name] = record.metrics[m];
    }
    values.push_back(std::move(episode));
  }
  summary.mean_return = sum / n;
  summary.std_return =
      std::sqrt(std::max(0.0, sum_sq / n - summary.mean_return * summary.mean_return));
  for (size_t m = 0; m < metrics.size(); ++m) {
    summary.metric_means.emplace_back(metrics[m].name, metric_sums[m] / n);
  }
  summary.successes = criterion.CountSuccesses(values);
  summary.success = criterion.Met(summary.successes, n);
  return summary;
}

uint64_t EvaluationSeed(int64_t run_seed) {
  return static_cast<uint64_t>(run_seed) ^ 0x5eed5eed5eedULL;
}

std::string EvaluateRobustness(VecEnv& env, const Policy& policy, const Experiment& experiment,
                               const std::string& label) {
  std::string csv;
  for (const RobustnessTest& test : experiment.robustness) {
    for (double magnitude : test.magnitudes) {
      env.SetPerturbations({{test.perturbation, magnitude}});
      const EvalSummary summary = EvaluatePolicy(env, policy, experiment.success);
      if (csv.empty()) {
        csv = "perturbation,magnitude,episodes,mean_return,std_return";
        for (const auto& [name, mean] : summary.metric_means) csv += "," + name;
        csv += ",successes,success_rate\n";
      }
      csv += fmt::format("{},{},{},{},{}", test.perturbation, magnitude, summary.episodes,
                         summary.mean_return, summary.std_return);
      for (const auto& [name, mean] : summary.metric_means) csv += fmt::format(",{}", mean);
      csv += experiment.success.empty()
                 ? ",,\n"
                 : fmt::format(",{},{}\n", summary.successes,
                               static_cast<double>(summary.successes) / summary.episodes);
      std::fprintf(stderr, "[%s] robustness %s = %g: %s\n", label.c_str(),
                   test.perturbation.c_str(), magnitude,
                   DescribeEvaluation(summary, experiment.success).c_str());
    }
  }
  env.SetPerturbations({});
  return csv;
}

std::string RunDirectory(const Experiment& experiment, const std::string& output_dir,
                         int64_t seed) {
  return (fs::path(output_dir) / experiment.name / experiment.variant /
          fmt::format("seed_{}", seed))
      .string();
}

std::string DescribeEvaluation(const EvalSummary& summary, const SuccessCriterion& criterion) {
  std::string text =
      fmt::format("return {:.1f} +- {:.1f}", summary.mean_return, summary.std_return);
  std::vector<std::string> means;
  for (const auto& [name, mean] : summary.metric_means) {
    means.push_back(fmt::format("{} {:.4g}", name, mean));
  }
  if (!means.empty()) text += fmt::format("; mean {}", fmt::join(means, ", "));
  if (criterion.empty()) return text;
  return text + fmt::format("; {}: {} of {} episodes met the criterion ({} needed)",
                            summary.success ? "success" : "no success", summary.successes,
                            summary.episodes, criterion.Needed(summary.episodes));
}

std::vector<PlannedRun> PlanRuns(const std::vector<Experiment>& experiments,
                                 const RunOptions& options) {
  std::vector<PlannedRun> runs;
  for (const Experiment& experiment : experiments) {
    const std::string output_dir =
        options.output_dir.empty() ? experiment.output_dir : options.output_dir;
    std::vector<int64_t> seeds = experiment.seeds;
    if (options.seed) seeds = {*options.seed};
    for (int64_t seed : seeds) {
      // each run directory records the experiment of exactly that run
      PlannedRun run;
      run.experiment = experiment;
      run.experiment.seeds = {seed};
      run.seed = seed;
      run.dir = RunDirectory(run.experiment, output_dir, seed);
      for (const PlannedRun& other : runs) {
        if (fs::path(other.dir).lexically_normal() != fs::path(run.dir).lexically_normal())
          continue;
        throw ConfigError(fmt::format("variants '{}' and '{}' would share the run directory '{}'",
                                      other.experiment.variant, experiment.variant, run.dir));
      }
      run.action = ActionFor(run.dir, ResolvedToml(run.experiment), options.force);
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

void PrepareRun(const PlannedRun& run, const PluginRegistry& registry, const RunOptions& options) {
  // a fresh directory, but for the lock this process holds on it
  const fs::path run_dir = run.dir;
  std::error_code ec;
  std::vector<fs::path> previous;
  for (const fs::directory_entry& entry : fs::directory_iterator(run_dir, ec)) {
    if (entry.path().filename() != "lock") previous.push_back(entry.path());
  }
  for (const fs::path& path : previous) fs::remove_all(path, ec);
  if (!ec) fs::create_directories(run_dir / "checkpoints", ec);
  if (ec) {
    throw ConfigError(
        fmt::format("cannot create run directory '{}': {}", run_dir.string(), ec.message()));
  }
  const std::string config_toml = ResolvedToml(run.experiment);
  WriteFileAtomically((run_dir / "config.toml").string(), config_toml);
  WriteFileAtomically(
      (run_dir / "manifest.json").string(),
      RunManifestJson(run.experiment, registry, run.seed, config_toml, options.command,
                      options.versions, options.group ? *options.group : SingleProcess()));
}

std::vector<RunLock> LockRuns(const std::vector<PlannedRun>& runs) {
  std::vector<RunLock> locks;
  for (const PlannedRun& run : runs) {
    if (run.action != RunAction::kSkip) locks.push_back(RunLock::Acquire(run.dir));
  }
  return locks;
}

RunStatus TrainRunDirectory(const std::string& run_dir, PluginRegistry& registry, int num_workers) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(run_dir) / "config.toml", ec)) {
    throw ConfigError(fmt::format("'{}' is not a run directory: it has no config.toml", run_dir));
  }
  const RunLock lock = RunLock::Acquire(run_dir);
  return TrainLockedRun(run_dir, registry, num_workers);
}

RunStatus RunPlanned(const std::vector<PlannedRun>& runs, PluginRegistry& registry,
                     const RunOptions& options) {
  const std::vector<RunLock> locks = LockRuns(runs);
  for (const PlannedRun& run : runs) {
    if (run.action == RunAction::kSkip) continue;
    if (run.action == RunAction::kStart) PrepareRun(run, registry, options);
    if (TrainLockedRun(run.dir, registry, options.num_workers, options.between_updates) ==
        RunStatus::kStopped) {
      return RunStatus::kStopped;
    }
  }
  return RunStatus::kFinished;
}

RunStatus LeadDataParallelRun(const std::string& run_dir, const PlannedRun* fresh,
                              PluginRegistry& registry, const RunOptions& options) {
  ProcessGroup& group = *options.group;
  std::optional<RunLock> lock;
  OpenedRun run;
  try {
    lock.emplace(RunLock::Acquire(run_dir));
    if (fresh) PrepareRun(*fresh, registry, options);
    run = OpenRun(run_dir, registry);
  } catch (const std::exception& e) {
    TellRanks(group, std::string("error\n") + e.what());
    throw;
  }
  TellRanks(group, "run\n" + run_dir);
  std::fprintf(stderr, "[%s] %s, data-parallel over %d ranks\n", run_dir.c_str(),
               run.resume ? "resuming" : "starting", group.world_size());
  return TrainRun(run.experiment, registry, run.experiment.seeds.front(), run_dir, run.resume,
                  options.num_workers, group, options.between_updates);
}

void EndDataParallelRun(ProcessGroup& group, const std::string& error) {
  TellRanks(group, error.empty() ? "done\n" : "error\n" + error);
}

RunStatus FollowDataParallelRun(PluginRegistry& registry, const RunOptions& options) {
  ProcessGroup& group = *options.group;
  std::vector<uint8_t> bytes;
  group.Broadcast(bytes);
  const std::string message(bytes.begin(), bytes.end());
  const size_t newline = message.find('\n');
  const std::string kind = message.substr(0, newline);
  const std::string rest = newline == std::string::npos ? "" : message.substr(newline + 1);
  if (kind == "done") return RunStatus::kFinished;
  if (kind != "run") throw ConfigError(fmt::format("rank 0 did not start the run: {}", rest));
  const OpenedRun run = OpenRun(rest, registry);
  return TrainRun(run.experiment, registry, run.experiment.seeds.front(), rest, run.resume,
                  options.num_workers, group);
}

RunStatus RunExperiment(const Experiment& experiment, PluginRegistry& registry,
                        const RunOptions& options) {
  return RunPlanned(PlanRuns({experiment}, options), registry, options);
}

}  // namespace stride
