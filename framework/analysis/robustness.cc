#include "robustness.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "stride/durable_file.h"
#include "stride/error.h"

namespace stride::analysis {
namespace {

namespace fs = std::filesystem;

// one row of robustness.csv
struct Row {
  std::string perturbation;
  double magnitude = 0.0;
  double mean_return = 0.0;
  double success_rate = 0.0;
};

double Number(const std::string& cell) {
  return cell.empty() ? std::nan("") : std::strtod(cell.c_str(), nullptr);
}

// the complete rows of a run's robustness.csv; none when it has no such file
std::vector<Row> ReadRows(const std::string& run_dir) {
  const std::string path = run_dir + "/robustness.csv";
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  std::istringstream in(ReadFile(path));
  std::vector<std::string> header;
  std::vector<Row> rows;
  for (std::string line; std::getline(in, line) && !in.eof();) {
    std::vector<std::string> cells;
    std::istringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    if (header.empty()) {
      header = cells;
      continue;
    }
    const auto at = [&](const char* column) -> std::string {
      const auto it = std::find(header.begin(), header.end(), column);
      if (it == header.end()) throw RuntimeError(fmt::format("{}: no column '{}'", path, column));
      const size_t index = static_cast<size_t>(it - header.begin());
      return index < cells.size() ? cells[index] : "";
    };
    rows.push_back({at("perturbation"), Number(at("magnitude")), Number(at("mean_return")),
                    Number(at("success_rate"))});
  }
  return rows;
}

MeanOverRuns MeanWithInterval(const std::vector<double>& values, int reps, uint64_t seed) {
  if (values.empty() || std::isnan(values.front())) {
    return {std::nan(""), {std::nan(""), std::nan("")}};
  }
  const auto mean = [](const TaskScores& scores) { return Mean(scores[0]); };
  return {Mean(values), StratifiedBootstrapInterval({values}, mean, reps, seed)};
}

std::string Percent(const MeanOverRuns& m) {
  if (std::isnan(m.mean)) return "—";
  return fmt::format("{:.0f}% [{:.0f}, {:.0f}]", 100 * m.mean, 100 * m.interval.low,
                     100 * m.interval.high);
}

}  // namespace

std::vector<RobustnessCurve> SummarizeRobustness(const std::vector<Group>& groups, int reps,
                                                 uint64_t seed) {
  // every run's rows, by variant
  std::vector<std::vector<std::vector<Row>>> rows(groups.size());
  std::vector<RobustnessCurve> curves;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (const RunData& run : groups[g].runs) {
      rows[g].push_back(ReadRows(run.dir));
      for (const Row& row : rows[g].back()) {
        auto curve = std::find_if(curves.begin(), curves.end(), [&](const RobustnessCurve& c) {
          return c.perturbation == row.perturbation;
        });
        if (curve == curves.end()) {
          curves.push_back({row.perturbation, {}, {}});
          curve = curves.end() - 1;
        }
        if (std::find(curve->magnitudes.begin(), curve->magnitudes.end(), row.magnitude) ==
            curve->magnitudes.end()) {
          curve->magnitudes.push_back(row.magnitude);
        }
      }
    }
  }
  for (RobustnessCurve& curve : curves) {
    std::sort(curve.magnitudes.begin(), curve.magnitudes.end());
    for (size_t g = 0; g < groups.size(); ++g) {
      VariantRobustness variant{groups[g].label, 0, {}, {}};
      for (double magnitude : curve.magnitudes) {
        std::vector<double> successes, returns;
        for (const std::vector<Row>& run : rows[g]) {
          for (const Row& row : run) {
            if (row.perturbation != curve.perturbation || row.magnitude != magnitude) continue;
            successes.push_back(row.success_rate);
            returns.push_back(row.mean_return);
          }
        }
        variant.runs = std::max(variant.runs, static_cast<int>(returns.size()));
        variant.success.push_back(MeanWithInterval(successes, reps, seed));
        variant.mean_return.push_back(MeanWithInterval(returns, reps, seed));
      }
      if (variant.runs > 0) curve.variants.push_back(std::move(variant));
    }
  }
  return curves;
}

std::string RobustnessSection(const std::vector<RobustnessCurve>& curves) {
  std::string out = fmt::format(
      "\n## Robustness\n\nEach run's final policy evaluated under each perturbation magnitude "
      "(`robustness.csv`): the success rate (episodes meeting the criterion) and the mean "
      "return, each a mean over runs with its 95% bootstrap interval. A variant withstands a "
      "magnitude when its mean success rate there is at least {:.0f}%.\n",
      100 * kWithstood);
  for (const RobustnessCurve& curve : curves) {
    out += fmt::format("\n### {}\n\n| variant | runs |", curve.perturbation);
    for (double m : curve.magnitudes) out += fmt::format(" {:g} |", m);
    out += " withstands |\n|---|---|";
    for (size_t i = 0; i <= curve.magnitudes.size(); ++i) out += "---|";
    out += "\n";
    for (const VariantRobustness& v : curve.variants) {
      out += fmt::format("| {} | {} |", v.label, v.runs);
      std::vector<std::string> withstood;
      for (size_t i = 0; i < curve.magnitudes.size(); ++i) {
        out += fmt::format(" {}<br>{:.0f} |", Percent(v.success[i]), v.mean_return[i].mean);
        if (v.success[i].mean >= kWithstood) {
          withstood.push_back(fmt::format("{:g}", curve.magnitudes[i]));
        }
      }
      const std::string listed = fmt::format("{}", fmt::join(withstood, ", "));
      const bool all = withstood.size() == curve.magnitudes.size();
      out += fmt::format(" {} |\n", all ? "all" : withstood.empty() ? "none" : listed);
    }
    out += fmt::format("\n![success rate against {0}]({1}) ![return against {0}]({2})\n",
                       curve.perturbation, RobustnessFigure(curve, true),
                       RobustnessFigure(curve, false));
  }
  return out;
}

LinePlot RobustnessPlot(const RobustnessCurve& curve, bool success) {
  LinePlot plot{
      fmt::format("{} against {}", success ? "Success rate" : "Return", curve.perturbation),
      curve.perturbation,
      success ? "success rate" : "mean return",
      {},
      nullptr};
  for (const VariantRobustness& v : curve.variants) {
    Series series{v.label, {}, {}, {}, {}};
    const std::vector<MeanOverRuns>& values = success ? v.success : v.mean_return;
    for (size_t i = 0; i < curve.magnitudes.size(); ++i) {
      if (std::isnan(values[i].mean)) continue;
      series.x.push_back(curve.magnitudes[i]);
      series.y.push_back(values[i].mean);
      series.low.push_back(values[i].interval.low);
      series.high.push_back(values[i].interval.high);
    }
    plot.series.push_back(std::move(series));
  }
  return plot;
}

std::string RobustnessFigure(const RobustnessCurve& curve, bool success) {
  return fmt::format("robustness_{}_{}.svg", curve.perturbation, success ? "success" : "return");
}

}  // namespace stride::analysis
