// stride: train, evaluate and inspect reinforcement-learning experiments.
#include <mujoco/mujoco.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "stride/build_info.h"
#include "stride/cpu.h"
#include "stride/error.h"
#include "stride/suggest.h"

namespace {

// a command: its name, its lines in `stride --help`, and what runs it
struct Command {
  const char* name;
  const char* usage;
  int (*run)(const stride::cli::Argv& args, const std::string& command_line);
};

const Command kCommands[] = {
    {"run",
     R"(  run FILE [--set key.path=value]... [--variant NAME] [--seed N] [--out DIR]
      [--jobs N] [--workers N] [--force]
                                  train every variant and seed of an experiment;
                                  finished runs are skipped, interrupted ones
                                  resumed; --jobs runs at once (default: what
                                  the cores allow), --workers env threads each
  run --resume RUN_DIR [--workers N]
                                  continue an interrupted run from its checkpoint
  run FILE|--resume RUN_DIR --distributed [--timeout SECONDS] [...]
                                  one run data-parallel over the ranks srun,
                                  mpirun or RANK/WORLD_SIZE started (ppo);
                                  rank 0 writes the run, a rank that dies or
                                  hangs past the timeout (300 s) ends it
)",
     stride::cli::RunCommand},
    {"submit",
     R"(  submit FILE --slurm [--set ...] [--variant NAME] [--seed N] [--out DIR]
         [--partition P] [--time T] [--max-parallel K] [--sbatch-arg ARG]...
         [--workers N] [--dry-run]
                                  submit the runs that have not finished as one
                                  Slurm job array, a task per run (--dry-run
                                  prints the sbatch script instead)
)",
     stride::cli::SubmitCommand},
    {"status",
     R"(  status RUN_ROOT                 every run under a run root: new, running
                                  (where), interrupted, finished or failed, and
                                  its Slurm task
)",
     stride::cli::StatusCommand},
    {"validate",
     R"(  validate FILE [--set ...] [--variant NAME] [--out DIR]
                                  check an experiment and its plugins and list
                                  the runs it expands to; runs nothing
)",
     stride::cli::ValidateCommand},
    {"plugins",
     R"(  plugins                         list every plugin by kind, with its library
  plugins describe NAME [--markdown]
                                  a plugin's parameters: type, default, range,
                                  doc (--markdown: its README's table)
)",
     stride::cli::PluginsCommand},
    {"check-env",
     R"(  check-env NAME [--set k=v]...   check an environment plugin's contract
)",
     stride::cli::CheckEnvCommand},
    {"bench",
     R"(  bench env [NAME] [--set k=v]... environment steps/s against raw MuJoCo stepping
  bench train FILE [--steps N] [--variant NAME] [--distributed]
                                  training steps/s against raw MuJoCo stepping
)",
     stride::cli::BenchCommand},
    {"export",
     R"(  export RUN_DIR [--out FILE]     TorchScript policy of a run's last checkpoint
)",
     stride::cli::ExportCommand},
    {"eval",
     R"(  eval RUN_DIR|POLICY [--episodes N] [--perturb NAME=VALUE]... [--robustness]
                                  deterministic episodes: return, the
                                  environment's episode metrics, success;
                                  under perturbations of the environment, or
                                  the experiment's robustness tests again
)",
     stride::cli::EvalCommand},
    {"compare",
     R"(  compare DIR... [--out DIR] [--reference VARIANT] [--reps N]
                                  report comparing the variants of finished runs:
                                  final return with IQM, bootstrap CIs and
                                  probability of improvement, episode metrics,
                                  time to success, learning curves, reward
                                  terms (report.md + SVG figures;
                                  default --out: the first DIR's report/)
)",
     stride::cli::CompareCommand},
    {"render",
     R"(  render RUN_DIR|POLICY --out FILE.mp4|FILE.gif [--episodes N] [--seconds S]
         [--camera NAME] [--width W] [--height H]
                                  a video of the policy, rendered headless
)",
     stride::cli::RenderCommand},
    {"view",
     R"(  view RUN_DIR|POLICY [--camera NAME]
                                  a window where the policy acts in real time
)",
     stride::cli::ViewCommand},
    {"new",
     R"(  new KIND NAME [--dir DIR]       a plugin project (KIND: reward, environment or
                                  algorithm) that builds against this stride's SDK
)",
     stride::cli::NewCommand},
};

constexpr char kUsageHead[] = R"(usage: stride <command> [arguments]

commands:
)";
constexpr char kUsageTail[] = R"(
options for every command:
  --help                          this text
  --version                       stride and library versions

Plugins are searched in the experiment's plugin_dirs, then STRIDE_PLUGIN_PATH
(colon-separated), then the plugin directory installed beside this executable.
Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
)";

std::string Usage() {
  std::string usage = kUsageHead;
  for (const Command& command : kCommands) usage += command.usage;
  return usage + kUsageTail;
}

int Dispatch(const std::vector<std::string>& args, const std::string& command_line) {
  using namespace stride::cli;
  if (args.empty()) {
    std::fputs(Usage().c_str(), stderr);
    return 2;
  }
  const std::string& command = args[0];
  const Argv rest(args.begin() + 1, args.end());
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::fputs(Usage().c_str(), stdout);
      return 0;
    }
  }
  if (command == "--version") {
    std::printf("stride %s\n", STRIDE_VERSION);
    for (const auto& [name, version] : LibraryVersions()) {
      std::printf("%s %s\n", name.c_str(), version.c_str());
    }
    std::printf("cpu %s (%s), kernel path %s, arithmetic %s\n", stride::CpuModel().c_str(),
                stride::CpuVectorExtensions().c_str(),
                stride::KernelPathName(stride::ActiveKernelPath()),
                stride::ArithmeticPinned() ? "pinned" : "as loaded");
    return 0;
  }
  std::vector<std::string> names;
  for (const Command& entry : kCommands) {
    if (command == entry.name) return entry.run(rest, command_line);
    names.push_back(entry.name);
  }
  throw stride::ConfigError(fmt::format("unknown command '{}'{}; see stride --help", command,
                                        stride::DidYouMean(command, names)));
}

// environments count MuJoCo's warnings in mjData and report them themselves;
// MuJoCo's defaults would print them and append to MUJOCO_LOG.TXT in the working directory
void IgnoreMujocoWarning(const char*) {}
void ExitOnMujocoError(const char* message) {
  std::fprintf(stderr, "error: MuJoCo: %s\n", message);
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  mju_user_warning = IgnoreMujocoWarning;
  mju_user_error = ExitOnMujocoError;
  const std::vector<std::string> args(argv + 1, argv + argc);
  std::string command_line = "stride";
  for (const std::string& arg : args) command_line += " " + arg;
  try {
    // the commands that compute: the same bits on every CPU
    static const std::set<std::string> kComputing = {"run",    "submit", "eval",   "bench",
                                                     "render", "view",   "export", "check-env"};
    if (!args.empty() && kComputing.count(args[0])) stride::PinArithmetic(argv);
    stride::ActiveKernelPath();
    return Dispatch(args, command_line);
  } catch (const stride::ConfigError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
