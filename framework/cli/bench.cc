// stride bench env | train: throughput as a ratio to raw MuJoCo stepping
// measured in the same run, so a noisy shared machine still gives comparable figures.
#include <mujoco/mujoco.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "gloo_group.h"
#include "stride/cpu.h"
#include "stride/error.h"
#include "stride/experiment.h"
#include "stride/phase_times.h"
#include "stride/registry.h"
#include "stride/runner.h"
#include "stride/vec_env.h"

namespace stride::cli {
namespace {

namespace fs = std::filesystem;

// stride bench train's raw stepping between updates, left out of the breakdown
constexpr char kRawPhase[] = "raw stepping between updates";

double Seconds(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// best of a few repetitions: the machine is shared, the fastest run is the least disturbed
double BestRate(int repetitions, double items, const std::function<void()>& work) {
  double best = 0.0;
  for (int r = 0; r < repetitions; ++r) best = std::max(best, items / Seconds(work));
  return best;
}

std::vector<float> RandomActions(const Space& space, int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::vector<float> actions(static_cast<size_t>(count) * space.size());
  for (float& a : actions) a = unit(rng);
  return actions;
}

// the simulation states an environment visits, with the controls it applied
struct Trace {
  int steps = 0;
  std::vector<double> qpos, qvel, act, ctrl;
};

Trace RecordTrace(Environment& env, const std::vector<float>& actions, int steps) {
  const mjModel* m = reinterpret_cast<const mjModel*>(env.mujoco_model());
  const mjData* d = reinterpret_cast<const mjData*>(env.mujoco_data());
  Trace trace;
  trace.steps = steps;
  std::vector<float> obs(env.observation_space().size());
  std::vector<double> signals(env.signal_names().size());
  env.Reset(0, obs.data());
  for (int t = 0; t < steps; ++t) {
    trace.qpos.insert(trace.qpos.end(), d->qpos, d->qpos + m->nq);
    trace.qvel.insert(trace.qvel.end(), d->qvel, d->qvel + m->nv);
    trace.act.insert(trace.act.end(), d->act, d->act + m->na);
    const StepResult r =
        env.Step(actions.data() + static_cast<size_t>(t) * env.action_space().size(), obs.data(),
                 signals.data());
    trace.ctrl.insert(trace.ctrl.end(), d->ctrl, d->ctrl + m->nu);
    if (r.terminated || r.truncated) env.Reset(t + 1, obs.data());
  }
  return trace;
}

// raw mj_step from the traced states: env steps/s equivalent on `threads` threads
// raw stepping of a trace on every core in bursts, each thread continuing
// through the trace on its own simulation state
class RawBursts {
 public:
  RawBursts(const mjModel* m, const Trace& trace, int frame_skip, int threads)
      : m_(m), trace_(trace), frame_skip_(frame_skip) {
    for (int w = 0; w < threads; ++w) data_.push_back(mj_makeData(m));
  }
  ~RawBursts() {
    for (mjData* d : data_) mj_deleteData(d);
  }
  RawBursts(const RawBursts&) = delete;
  RawBursts& operator=(const RawBursts&) = delete;

  // about steps env steps, shared by the threads
  void Step(int64_t steps) {
    const int threads = static_cast<int>(data_.size());
    const int64_t per_thread = std::max<int64_t>(1, steps / threads);
    seconds_ += Seconds([&] {
      std::vector<std::thread> workers;
      for (int w = 0; w < threads; ++w) {
        workers.emplace_back([&, w] {
          mjData* d = data_[w];
          for (int64_t k = 0; k < per_thread; ++k) {
            const size_t t = static_cast<size_t>((position_ + k) % trace_.steps);
            std::copy_n(trace_.qpos.data() + t * m_->nq, m_->nq, d->qpos);
            std::copy_n(trace_.qvel.data() + t * m_->nv, m_->nv, d->qvel);
            std::copy_n(trace_.act.data() + t * m_->na, m_->na, d->act);
            std::copy_n(trace_.ctrl.data() + t * m_->nu, m_->nu, d->ctrl);
            for (int f = 0; f < frame_skip_; ++f) mj_step(m_, d);
          }
        });
      }
      for (std::thread& worker : workers) worker.join();
    });
    position_ += per_thread;
    steps_ += per_thread * threads;
  }
  int64_t steps() const { return steps_; }
  double steps_per_second() const { return static_cast<double>(steps_) / seconds_; }

 private:
  const mjModel* m_;
  const Trace& trace_;
  int frame_skip_;
  std::vector<mjData*> data_;
  int64_t position_ = 0, steps_ = 0;
  double seconds_ = 0.0;
};

// raw stepping of the whole trace on every thread, best of three
double RawEnvStepsPerSecond(const mjModel* m, const Trace& trace, int frame_skip, int threads) {
  RawBursts raw(m, trace, frame_skip, threads);
  const int64_t steps = static_cast<int64_t>(trace.steps) * threads;
  return BestRate(3, static_cast<double>(steps), [&] { raw.Step(steps); });
}

double VecEnvStepsPerSecond(VecEnv& env, int iterations) {
  const std::vector<float> actions = RandomActions(env.action_space(), env.num_envs() * 64, 1);
  env.Reset();
  auto run = [&] {
    for (int t = 0; t < iterations; ++t) {
      env.Step(actions.data() + static_cast<size_t>(t % 64) * env.num_envs() * env.action_size());
    }
  };
  return BestRate(3, static_cast<double>(iterations) * env.num_envs(), run);
}

int BenchEnv(const Args& args) {
  args.ExpectAtMost(2);
  const std::string name = args.positionals().size() > 1 ? args.positionals()[1] : "biped";
  const int steps = static_cast<int>(args.Int("--steps").value_or(20'000));
  const int num_envs = static_cast<int>(args.Int("--envs").value_or(16));
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  PluginRegistry registry;
  registry.LoadSearchPath(PluginRegistry::SearchPath({}));
  const Params params =
      ParsePluginParams(PluginKind::kEnvironment, name, args.Values("--set"), registry);
  auto make = [&] { return registry.MakeEnvironment(name, params); };

  std::unique_ptr<Environment> env = make();
  const mjModel* model = reinterpret_cast<const mjModel*>(env->mujoco_model());
  if (!model) throw ConfigError(fmt::format("bench env: '{}' is not a MuJoCo environment", name));
  const int frame_skip = static_cast<int>(std::lround(env->dt() / model->opt.timestep));
  std::printf("environment %s: %d mj_step per env step (timestep %g s), %d cores\n", name.c_str(),
              frame_skip, model->opt.timestep, cores);

  // one thread: the environment's Step against raw mj_step over the same states
  const std::vector<float> actions = RandomActions(env->action_space(), steps, 2);
  const Trace trace = RecordTrace(*env, actions, steps);
  const double raw1 = RawEnvStepsPerSecond(model, trace, frame_skip, 1);
  std::vector<float> obs(env->observation_space().size());
  std::vector<double> signals(env->signal_names().size());
  const double env1 = BestRate(3, steps, [&] {
    env->Reset(0, obs.data());
    for (int t = 0; t < steps; ++t) {
      const StepResult r =
          env->Step(actions.data() + static_cast<size_t>(t) * env->action_space().size(),
                    obs.data(), signals.data());
      if (r.terminated || r.truncated) env->Reset(t + 1, obs.data());
    }
  });

  // vectorized: one worker against all cores
  auto vec = [&](int workers) {
    std::vector<std::unique_ptr<Environment>> envs;
    for (int i = 0; i < num_envs; ++i) envs.push_back(make());
    VecEnv vec_env(std::move(envs),
                   std::make_shared<const RewardFunction>(std::vector<RewardFunction::Term>{},
                                                          env->signal_names()),
                   0, workers);
    return VecEnvStepsPerSecond(vec_env, std::max(1, steps / num_envs));
  };
  const double vec1 = vec(1);
  const double vec_all = vec(cores);
  const double raw_all = RawEnvStepsPerSecond(model, trace, frame_skip, cores);

  std::printf("%-42s %10.0f env steps/s\n", "raw mj_step (same states), 1 thread", raw1);
  std::printf("%-42s %10.0f env steps/s  %.3f of raw (overhead %.1f%%)\n",
              "Environment::Step, 1 thread", env1, env1 / raw1, 100.0 * (1.0 - env1 / raw1));
  std::printf("%-42s %10.0f env steps/s  %.3f of raw\n",
              fmt::format("VecEnv {} envs, 1 worker", num_envs).c_str(), vec1, vec1 / raw1);
  std::printf("%-42s %10.0f env steps/s\n", fmt::format("raw mj_step, {} threads", cores).c_str(),
              raw_all);
  std::printf("%-42s %10.0f env steps/s  %.3f of raw, %.2fx one worker\n",
              fmt::format("VecEnv {} envs, {} workers", num_envs, cores).c_str(), vec_all,
              vec_all / raw_all, vec_all / vec1);
  return 0;
}

// the data rows of a CSV file
int64_t CountRows(const fs::path& csv) {
  std::ifstream in(csv);
  int64_t rows = -1;
  for (std::string line; std::getline(in, line);) ++rows;
  return std::max<int64_t>(rows, 0);
}

double LastColumn(const fs::path& csv, const std::string& column) {
  std::ifstream in(csv);
  std::string header, line, last;
  std::getline(in, header);
  while (std::getline(in, line)) last = line;
  std::vector<std::string> names, values;
  std::stringstream h(header), v(last);
  for (std::string cell; std::getline(h, cell, ',');) names.push_back(cell);
  for (std::string cell; std::getline(v, cell, ',');) values.push_back(cell);
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (names[i] == column) return std::stod(values[i]);
  }
  throw RuntimeError(fmt::format("{} has no column '{}'", csv.string(), column));
}

int BenchTrain(const Args& args) {
  args.ExpectAtMost(2);
  const std::string& path = args.Positional(1, "experiment file");
  const int64_t steps = args.Int("--steps").value_or(100'000);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ConfigureTorch();
  PluginRegistry registry;
  std::vector<std::string> overrides = args.Values("--set");
  overrides.push_back(fmt::format("experiment.total_steps={}", steps));
  overrides.push_back("experiment.checkpoint_every_steps=0");
  overrides.push_back("evaluation.every_steps=0");
  overrides.push_back("evaluation.episodes=1");
  const Experiment experiment =
      LoadExperiment(path, overrides, registry, args.Value("--variant").value_or(""));

  // raw stepping of the same model on every core, a tenth as many steps as
  // training took, run between updates in bursts long enough to warm up, so
  // that both rates see the machine at the same moments; what a short run
  // leaves owing runs after it, and a data-parallel run's before and after it
  std::unique_ptr<Environment> env =
      registry.MakeEnvironment(experiment.environment.plugin, experiment.environment.params);
  const mjModel* model = reinterpret_cast<const mjModel*>(env->mujoco_model());
  if (!model) throw ConfigError("bench train: the experiment's environment is not a MuJoCo model");
  const int frame_skip = static_cast<int>(std::lround(env->dt() / model->opt.timestep));
  const Trace trace = RecordTrace(*env, RandomActions(env->action_space(), 20'000, 2), 20'000);
  RawBursts raw_bursts(model, trace, frame_skip, cores);
  constexpr int64_t kBurst = 16'000;
  int64_t owed = 0;

  const fs::path out = fs::temp_directory_path() / fmt::format("stride-bench-{}", getpid());
  RunOptions options;
  options.output_dir = out.string();
  options.seed = experiment.seeds.front();
  options.force = true;
  std::unique_ptr<ProcessGroup> group;
  if (args.Flag("--distributed")) {
    // every rank trains its share; rank 0 measures
    group = ConnectGlooGroup(DetectLaunch(), std::chrono::seconds(300));
    options.group = group.get();
    if (group->rank() != 0) {
      FollowDataParallelRun(registry, options);
      return 0;
    }
    raw_bursts.Step(kBurst);
  } else {
    options.between_updates = [&](int64_t update_steps) {
      owed += update_steps / 10;
      if (owed < kBurst) return;
      PhaseTimer timer(kRawPhase);
      raw_bursts.Step(owed);
      owed = 0;
    };
  }
  ResetPhaseTimes();
  double wall = Seconds([&] {
    if (!group) {
      RunExperiment(experiment, registry, options);
      return;
    }
    const PlannedRun run = PlanRuns({experiment}, options).front();
    LeadDataParallelRun(run.dir, &run, registry, options);
  });
  std::vector<std::pair<std::string, double>> phases = PhaseTimes();
  const fs::path run_dir = RunDirectory(experiment, out.string(), *options.seed);
  const double train = LastColumn(run_dir / "metrics.csv", "steps_per_second");
  const double updates = static_cast<double>(CountRows(run_dir / "metrics.csv"));
  fs::remove_all(out);
  const bool between_updates = raw_bursts.steps() > 0 && !group;
  if (raw_bursts.steps() < kBurst || group) raw_bursts.Step(std::max(owed, kBurst));
  const double raw = raw_bursts.steps_per_second();
  // the raw bursts are no part of the training's time
  for (auto it = phases.begin(); it != phases.end(); ++it) {
    if (it->first != kRawPhase) continue;
    wall -= it->second;
    phases.erase(it);
    break;
  }
  const int ranks = group ? group->world_size() : 1;
  std::printf("cpu: %s (%s); kernel path %s, arithmetic %s\n", CpuModel().c_str(),
              CpuVectorExtensions().c_str(), KernelPathName(ActiveKernelPath()),
              ArithmeticPinned() ? "pinned" : "as loaded");
  std::printf("%-44s %10.0f env steps/s\n",
              fmt::format("training ({} steps, {} envs, {} workers{})", steps, experiment.num_envs,
                          experiment.num_workers,
                          ranks > 1 ? fmt::format(" per rank, {} ranks", ranks) : "")
                  .c_str(),
              train);
  std::printf("%-44s %10.0f env steps/s\n",
              fmt::format("raw mj_step, {} threads, {}", cores,
                          between_updates ? "between updates"
                          : group         ? "before and after training"
                                          : "after training")
                  .c_str(),
              raw);
  std::printf("training / raw: %.3f\n", train / raw);

  // where the wall-clock time of the run went
  std::printf("\nwhere the time goes (%.1f s wall-clock):\n", wall);
  double accounted = 0.0;
  for (const auto& [phase, seconds] : phases) {
    std::printf("  %-40s %8.2f s  %5.1f%%\n", phase.c_str(), seconds, 100.0 * seconds / wall);
    accounted += seconds;
  }
  std::printf("  %-40s %8.2f s  %5.1f%%\n", "other (setup, run bookkeeping)", wall - accounted,
              100.0 * (wall - accounted) / wall);
  for (const auto& [phase, seconds] : phases) {
    if (phase == "communication") {
      std::printf("communication per update (rank 0): %.2f ms over %.0f updates\n",
                  1e3 * seconds / updates, updates);
    }
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak resident memory: %.0f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}

}  // namespace

int BenchCommand(const Argv& argv, const std::string& /*command_line*/) {
  const Args args("bench", argv, {"--set=", "--steps=", "--envs=", "--variant=", "--distributed"});
  const std::string& what = args.Positional(0, "what to benchmark (env or train)");
  if (what == "env") return BenchEnv(args);
  if (what == "train") return BenchTrain(args);
  throw ConfigError(
      fmt::format("stride bench: unknown benchmark '{}'; expected env or train", what));
}

}  // namespace stride::cli
