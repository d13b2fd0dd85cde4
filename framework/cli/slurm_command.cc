// stride submit: a sweep as one Slurm job array, one task per run; stride
// status: where every run of a sweep stands.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "experiment_args.h"
#include "stride/durable_file.h"
#include "stride/error.h"
#include "stride/run_lock.h"
#include "stride/runner.h"

namespace stride::cli {
namespace {

namespace fs = std::filesystem;

// what the job array asks of Slurm
struct SlurmRequest {
  std::string job_name;
  std::vector<std::string> run_dirs;
  std::string log_dir;
  std::string stride;
  int cpus_per_task = 1;
  int max_parallel = 0;
  std::string partition, time;
  std::vector<std::string> sbatch_args;
};

// 'text' for bash, quotes inside closed and reopened
std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// the directory that holds a planned run: runs/<experiment>/
fs::path RunRoot(const PlannedRun& run) {
  const fs::path dir = fs::absolute(run.dir);
  return run.experiment.variant.empty() ? dir.parent_path() : dir.parent_path().parent_path();
}

// each task trains its run from its checkpoint if it has one, so a requeued or
// resubmitted task resumes and a finished run is skipped
std::string SbatchScript(const SlurmRequest& r, const std::string& origin) {
  std::string s = "#!/bin/bash\n";
  s += fmt::format("# {}: {} runs, one per array task\n", origin, r.run_dirs.size());
  s += fmt::format("#SBATCH --job-name={}\n", r.job_name);
  s += fmt::format("#SBATCH --array=0-{}{}\n", r.run_dirs.size() - 1,
                   r.max_parallel > 0 ? fmt::format("%{}", r.max_parallel) : "");
  s += fmt::format("#SBATCH --cpus-per-task={}\n", r.cpus_per_task);
  s += fmt::format("#SBATCH --output={}/%A_%a.log\n", r.log_dir);
  s += "#SBATCH --open-mode=append\n#SBATCH --requeue\n";
  if (!r.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", r.partition);
  if (!r.time.empty()) s += fmt::format("#SBATCH --time={}\n", r.time);
  for (const std::string& arg : r.sbatch_args) s += fmt::format("#SBATCH {}\n", arg);
  s += "\nruns=(\n";
  for (const std::string& dir : r.run_dirs) s += "  " + ShellQuote(dir) + "\n";
  s += ")\nrun=${runs[$SLURM_ARRAY_TASK_ID]}\n";
  s += fmt::format("log={}/${{SLURM_ARRAY_JOB_ID}}_${{SLURM_ARRAY_TASK_ID}}.log\n",
                   ShellQuote(r.log_dir));
  s += R"sh(
# which task trains the run, for stride status
printf 'job %s task %s host %s log %s\n' "$SLURM_ARRAY_JOB_ID" "$SLURM_ARRAY_TASK_ID" \
  "$(hostname)" "$log" > "$run/slurm_task"
if [ -f "$run/policy.pt" ]; then
  echo "$run has finished"
  exit 0
fi

# stop signals (scancel, preemption) go on to stride, which checkpoints first
)sh";
  s += ShellQuote(r.stride) + " run --resume \"$run\" --workers \"$SLURM_CPUS_PER_TASK\" &\n";
  s += R"sh(pid=$!
trap 'kill -TERM $pid' TERM
trap 'kill -INT $pid' INT
wait $pid
status=$?
while kill -0 $pid 2>/dev/null; do
  wait $pid
  status=$?
done
printf 'exit %d\n' "$status" >> "$run/slurm_task"
exit $status
)sh";
  return s;
}

// the executable named program on PATH, or ""
std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

// sbatch's job id for the script; RuntimeError with sbatch's own words if it refuses
std::string Sbatch(const std::string& sbatch, const std::string& script) {
  const std::string command = ShellQuote(sbatch) + " --parsable " + ShellQuote(script) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw RuntimeError(fmt::format("cannot run {}", sbatch));
  std::string output;
  char buffer[4096];
  while (const size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  if (status != 0) {
    throw RuntimeError(fmt::format("sbatch refused {}: {}", script, output));
  }
  // --parsable prints "jobid" or "jobid;cluster" last, after any warnings
  const std::string last = output.substr(output.rfind('\n') + 1);
  return last.substr(0, last.find(';'));
}

std::string Timestamp() {
  const std::time_t now = std::time(nullptr);
  char text[32] = {};
  std::strftime(text, sizeof(text), "%Y%m%d-%H%M%S", std::localtime(&now));
  return text;
}

}  // namespace

int SubmitCommand(const Argv& argv, const std::string& command_line) {
  const Args args("submit", argv,
                  {"--set=", "--variant=", "--seed=", "--out=", "--slurm", "--partition=",
                   "--time=", "--max-parallel=", "--sbatch-arg=", "--workers=", "--dry-run"});
  args.ExpectAtMost(1);
  if (!args.Flag("--slurm")) {
    throw ConfigError("stride submit needs a scheduler: --slurm (submits one Slurm job array)");
  }
  PluginRegistry registry;
  const std::vector<Experiment> experiments = LoadSelected(args, registry);
  RunOptions options;
  options.command = command_line;
  options.versions = LibraryVersions();
  options.seed = args.Int("--seed");
  options.output_dir = args.Value("--out").value_or("");
  const std::vector<PlannedRun> planned = PlanRuns(experiments, options);
  std::vector<PlannedRun> runs;
  for (const PlannedRun& run : planned) {
    if (run.action != RunAction::kSkip) runs.push_back(run);
  }
  if (runs.empty()) {
    std::fprintf(stderr, "all %zu runs have finished; nothing to submit\n", planned.size());
    return 0;
  }

  // one task per run, each with the threads its run asks for (the most any asks)
  SlurmRequest request;
  request.job_name = "stride-" + runs.front().experiment.name;
  for (const PlannedRun& run : runs) {
    request.run_dirs.push_back(fs::absolute(run.dir).lexically_normal().string());
    request.cpus_per_task =
        std::max(request.cpus_per_task, static_cast<int>(run.experiment.num_workers));
  }
  if (const int workers = PositiveOption(args, "--workers")) request.cpus_per_task = workers;
  request.max_parallel = PositiveOption(args, "--max-parallel");
  request.partition = args.Value("--partition").value_or("");
  request.time = args.Value("--time").value_or("");
  request.sbatch_args = args.Values("--sbatch-arg");
  request.stride = fs::read_symlink("/proc/self/exe").string();
  const fs::path root = RunRoot(runs.front());
  request.log_dir = (root / "slurm").string();
  const std::string origin = "stride submit " + args.positionals()[0];
  if (args.Flag("--dry-run")) {
    std::fputs(SbatchScript(request, origin).c_str(), stdout);
    return 0;
  }
  const std::string sbatch = FindOnPath("sbatch");
  if (sbatch.empty()) {
    throw ConfigError(
        "sbatch is not on PATH: stride submit --slurm submits through Slurm's sbatch (--dry-run "
        "prints the script without it)");
  }

  // fresh run directories are made before any task starts; a run held by a
  // live process is refused here, before anything is submitted
  {
    const std::vector<RunLock> locks = LockRuns(runs);
    for (const PlannedRun& run : runs) {
      if (run.action == RunAction::kStart) PrepareRun(run, registry, options);
    }
  }
  const std::string script = (root / "slurm" / ("submit_" + Timestamp() + ".sh")).string();
  fs::create_directories(root / "slurm");
  WriteFileAtomically(script, SbatchScript(request, origin));
  const std::string job = Sbatch(sbatch, script);
  std::printf(
      "submitted job %s: %zu runs as array tasks 0-%zu%s; script %s; logs %s/%s_<task>.log\n",
      job.c_str(), runs.size(), runs.size() - 1,
      request.max_parallel > 0 ? fmt::format(", at most {} at once", request.max_parallel).c_str()
                               : "",
      script.c_str(), request.log_dir.c_str(), job.c_str());
  std::printf("progress: stride status %s\n", root.string().c_str());
  return 0;
}

}  // namespace stride::cli
