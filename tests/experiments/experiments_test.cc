// Every experiments/*.toml validates and runs for a few thousand steps.
#include <filesystem>

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace stride::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> ExperimentFiles() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(std::string(STRIDE_SOURCE_DIR) + "/experiments")) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ExperimentFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ExperimentFileTest, ValidatesAndRunsBriefly) {
  const std::string& file = GetParam();
  CliResult validate = RunStride("validate " + file);
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  const std::string out = TempDir("experiment_" + fs::path(file).stem().string());
  CliResult run = RunStride("run " + file + " --out " + out +
                            " --set experiment.total_steps=1 --set evaluation.episodes=2"
                            " --set experiment.seeds=[0]");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  bool has_policy = false;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    has_policy |= entry.path().filename() == "policy.pt";
  }
  EXPECT_TRUE(has_policy);
}

INSTANTIATE_TEST_SUITE_P(Experiments, ExperimentFileTest, ::testing::ValuesIn(ExperimentFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return fs::path(info.param).stem().string();
                         });

}  // namespace
}  // namespace stride::testing
