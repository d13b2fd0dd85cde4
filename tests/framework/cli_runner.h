// Runs the stride executable and captures what it printed, for tests.
#ifndef STRIDE_TESTS_FRAMEWORK_CLI_RUNNER_H_
#define STRIDE_TESTS_FRAMEWORK_CLI_RUNNER_H_

#include <string>

#include "stride/durable_file.h"

namespace stride::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `stride <arguments>` run by the shell (arguments are shell words), with
// STRIDE_PLUGIN_PATH unset unless environment sets it ("NAME=value ...")
CliResult RunStride(const std::string& arguments, const std::string& environment = "");

// a fresh directory under the test temporary directory
std::string TempDir(const std::string& name);
void WriteFile(const std::string& path, const std::string& text);
// the whole of a file; RuntimeError naming it if it cannot be read
using stride::ReadFile;

// a column or scalar of wall-clock time, which no two runs share
bool IsWallClock(const std::string& column);
// the value of column in the last row of a CSV file; a test failure and 0 if
// it has no such column
double LastValue(const std::string& csv, const std::string& column);

// metrics.csv or eval.csv without its wall-clock columns: what the same seed
// reproduces bit for bit
std::string DeterministicColumns(const std::string& csv);

}  // namespace stride::testing

#endif  // STRIDE_TESTS_FRAMEWORK_CLI_RUNNER_H_
