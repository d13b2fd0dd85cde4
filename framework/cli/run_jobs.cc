#include "run_jobs.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "stride/error.h"

extern char** environ;

namespace stride::cli {
namespace {

int Cores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

int ThreadsAsked(const PlannedRun& run, const RunOptions& options) {
  if (options.num_workers > 0) return options.num_workers;
  return std::max<int>(1, static_cast<int>(run.experiment.num_workers));
}

// `stride run --resume DIR --workers N` as a child of this process, which
// takes over this process's lock on DIR
pid_t Spawn(const std::string& run_dir, int workers, RunLock& lock) {
  std::vector<std::string> words = {"stride", "run",       "--resume",
                                    run_dir,  "--workers", std::to_string(workers)};
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  // a stop that arrives before the child installs its handlers waits for them
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  posix_spawnattr_setsigmask(&attributes, &stop_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  std::string hand_over = lock.HandOver();
  std::vector<char*> environment = {hand_over.data()};
  for (char** entry = environ; *entry; ++entry) environment.push_back(*entry);
  environment.push_back(nullptr);
  pid_t pid = 0;
  const int error =
      posix_spawn(&pid, "/proc/self/exe", nullptr, &attributes, argv.data(), environment.data());
  posix_spawnattr_destroy(&attributes);
  if (error == 0) lock.ReleaseToChild();
  if (error != 0) {
    throw RuntimeError(
        fmt::format("cannot start a process for run '{}': {}", run_dir, std::strerror(error)));
  }
  return pid;
}

}  // namespace

int DefaultJobs(const std::vector<PlannedRun>& runs, const RunOptions& options) {
  int pending = 0, threads = 1;
  for (const PlannedRun& run : runs) {
    if (run.action == RunAction::kSkip) continue;
    ++pending;
    threads = std::max(threads, ThreadsAsked(run, options));
  }
  return std::clamp(Cores() / threads, 1, std::max(pending, 1));
}

int WorkersPerRun(const PlannedRun& run, int jobs, const RunOptions& options) {
  if (options.num_workers > 0) return options.num_workers;
  if (run.experiment.num_workers > 0) return static_cast<int>(run.experiment.num_workers);
  return std::max(1, Cores() / std::max(jobs, 1));
}

int RunJobs(const std::vector<PlannedRun>& runs, int jobs, const PluginRegistry& registry,
            const RunOptions& options) {
  std::vector<const PlannedRun*> queue;
  for (const PlannedRun& run : runs) {
    if (run.action != RunAction::kSkip) queue.push_back(&run);
  }
  std::vector<RunLock> locks = LockRuns(runs);
  std::map<pid_t, const PlannedRun*> running;
  std::vector<std::string> failed;
  size_t next = 0;
  bool forwarded = false;
  while ((next < queue.size() && !StopRequested()) || !running.empty()) {
    // start runs while there is room and no stop was asked for
    while (!StopRequested() && running.size() < static_cast<size_t>(jobs) && next < queue.size()) {
      RunLock& lock = locks[next];
      const PlannedRun& run = *queue[next++];
      if (run.action == RunAction::kStart) PrepareRun(run, registry, options);
      running[Spawn(run.dir, WorkersPerRun(run, jobs, options), lock)] = &run;
    }
    // a stop asked of this process reaches every child once
    if (StopRequested() && !forwarded) {
      for (const auto& [pid, run] : running) kill(pid, SIGINT);
      forwarded = true;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (pid < 0) throw RuntimeError(fmt::format("waiting for runs: {}", std::strerror(errno)));
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0 && !StopRequested()) {
      failed.push_back(fmt::format("{} (exit code {})", it->second->dir, code));
    }
    running.erase(it);
  }

  if (!failed.empty()) {
    std::fprintf(stderr, "%zu of %zu runs failed:\n", failed.size(), queue.size());
    for (const std::string& run : failed) std::fprintf(stderr, "  %s\n", run.c_str());
    return 1;
  }
  if (StopRequested()) {
    std::fprintf(stderr, "stopped; run the same command again to resume\n");
    return StopExitCode();
  }
  return 0;
}

}  // namespace stride::cli
