// One row per run for stride compare: its final and best evaluations, its
// first success, and the episode metrics (gait) of its final evaluation, as a
// CSV file and a Markdown table.
#ifndef STRIDE_ANALYSIS_RUN_TABLE_H_
#define STRIDE_ANALYSIS_RUN_TABLE_H_

#include <string>
#include <vector>

#include "run_data.h"

namespace stride::analysis {

// runs.csv: variant, seed, final_step, final_return, final_successes,
// final_episodes, best_step, best_return, best_success_fraction,
// first_success_step, first_success_seconds, then final_<metric> for each
// episode metric any run evaluated (empty where a run has none)
std::string RunsCsv(const std::vector<Group>& groups);
// the same as a Markdown table, numbers rounded for reading
std::string RunsMarkdown(const std::vector<Group>& groups);

}  // namespace stride::analysis

#endif  // STRIDE_ANALYSIS_RUN_TABLE_H_
