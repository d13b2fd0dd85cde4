#include "metrics_log.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "stride/durable_file.h"
#include "stride/error.h"
#include "tensorboard_events.h"

namespace stride {
namespace {

// the complete lines of a file: a line without its newline was being written
std::vector<std::string> ReadLines(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  std::istringstream in(ReadFile(path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!in.eof()) lines.push_back(line);
  }
  return lines;
}

int64_t LeadingStep(const std::string& line) {
  size_t digits = 0;
  while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
  if (digits == 0) return -1;
  return std::stoll(line.substr(0, digits));
}

std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

int64_t JsonStep(const std::string& line) {
  const std::string key = "{\"step\": ";
  if (line.rfind(key, 0) != 0) return -1;
  return LeadingStep(line.substr(key.size()));
}

}  // namespace

MetricsLog::MetricsLog(std::string path, bool resume, TensorBoardWriter* events,
                       std::string tag_prefix)
    : path_(std::move(path)),
      resume_(resume),
      events_(events),
      tag_prefix_(std::move(tag_prefix)) {}

int64_t MetricsLog::Begin(int64_t first_step) {
  int64_t last_kept = 0;
  std::vector<std::string> csv_lines, json_lines;
  if (resume_) {
    for (const std::string& line : ReadLines(path_ + ".csv")) {
      const int64_t step = LeadingStep(line);
      if (step >= first_step) continue;
      csv_lines.push_back(line);
      last_kept = std::max(last_kept, step);
    }
    for (const std::string& line : ReadLines(path_ + ".jsonl")) {
      const int64_t step = JsonStep(line);
      if (step >= 0 && step < first_step) json_lines.push_back(line);
    }
  }
  // the kept rows replace the files whole, then rows are appended
  std::string csv_text, json_text;
  for (const std::string& line : csv_lines) {
    csv_text += line + '\n';
    if (LeadingStep(line) < 0) {
      kept_header_ = Cells(line);
    } else {
      kept_rows_.push_back(Cells(line));
    }
  }
  for (const std::string& line : json_lines) json_text += line + '\n';
  WriteFileAtomically(path_ + ".csv", csv_text);
  WriteFileAtomically(path_ + ".jsonl", json_text);
  csv_.open(path_ + ".csv", std::ios::app);
  jsonl_.open(path_ + ".jsonl", std::ios::app);
  if (!csv_ || !jsonl_) throw RuntimeError(WriteFailure(path_ + ".csv", errno, 0));
  if (events_) events_->Begin(first_step);
  open_ = true;
  return last_kept;
}

std::vector<double> MetricsLog::KeptColumn(const std::string& column) const {
  const auto at = std::find(kept_header_.begin(), kept_header_.end(), column);
  if (at == kept_header_.end()) return {};
  const size_t index = static_cast<size_t>(at - kept_header_.begin());
  std::vector<double> values;
  for (const std::vector<std::string>& row : kept_rows_) {
    const bool empty = index >= row.size() || row[index].empty();
    values.push_back(empty ? std::nan("") : std::strtod(row[index].c_str(), nullptr));
  }
  return values;
}

void MetricsLog::Write(int64_t step, const std::vector<std::pair<std::string, double>>& values) {
  if (!open_) Begin(step);
  if (columns_.empty()) {
    columns_.push_back("step");
    for (const auto& [name, value] : values) columns_.push_back(name);
    if (kept_header_.empty()) csv_ << fmt::format("{}\n", fmt::join(columns_, ","));
  }
  if (values.size() + 1 != columns_.size()) {
    throw RuntimeError(fmt::format("{}.csv: a row has {} values, the header {}", path_,
                                   values.size() + 1, columns_.size()));
  }
  std::string csv_row = fmt::format("{}", step);
  std::string json_row = fmt::format("{{\"step\": {}", step);
  for (const auto& [name, value] : values) {
    const bool finite = std::isfinite(value);
    csv_row += finite ? fmt::format(",{}", value) : ",";
    json_row += fmt::format(", \"{}\": {}", name, finite ? fmt::format("{}", value) : "null");
  }
  csv_ << csv_row << '\n' << std::flush;
  if (!csv_) throw RuntimeError(WriteFailure(path_ + ".csv", errno, csv_row.size() + 1));
  jsonl_ << json_row << "}\n" << std::flush;
  if (!jsonl_) throw RuntimeError(WriteFailure(path_ + ".jsonl", errno, json_row.size() + 2));
  if (events_) events_->WriteScalars(step, tag_prefix_, values);
}

}  // namespace stride
