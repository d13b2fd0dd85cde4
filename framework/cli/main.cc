// stride: train, evaluate and inspect reinforcement-learning experiments.
#include <mujoco/mujoco.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "stride/build_info.h"
#include "stride/error.h"
#include "stride/suggest.h"

namespace {

constexpr char kUsage[] = R"(usage: stride <command> [arguments]

commands:
  run FILE [--set key.path=value]... [--seed N] [--out DIR] [--force]
                                  train every seed of an experiment
  run --resume RUN_DIR            continue an interrupted run from its checkpoint
  validate FILE [--set ...]       check an experiment and its plugins; runs nothing
  plugins                         list every plugin by kind, with its library
  plugins describe NAME           a plugin's parameters: type, default, range, doc
  check-env NAME [--set k=v]...   check an environment plugin's contract
  bench env [NAME] [--set k=v]... environment steps/s against raw MuJoCo stepping
  bench train FILE [--steps N]    training steps/s against raw MuJoCo stepping
  export RUN_DIR [--out FILE]     TorchScript policy of a run's last checkpoint
  eval RUN_DIR|POLICY [--episodes N]
                                  deterministic episodes: return, distance, falls
  new KIND NAME [--dir DIR]       a plugin project (KIND: reward, environment or
                                  algorithm) that builds against this stride's SDK

options for every command:
  --help                          this text
  --version                       stride and library versions

Plugins are searched in the experiment's plugin_dirs, then STRIDE_PLUGIN_PATH
(colon-separated), then the plugin directory installed beside this executable.
Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
)";

int Dispatch(const std::vector<std::string>& args, const std::string& command_line) {
  using namespace stride::cli;
  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string& command = args[0];
  const Argv rest(args.begin() + 1, args.end());
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  if (command == "--version") {
    std::printf("stride %s\n", STRIDE_VERSION);
    for (const auto& [name, version] : LibraryVersions()) {
      std::printf("%s %s\n", name.c_str(), version.c_str());
    }
    return 0;
  }
  if (command == "run") return RunCommand(rest, command_line);
  if (command == "validate") return ValidateCommand(rest);
  if (command == "plugins") return PluginsCommand(rest);
  if (command == "check-env") return CheckEnvCommand(rest);
  if (command == "bench") return BenchCommand(rest);
  if (command == "export") return ExportCommand(rest);
  if (command == "eval") return EvalCommand(rest);
  if (command == "new") return NewCommand(rest);
  const std::vector<std::string> commands = {"run",   "validate", "plugins", "check-env",
                                             "bench", "export",   "eval"};
  throw stride::ConfigError(fmt::format("unknown command '{}'{}; see stride --help", command,
                                        stride::DidYouMean(command, commands)));
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
    return Dispatch(args, command_line);
  } catch (const stride::ConfigError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
