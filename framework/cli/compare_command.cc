// stride compare: a statistical comparison report of finished runs
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "report.h"
#include "stride/error.h"

namespace stride::cli {

int CompareCommand(const Argv& argv, const std::string& command_line) {
  const Args args("compare", argv, {"--out=", "--reference=", "--reps="});
  if (args.positionals().empty()) {
    throw ConfigError(
        "stride compare: missing result directories, e.g. stride compare "
        "runs/ppo_vs_vpg; see stride compare --help");
  }
  analysis::CompareOptions options;
  options.dirs = args.positionals();
  options.reference = args.Value("--reference").value_or("");
  options.command = command_line;
  const int64_t reps = args.Int("--reps").value_or(50'000);
  if (reps < 100 || reps > 10'000'000) {
    throw ConfigError(
        fmt::format("stride compare: --reps must be between 100 and 10000000, got {}", reps));
  }
  options.reps = static_cast<int>(reps);
  // by default the report sits beside the runs it compares
  options.out_dir = args.Value("--out").value_or(
      (std::filesystem::path(options.dirs.front()) / "report").lexically_normal().string());

  const analysis::Comparison comparison = analysis::WriteComparison(options);
  std::printf("%-32s %5s %20s %28s %22s\n", "variant", "runs", "mean +- std", "IQM [95% CI]",
              "P(> reference)");
  for (const analysis::VariantSummary& s : comparison.variants) {
    std::printf(
        "%-32s %5zu %20s %28s %22s\n", s.label.c_str(), s.scores.size(),
        fmt::format("{:.1f} +- {:.1f}", s.mean, s.std).c_str(),
        fmt::format("{:.1f} [{:.1f}, {:.1f}]", s.iqm, s.iqm_interval.low, s.iqm_interval.high)
            .c_str(),
        std::isfinite(s.improvement)
            ? fmt::format("{:.2f} [{:.2f}, {:.2f}]", s.improvement, s.improvement_interval.low,
                          s.improvement_interval.high)
                  .c_str()
            : "reference");
  }
  if (!comparison.successes.empty()) {
    std::printf("\n%-32s %9s %28s %28s\n", "variant", "succeeded", "median steps to success",
                "median training seconds");
  }
  for (const analysis::VariantSuccess& v : comparison.successes) {
    const char* bound = v.censored ? ">= " : "";
    std::printf("%-32s %9s %28s %28s\n", v.label.c_str(),
                fmt::format("{}/{}", v.succeeded, v.runs.size()).c_str(),
                fmt::format("{}{:.0f}", bound, v.median_steps.value).c_str(),
                fmt::format("{}{:.1f}", bound, v.median_seconds.value).c_str());
  }
  std::printf("report: %s/report.md\n", options.out_dir.c_str());
  return 0;
}

}  // namespace stride::cli
