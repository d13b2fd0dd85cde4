// stride check-env NAME [--set key=value]...
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "stride/env_checker.h"
#include "stride/experiment.h"
#include "stride/registry.h"

namespace stride::cli {

int CheckEnvCommand(const Argv& argv, const std::string& /*command_line*/) {
  const Args args("check-env", argv, {"--set=", "--steps=", "--seed="});
  args.ExpectAtMost(1);
  const std::string& name = args.Positional(0, "environment plugin name");
  PluginRegistry registry;
  registry.LoadSearchPath(PluginRegistry::SearchPath({}));
  const Params params =
      ParsePluginParams(PluginKind::kEnvironment, name, args.Values("--set"), registry);
  const int steps = static_cast<int>(args.Int("--steps").value_or(20'000));
  const uint64_t seed = static_cast<uint64_t>(args.Int("--seed").value_or(0));

  const EnvCheckReport report =
      CheckEnvironment([&] { return registry.MakeEnvironment(name, params); }, steps, seed);
  for (const std::string& line : report.passed) std::printf("  ok    %s\n", line.c_str());
  for (const std::string& line : report.failures) std::printf("  FAIL  %s\n", line.c_str());
  for (const std::string& line : report.warnings) std::printf("  warn  %s\n", line.c_str());
  std::printf(
      "%s: %zu checks passed, %zu failed; %d random episodes (%d terminated, %d truncated)\n",
      name.c_str(), report.passed.size(), report.failures.size(), report.episodes,
      report.terminated, report.truncated);
  return report.ok() ? 0 : 1;
}

}  // namespace stride::cli
