// stride plugins, stride plugins describe NAME [--markdown]
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "stride/environment.h"
#include "stride/error.h"
#include "stride/experiment.h"
#include "stride/registry.h"
#include "stride/suggest.h"

namespace stride::cli {
namespace {

void PrintParams(const std::vector<ParamSpec>& specs) {
  for (const ParamSpec& spec : specs) {
    const std::string value =
        spec.default_value ? FormatParamValue(*spec.default_value) : "(required)";
    const std::string allowed = DescribeAllowed(spec);
    std::printf("  %-24s %-18s %-14s %s%s\n", spec.name.c_str(), ParamTypeName(spec.type),
                value.c_str(), spec.doc.c_str(),
                allowed.empty() ? "" : fmt::format(" [{}]", allowed).c_str());
  }
}

// the metrics and perturbations an instance with the default parameters declares
void PrintEpisodeMetrics(const PluginRegistry& registry, const std::string& name) {
  const Params defaults = ParsePluginParams(PluginKind::kEnvironment, name, {}, registry);
  const std::unique_ptr<Environment> env = registry.MakeEnvironment(name, defaults);
  const std::vector<EpisodeMetric> metrics = env->episode_metrics();
  std::printf("\nepisode metrics (evaluation.success names them, and return):\n");
  if (metrics.empty()) std::printf("  none\n");
  for (const EpisodeMetric& metric : metrics) {
    const std::string reduction =
        fmt::format("{} of {}", AggregateName(metric.aggregate), metric.signal);
    std::printf("  %-24s %-33s %s\n", metric.name.c_str(), reduction.c_str(), metric.doc.c_str());
  }
  std::printf("\nperturbations (evaluation.robustness, environment.randomize, eval --perturb):\n");
  if (env->perturbations().empty()) std::printf("  none\n");
  for (const Perturbation& p : env->perturbations()) {
    const std::string range = fmt::format("{:g} [{:g}, {:g}]", p.neutral, p.min, p.max);
    std::printf("  %-24s %-18s %s\n", p.name.c_str(), range.c_str(), p.doc.c_str());
  }
}

int Describe(const PluginRegistry& registry, const std::string& name, bool markdown) {
  std::vector<const RegisteredPlugin*> found;
  std::vector<std::string> names;
  for (const RegisteredPlugin& plugin : registry.plugins()) {
    names.push_back(plugin.entry->name);
    if (plugin.entry->name == name) found.push_back(&plugin);
  }
  if (found.empty()) {
    throw ConfigError(
        fmt::format("unknown plugin '{}'{}; see stride plugins", name, DidYouMean(name, names)));
  }
  for (const RegisteredPlugin* plugin : found) {
    const PluginEntry& entry = *plugin->entry;
    // the table of its README
    if (markdown) {
      std::fputs(ParamTable(entry.params).c_str(), stdout);
      continue;
    }
    const char* table = entry.kind() == PluginKind::kEnvironment ? "[environment]"
                        : entry.kind() == PluginKind::kReward    ? "[[reward]]"
                                                                 : "[algorithm]";
    std::printf("%s (%s plugin, %s)\n  %s\n\n", entry.name.c_str(), PluginKindName(entry.kind()),
                plugin->library.c_str(), entry.summary.c_str());
    std::printf("parameters of its %s table:\n", table);
    std::printf("  %-24s %-18s %-14s %s\n", "name", "type", "default", "meaning");
    PrintParams(entry.kind() == PluginKind::kEnvironment ? EnvironmentTableSpec()
                : entry.kind() == PluginKind::kReward    ? RewardTableSpec()
                                                         : AlgorithmTableSpec());
    PrintParams(entry.params);
    if (entry.kind() == PluginKind::kEnvironment) PrintEpisodeMetrics(registry, entry.name);
  }
  return 0;
}

}  // namespace

int PluginsCommand(const Argv& argv, const std::string& /*command_line*/) {
  const Args args("plugins", argv, {"--markdown"});
  PluginRegistry registry;
  registry.LoadSearchPath(PluginRegistry::SearchPath({}));
  if (!args.positionals().empty()) {
    if (args.positionals()[0] != "describe") {
      throw ConfigError(
          fmt::format("stride plugins: unknown subcommand '{}'; expected describe NAME",
                      args.positionals()[0]));
    }
    args.ExpectAtMost(2);
    return Describe(registry, args.Positional(1, "plugin name"), args.Flag("--markdown"));
  }
  for (PluginKind kind : {PluginKind::kEnvironment, PluginKind::kReward, PluginKind::kAlgorithm}) {
    std::printf("%s plugins:\n", PluginKindName(kind));
    for (const std::string& name : registry.Names(kind)) {
      const RegisteredPlugin& plugin = registry.Find(kind, name);
      std::printf("  %-18s %s\n  %-18s   %s\n", name.c_str(), plugin.entry->summary.c_str(), "",
                  plugin.library.c_str());
    }
  }
  return 0;
}

}  // namespace stride::cli
