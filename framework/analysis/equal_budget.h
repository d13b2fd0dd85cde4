// Equal budgets for stride compare, for variants that train for different
// numbers of steps or at different speeds (on-policy against off-policy
// algorithms): each variant's evaluation return at the most environment steps
// every run reached, and at the training wall-clock the reference variant
// needed for its whole run.
#ifndef STRIDE_ANALYSIS_EQUAL_BUDGET_H_
#define STRIDE_ANALYSIS_EQUAL_BUDGET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run_data.h"
#include "statistics.h"

namespace stride::analysis {

// one variant's runs at one budget
struct BudgetScores {
  std::string label;
  // each run's last evaluation return within the budget; a run that finished
  // sooner counts with its final evaluation
  std::vector<double> returns;
  // runs with no evaluation within the budget
  int missing = 0;
  double iqm = 0.0;
  Interval interval;
};

struct EqualBudget {
  // the smallest final evaluation step over all runs
  double steps = 0.0;
  // the median over the reference's runs of their training seconds at their
  // final evaluation (evaluations excluded)
  double seconds = 0.0;
  std::vector<BudgetScores> at_steps, at_seconds;
};

// nullopt when some run's eval.csv has no train_time_s column or no rows
std::optional<EqualBudget> SummarizeEqualBudget(const std::vector<Group>& groups,
                                                const std::string& reference, int reps,
                                                uint64_t seed);

// the report's equal-budget section: method and table
std::string EqualBudgetSection(const EqualBudget& budget, const std::string& reference, int reps);

}  // namespace stride::analysis

#endif  // STRIDE_ANALYSIS_EQUAL_BUDGET_H_
