#include "run_data.h"

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

std::vector<std::string> SplitCells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line);
  for (std::string cell; std::getline(stream, cell, ',');) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

double ParseCell(const std::string& cell, const std::string& where) {
  if (cell.empty() || cell == "nan" || cell == "-nan") return std::nan("");
  size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != cell.size()) throw RuntimeError(fmt::format("{}: '{}' is not a number", where, cell));
  return value;
}

// config.toml without the line that names the seed
std::string WithoutSeeds(const std::string& config) {
  std::stringstream in(config);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("seeds = ", 0) != 0) out += line + "\n";
  }
  return out;
}

bool IsSeedDirectory(const fs::path& dir, int64_t& seed) {
  const std::string name = dir.filename().string();
  if (name.rfind("seed_", 0) != 0 || name.size() == 5) return false;
  if (name.find_first_not_of("0123456789", 5) != std::string::npos) return false;
  seed = std::stoll(name.substr(5));
  return fs::is_regular_file(dir / "metrics.csv");
}

}  // namespace

bool Table::Has(const std::string& column) const {
  return std::find(columns.begin(), columns.end(), column) != columns.end();
}

std::vector<double> Table::Values(const std::string& column) const {
  const auto it = std::find(columns.begin(), columns.end(), column);
  if (it == columns.end()) {
    throw RuntimeError(fmt::format("{}: no column '{}'", path, column));
  }
  const size_t index = static_cast<size_t>(it - columns.begin());
  std::vector<double> values;
  for (const std::vector<double>& row : rows) values.push_back(row[index]);
  return values;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

Table ReadCsv(const std::string& path) {
  // the complete rows: a run being written may have begun a line it has not ended
  std::string text = ReadFile(path);
  const size_t last_newline = text.rfind('\n');
  text.resize(last_newline == std::string::npos ? 0 : last_newline + 1);
  std::istringstream in(text);
  Table table;
  table.path = path;
  std::string line;
  if (!std::getline(in, line))
    throw RuntimeError(fmt::format("{}: empty, expected a header", path));
  table.columns = SplitCells(line);
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::string where = fmt::format("{}:{}", path, number);
    const std::vector<std::string> cells = SplitCells(line);
    if (cells.size() != table.columns.size()) {
      throw RuntimeError(fmt::format("{}: {} cells, the header has {}", where, cells.size(),
                                     table.columns.size()));
    }
    std::vector<double> row;
    for (const std::string& cell : cells) row.push_back(ParseCell(cell, where));
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::vector<double> WallClock(const Table& metrics) {
  std::vector<double> time = metrics.Values("time_s");
  double offset = 0.0, previous = 0.0;
  for (double& t : time) {
    if (t < previous) offset += previous;
    previous = t;
    t += offset;
  }
  return time;
}

std::vector<Group> FindGroups(const std::vector<std::string>& dirs) {
  std::vector<Group> groups;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      throw ConfigError(fmt::format("'{}' is not a directory of runs", dir));
    }
    const fs::path root = fs::path(dir).lexically_normal();
    const std::string root_name =
        (root.filename().empty() ? root.parent_path() : root).filename().string();

    // seed directories by the directory that holds them, in name order
    std::map<std::string, std::vector<fs::path>> by_parent;
    std::vector<fs::path> candidates = {root};
    for (auto it = fs::recursive_directory_iterator(root, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec)) candidates.push_back(it->path());
    }
    for (const fs::path& candidate : candidates) {
      int64_t seed = 0;
      if (!IsSeedDirectory(candidate, seed)) continue;
      const fs::path parent = candidate.lexically_normal().parent_path();
      std::string label = parent.lexically_relative(root).string();
      if (label == "." || label.empty()) label = root_name;
      if (label == "..") label = parent.filename().string();
      if (dirs.size() > 1 && label != root_name) label = root_name + "/" + label;
      by_parent[label].push_back(candidate);
    }
    if (by_parent.empty()) {
      throw ConfigError(fmt::format("'{}' holds no runs (no seed_<k>/metrics.csv below it)", dir));
    }
    for (auto& [label, seed_dirs] : by_parent) {
      Group group;
      group.label = label;
      std::sort(seed_dirs.begin(), seed_dirs.end());
      for (const fs::path& seed_dir : seed_dirs) {
        if (!fs::exists(seed_dir / "policy.pt", ec)) {
          group.unfinished.push_back(seed_dir.string());
          continue;
        }
        RunData run;
        run.dir = seed_dir.string();
        IsSeedDirectory(seed_dir, run.seed);
        run.metrics = ReadCsv((seed_dir / "metrics.csv").string());
        run.eval = ReadCsv((seed_dir / "eval.csv").string());
        run.config = WithoutSeeds(ReadFile((seed_dir / "config.toml").string()));
        group.runs.push_back(std::move(run));
      }
      std::sort(group.runs.begin(), group.runs.end(),
                [](const RunData& a, const RunData& b) { return a.seed < b.seed; });
      groups.push_back(std::move(group));
    }
  }
  return groups;
}

}  // namespace stride::analysis
