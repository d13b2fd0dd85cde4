// The stride commands, each given its arguments and the whole command line
// (recorded by those that write runs or reports). Each returns the process
// exit code or throws ConfigError (exit 2) / any other exception (exit 1).
#ifndef STRIDE_CLI_COMMANDS_H_
#define STRIDE_CLI_COMMANDS_H_

#include <map>
#include <string>
#include <vector>

namespace stride::cli {

using Argv = std::vector<std::string>;

int RunCommand(const Argv& argv, const std::string& command_line);
int ValidateCommand(const Argv& argv, const std::string& command_line);
int PluginsCommand(const Argv& argv, const std::string& command_line);
int CheckEnvCommand(const Argv& argv, const std::string& command_line);
int BenchCommand(const Argv& argv, const std::string& command_line);
int ExportCommand(const Argv& argv, const std::string& command_line);
int EvalCommand(const Argv& argv, const std::string& command_line);
int CompareCommand(const Argv& argv, const std::string& command_line);
int RenderCommand(const Argv& argv, const std::string& command_line);
int ViewCommand(const Argv& argv, const std::string& command_line);
int NewCommand(const Argv& argv, const std::string& command_line);
int SubmitCommand(const Argv& argv, const std::string& command_line);
int StatusCommand(const Argv& argv, const std::string& command_line);

// the libraries stride is linked against, for --version and manifest.json
std::map<std::string, std::string> LibraryVersions();
// one torch thread: at these network sizes LibTorch is dominated by per-op overhead
void ConfigureTorch();

}  // namespace stride::cli

#endif  // STRIDE_CLI_COMMANDS_H_
