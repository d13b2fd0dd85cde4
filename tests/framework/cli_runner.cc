#include "cli_runner.h"

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

namespace stride::testing {

namespace fs = std::filesystem;

std::string TempDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("stride_test_" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void WriteFile(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

bool IsWallClock(const std::string& column) {
  return column == "time_s" || column == "train_time_s" || column == "steps_per_second";
}

double LastValue(const std::string& csv, const std::string& column) {
  std::ifstream in(csv);
  std::string header, line, last;
  std::getline(in, header);
  while (std::getline(in, line)) last = line;
  std::stringstream names(header), values(last);
  for (std::string name, value;
       std::getline(names, name, ',') && std::getline(values, value, ',');) {
    if (name == column) return std::stod(value);
  }
  ADD_FAILURE() << csv << " has no column " << column;
  return 0.0;
}

std::string DeterministicColumns(const std::string& csv) {
  std::stringstream in(ReadFile(csv));
  std::string out;
  std::vector<bool> keep;
  for (std::string line; std::getline(in, line);) {
    std::stringstream cells(line);
    std::vector<std::string> row;
    for (std::string cell; std::getline(cells, cell, ',');) row.push_back(cell);
    if (keep.empty()) {
      for (const std::string& name : row) keep.push_back(!IsWallClock(name));
    }
    for (size_t i = 0; i < row.size(); ++i) {
      if (keep[i]) out += row[i] + ",";
    }
    out += "\n";
  }
  return out;
}

CliResult RunStride(const std::string& arguments, const std::string& environment) {
  const std::string dir = TempDir("cli_output");
  const std::string out = dir + "/out", err = dir + "/err";
  const std::string command = "env -u STRIDE_PLUGIN_PATH " + environment + " " + STRIDE_BINARY +
                              " " + arguments + " >" + out + " 2>" + err;
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  return result;
}

}  // namespace stride::testing
