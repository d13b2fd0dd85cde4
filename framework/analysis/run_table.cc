#include "run_table.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "report.h"

namespace stride::analysis {
namespace {

// a cell of row, NaN without the column
double Cell(const Table& table, size_t row, const std::string& column) {
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (table.columns[c] == column) return table.rows[row][c];
  }
  return NAN;
}

double SuccessFraction(const Table& eval, size_t row) {
  const double successes = Cell(eval, row, "successes"), episodes = Cell(eval, row, "episodes");
  return std::isfinite(successes) && episodes > 0 ? successes / episodes : 0.0;
}

struct RunRow {
  std::string variant;
  const RunData* run = nullptr;
  std::optional<size_t> final_row, best_row, first_success_row;
};

// the final, best (success fraction, then mean return; the earlier on ties)
// and first successful evaluation of each run
std::vector<RunRow> Rows(const std::vector<Group>& groups) {
  std::vector<RunRow> rows;
  for (const Group& group : groups) {
    for (const RunData& run : group.runs) {
      RunRow row{group.label, &run, {}, {}, {}};
      const Table& eval = run.eval;
      for (size_t r = 0; r < eval.rows.size(); ++r) {
        row.final_row = r;
        const double fraction = SuccessFraction(eval, r);
        const double score = Cell(eval, r, "mean_return");
        if (!row.best_row || fraction > SuccessFraction(eval, *row.best_row) ||
            (fraction == SuccessFraction(eval, *row.best_row) &&
             score > Cell(eval, *row.best_row, "mean_return"))) {
          row.best_row = r;
        }
        if (!row.first_success_row && Cell(eval, r, "success") == 1.0) row.first_success_row = r;
      }
      rows.push_back(row);
    }
  }
  return rows;
}

// every episode metric any run evaluated, in the order first seen
std::vector<std::string> Metrics(const std::vector<Group>& groups) {
  std::vector<std::string> metrics;
  for (const Group& group : groups) {
    for (const RunData& run : group.runs) {
      for (const std::string& column : MetricColumns(run.eval)) {
        if (std::find(metrics.begin(), metrics.end(), column) == metrics.end()) {
          metrics.push_back(column);
        }
      }
    }
  }
  return metrics;
}

// the cells of one run, formatted by number
std::vector<std::string> Cells(const RunRow& row, const std::vector<std::string>& metrics,
                               const std::function<std::string(double)>& number) {
  const Table& eval = row.run->eval;
  const auto at = [&](const std::optional<size_t>& r, const std::string& column) {
    return r ? number(Cell(eval, *r, column)) : std::string();
  };
  std::vector<std::string> cells = {
      row.variant,
      std::to_string(row.run->seed),
      at(row.final_row, "step"),
      at(row.final_row, "mean_return"),
      at(row.final_row, "successes"),
      at(row.final_row, "episodes"),
      at(row.best_row, "step"),
      at(row.best_row, "mean_return"),
      row.best_row ? number(SuccessFraction(eval, *row.best_row)) : "",
      at(row.first_success_row, "step"),
      at(row.first_success_row, "train_time_s")};
  for (const std::string& metric : metrics) cells.push_back(at(row.final_row, metric));
  return cells;
}

std::string Exact(double value) { return std::isfinite(value) ? fmt::format("{}", value) : ""; }

std::string Rounded(double value) {
  if (!std::isfinite(value)) return "";
  return std::fabs(value) >= 100 || value == std::round(value) ? fmt::format("{:.0f}", value)
                                                               : fmt::format("{:.3g}", value);
}

}  // namespace

std::string RunsCsv(const std::vector<Group>& groups) {
  const std::vector<std::string> metrics = Metrics(groups);
  std::vector<std::string> header = {"variant",
                                     "seed",
                                     "final_step",
                                     "final_return",
                                     "final_successes",
                                     "final_episodes",
                                     "best_step",
                                     "best_return",
                                     "best_success_fraction",
                                     "first_success_step",
                                     "first_success_seconds"};
  for (const std::string& metric : metrics) header.push_back("final_" + metric);
  std::string out = fmt::format("{}\n", fmt::join(header, ","));
  for (const RunRow& row : Rows(groups)) {
    std::vector<std::string> cells = Cells(row, metrics, Exact);
    cells[0] = CsvField(cells[0]);
    out += fmt::format("{}\n", fmt::join(cells, ","));
  }
  return out;
}

std::string RunsMarkdown(const std::vector<Group>& groups) {
  const std::vector<std::string> metrics = Metrics(groups);
  std::vector<std::string> header = {
      "variant",          "seed",      "final step",  "final return", "final successes",
      "attempts",         "best step", "best return", "best success", "first success (steps)",
      "first success (s)"};
  for (const std::string& metric : metrics) header.push_back(metric);
  std::string out = fmt::format("| {} |\n|", fmt::join(header, " | "));
  for (size_t i = 0; i < header.size(); ++i) out += "---|";
  out += "\n";
  for (const RunRow& row : Rows(groups)) {
    out += fmt::format("| {} |\n", fmt::join(Cells(row, metrics, Rounded), " | "));
  }
  return out;
}

}  // namespace stride::analysis
