// stride status: every run under a run root, new, running (where),
// interrupted, finished or failed (how), with the Slurm task it belongs to.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "stride/error.h"
#include "stride/run_lock.h"

namespace stride::cli {
namespace {

namespace fs = std::filesystem;

// the record a Slurm task leaves in its run directory (slurm_command.cc):
// "job J task T host H log L", then "exit N" when stride has returned
struct SlurmTask {
  std::string job, task, host, log;
  std::optional<int> exit_code;
};

std::optional<SlurmTask> ReadSlurmTask(const fs::path& run_dir) {
  std::ifstream in(run_dir / "slurm_task");
  if (!in) return std::nullopt;
  SlurmTask task;
  std::string word;
  while (in >> word) {
    if (word == "job") in >> task.job;
    if (word == "task") in >> task.task;
    if (word == "host") in >> task.host;
    if (word == "log") in >> task.log;
    if (word == "exit") {
      int code = 0;
      in >> code;
      task.exit_code = code;
    }
  }
  return task;
}

// the last "error: ..." line of a log, or ""
std::string LastErrorLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.rfind("error: ", 0) == 0) last = line;
  }
  return last;
}

// a stopped run exits with 128 + its signal and resumes; any other non-zero exit failed
bool Failed(int exit_code) { return exit_code != 0 && exit_code != 130 && exit_code != 143; }

struct RunState {
  std::string state, detail;
};

RunState StateOf(const fs::path& dir, const std::optional<SlurmTask>& task) {
  std::error_code ec;
  if (fs::exists(dir / "policy.pt", ec)) return {"finished", ""};
  if (const auto holder = RunLockHolder(dir.string())) return {"running", "by " + *holder};
  if (task && task->exit_code && Failed(*task->exit_code)) {
    const std::string error = LastErrorLine(task->log);
    return {"failed", fmt::format("exit {}{}; log {}", *task->exit_code,
                                  error.empty() ? "" : ": " + error, task->log)};
  }
  if (fs::exists(dir / "checkpoints" / "checkpoint.pt", ec)) {
    return {"interrupted", "resumes from its checkpoint"};
  }
  return {"new", ""};
}

}  // namespace

int StatusCommand(const Argv& argv, const std::string& /*command_line*/) {
  const Args args("status", argv, {});
  args.ExpectAtMost(1);
  const fs::path root = args.Positional(0, "run root (a directory of runs, e.g. runs/NAME)");
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw ConfigError(fmt::format("'{}' is not a directory", root.string()));
  }

  // every run directory below the root, or the root itself
  std::vector<fs::path> dirs;
  if (fs::exists(root / "config.toml")) dirs.push_back(root);
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory() && fs::exists(it->path() / "config.toml")) dirs.push_back(it->path());
  }
  if (dirs.empty()) {
    throw ConfigError(
        fmt::format("'{}' holds no run directories (none has a config.toml)", root.string()));
  }
  std::sort(dirs.begin(), dirs.end());

  std::map<std::string, int> counts;
  std::printf("%-36s %-12s %-14s %s\n", "run", "state", "slurm task", "detail");
  for (const fs::path& dir : dirs) {
    const std::optional<SlurmTask> task = ReadSlurmTask(dir);
    const RunState state = StateOf(dir, task);
    ++counts[state.state];
    const std::string name = dir == root ? "." : fs::relative(dir, root).string();
    const std::string slurm = task ? task->job + "_" + task->task : "-";
    std::printf("%-36s %-12s %-14s %s\n", name.c_str(), state.state.c_str(), slurm.c_str(),
                state.detail.c_str());
  }
  std::vector<std::string> summary;
  for (const char* state : {"finished", "running", "interrupted", "failed", "new"}) {
    if (counts[state] > 0) summary.push_back(fmt::format("{} {}", counts[state], state));
  }
  std::printf("%zu runs: %s\n", dirs.size(), fmt::format("{}", fmt::join(summary, ", ")).c_str());
  return 0;
}

}  // namespace stride::cli
