// Planned runs trained in parallel, one child process per run.
#ifndef STRIDE_CLI_RUN_JOBS_H_
#define STRIDE_CLI_RUN_JOBS_H_

#include <vector>

#include "stride/registry.h"
#include "stride/runner.h"

namespace stride::cli {

// the runs to do at once: what the cores allow, each run using as many
// environment threads as it asks for (num_workers; 0 counts as one)
int DefaultJobs(const std::vector<PlannedRun>& runs, const RunOptions& options);

// environment threads for one run when jobs runs share the cores
int WorkersPerRun(const PlannedRun& run, int jobs, const RunOptions& options);

// trains every run that is not finished, at most jobs at a time, each in a
// `stride run --resume` child with its thread budget; a stop request reaches
// every child, which checkpoints. Returns the exit code: 0 if all finished.
int RunJobs(const std::vector<PlannedRun>& runs, int jobs, const PluginRegistry& registry,
            const RunOptions& options);

}  // namespace stride::cli

#endif  // STRIDE_CLI_RUN_JOBS_H_
